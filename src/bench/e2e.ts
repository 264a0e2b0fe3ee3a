/**
 * `rmq bench e2e`: produce at a paced rate and consume at once, in one process, measuring
 * produce-to-consume latency. Each body starts with a marker and a high-resolution send time
 * (this process's clock), so the latency is exact to the microsecond rather than the born
 * timestamp's millisecond; messages from earlier runs are counted out by their time.
 *
 *   pos  size  field
 *   0    8     marker "RMQBENCH"
 *   8    8     send time, ms since the epoch (float64)
 *   16   …     padding to --size
 */
import type { BenchRun } from "./bench_run.ts";
import { type ConsumeOptions, startConsumers } from "./consume.ts";
import { type ProduceOptions, randomBody, runProduce, startProducers } from "./produce.ts";
import { Recorder } from "./recorder.ts";

const MARKER = new TextEncoder().encode("RMQBENCH");
const STAMP_SIZE = 16;
/** After the last send, how long to wait for the last messages to arrive. */
const DRAIN_MS = 10_000;

function now(): number {
  return performance.timeOrigin + performance.now();
}

function stampOf(body: Uint8Array): number | undefined {
  if (body.length < STAMP_SIZE) return undefined;
  for (let i = 0; i < MARKER.length; i++) if (body[i] !== MARKER[i]) return undefined;
  return new DataView(body.buffer, body.byteOffset + 8, 8).getFloat64(0);
}

export async function runE2e(p: ProduceOptions, c: ConsumeOptions, run: BenchRun): Promise<void> {
  const rec = run.recorder;
  const sends = new Recorder();
  const padding = randomBody(Math.max(0, p.size - STAMP_SIZE));
  const makeBody = () => {
    const b = new Uint8Array(Math.max(p.size, STAMP_SIZE));
    b.set(MARKER, 0);
    new DataView(b.buffer, 8, 8).setFloat64(0, now());
    b.set(padding, STAMP_SIZE);
    return b;
  };
  const started = now();
  let produced = -1;
  let allArrived: () => void = () => {};
  const arrived = new Promise<void>((r) => allArrived = r);
  const producers = await startProducers(p);
  const consumers = [];
  try {
    // One unstamped message first: it creates the topic (when the broker auto-creates), so
    // consumers find its route when they start instead of at the next route poll.
    await producers[0].send({ topic: p.topic, body: padding.length > 0 ? padding : MARKER });
    consumers.push(
      // Draining an older run's backlog is not latency: start strictly at the end.
      ...await startConsumers({ ...c, from: "end" }, (msgs) => {
        const t = now();
        for (const m of msgs) {
          const stamp = stampOf(m.body);
          if (stamp === undefined || stamp < started) continue; // not this run's
          rec.success(t - stamp, m.body.length);
        }
        if (produced >= 0 && rec.ok >= produced) allArrived();
      }),
    );
    try {
      run.begin();
      await runProduce({ ...p, makeBody }, run, producers, sends);
    } finally {
      await Promise.all(producers.map((x) => x.shutdown()));
    }
    produced = sends.ok;
    if (sends.failed > 0) rec.failure(sends.firstError ?? "send failed", sends.failed);
    if (rec.ok < produced) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([arrived, new Promise((r) => timer = setTimeout(r, DRAIN_MS))]);
      clearTimeout(timer);
    }
    if (rec.ok < produced) {
      rec.failure(
        `${produced - rec.ok} of ${produced} sent messages did not arrive in time`,
        produced - rec.ok,
      );
    }
  } finally {
    await Promise.all([...producers, ...consumers].map((x) => x.shutdown()));
  }
}
