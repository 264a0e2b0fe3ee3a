/**
 * `rmq bench produce`: N producer clients sending --size byte messages with a fixed number in
 * flight (each in-flight slot is a loop awaiting its own send), optionally paced to --rate.
 */
import { Producer } from "../client/producer/producer.ts";
import type { Message } from "../client/message.ts";
import type { ClientSecurity } from "../cli/args.ts";
import type { BenchRun } from "./bench_run.ts";
import { AUTO_CREATE_TOPIC_KEY_TOPIC } from "../client/validators.ts";
import { RateLimiter } from "./rate_limiter.ts";
import type { Recorder } from "./recorder.ts";

export type SendMode = "sync" | "async" | "oneway";

export interface ProduceOptions {
  namesrvAddr: string;
  topic: string;
  group: string;
  clients: number;
  inflight: number;
  size: number;
  mode: SendMode;
  batch: number;
  rate?: number;
  tag?: string;
  serializeType: "JSON" | "ROCKETMQ";
  /** ACL account and TLS for every client. */
  security?: ClientSecurity;
  /** Create the topic with this many queues on every broker first (else auto-creation). */
  queues?: number;
  /** Makes each body (e2e puts a timestamp in it); default: one shared random body. */
  makeBody?: () => Uint8Array;
}

/** Oneway sends get no answer to wait for: yield to the event loop this often so writes drain. */
const ONEWAY_YIELD_EVERY = 64;

export function randomBody(size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) {
    crypto.getRandomValues(b.subarray(i, Math.min(size, i + 65536)));
  }
  return b;
}

export async function startProducers(o: ProduceOptions): Promise<Producer[]> {
  const producers: Producer[] = [];
  for (let i = 0; i < o.clients; i++) {
    // A distinct instance name per client: its own connection to each broker.
    const p = new Producer({
      namesrvAddr: o.namesrvAddr,
      producerGroup: o.group,
      instanceName: `bench-${Deno.pid}-${i}`,
      serializeType: o.serializeType,
      ...o.security,
      // Bodies ≥ 4 KiB would otherwise be compressed, measuring zlib rather than the broker.
      compressMsgBodyOverHowmuch: 0x7fffffff,
    });
    await p.start();
    producers.push(p);
  }
  if (o.queues !== undefined) {
    await producers[0].createTopic(AUTO_CREATE_TOPIC_KEY_TOPIC, o.topic, o.queues);
  }
  // Fetch the route once before the clock matters (auto-creates the topic if allowed).
  await producers[0].fetchPublishMessageQueues(o.topic);
  return producers;
}

/**
 * Sends until the run stops (count claimed or time up). Outcomes go to `rec` (the run's own
 * recorder unless e2e keeps send outcomes apart from delivery latencies).
 */
export async function runProduce(
  o: ProduceOptions,
  run: BenchRun,
  producers: Producer[],
  rec: Recorder = run.recorder,
): Promise<void> {
  const shared = o.makeBody ? undefined : randomBody(o.size);
  const limiter = o.rate ? new RateLimiter(o.rate / o.batch) : undefined;
  if (limiter) run.onStop(() => limiter.close());
  const message = (): Message => ({ topic: o.topic, body: shared ?? o.makeBody!(), tags: o.tag });

  const worker = async (producer: Producer) => {
    let sinceYield = 0;
    while (true) {
      const n = run.claim(o.batch);
      if (n === 0) return;
      const wait = limiter?.acquire();
      if (wait) {
        await wait;
        if (run.stopped) return; // released by the end of the run, not by the pace
      }
      const t0 = performance.now();
      try {
        if (o.mode === "oneway") {
          await producer.sendOneway(message());
          rec.success(undefined, o.size);
          if (++sinceYield >= ONEWAY_YIELD_EVERY) {
            sinceYield = 0;
            await new Promise((r) => setTimeout(r, 0));
          }
        } else if (n > 1 || o.batch > 1) {
          await producer.sendBatch(Array.from({ length: n }, message));
          rec.success(performance.now() - t0, o.size * n, n);
        } else if (o.mode === "sync") {
          await producer.send(message());
          rec.success(performance.now() - t0, o.size);
        } else {
          await producer.sendAsync(message());
          rec.success(performance.now() - t0, o.size);
        }
      } catch (e) {
        rec.failure(e, n);
        // A failing broker must not turn the benchmark into a busy loop.
        if (!run.stopped) await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < o.inflight; i++) workers.push(worker(producers[i % producers.length]));
  await Promise.all(workers);
}
