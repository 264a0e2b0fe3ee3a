/**
 * `rmq bench produce|consume|e2e`: load generation and measurement on rmq's own client
 * library, reporting like RocketMQ's benchmark tool (TPS, max/average RT, failures) plus
 * latency percentiles from an HdrHistogram.
 */
import { UsageError } from "../common/errors.ts";
import { BenchRun } from "../bench/bench_run.ts";
import { type ConsumeOptions, runConsume } from "../bench/consume.ts";
import { runE2e } from "../bench/e2e.ts";
import {
  type ProduceOptions,
  runProduce,
  type SendMode,
  startProducers,
} from "../bench/produce.ts";
import type { BenchMode } from "../bench/report.ts";
import { checkTopic } from "../client/validators.ts";
import {
  choiceOption,
  type CommandSpec,
  durationOption,
  intOption,
  NAMESRV_OPTION,
  namesrvOption,
  type OptionValues,
  SECURITY_OPTIONS,
  securityOption,
  stringOption,
} from "./args.ts";
import { checkNamesrvReachable } from "./namesrv_reach.ts";

const MODES = ["produce", "consume", "e2e"] as const;
const SEND_MODES = ["sync", "async", "oneway"] as const;
/** e2e latency is measured at an offered load; unpaced it would measure a queue. */
const DEFAULT_E2E_RATE = 10_000;
/**
 * A paced producer needs few sends in flight (16 sustain 10k msg/s at 1.6 ms per send); a deep
 * window turns every millisecond stall into a burst that the latency then measures.
 */
const DEFAULT_E2E_INFLIGHT = 16;
const DEFAULT_DURATION_MS = 30_000;

export interface BenchSettings {
  mode: BenchMode;
  produce: ProduceOptions;
  consume: ConsumeOptions;
  count?: number;
  durationMs?: number;
  intervalMs: number;
  json: boolean;
  watchPid?: number;
}

/** Checks the flags; every problem is a UsageError (one line, exit 2). */
export function parseBenchSettings(
  values: OptionValues,
  positionals: string[],
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): BenchSettings {
  const [modeArg, ...extra] = positionals;
  if (modeArg === undefined) throw new UsageError("which benchmark: produce, consume or e2e?");
  if (!(MODES as readonly string[]).includes(modeArg)) {
    throw new UsageError(`unknown benchmark ${JSON.stringify(modeArg)} (produce, consume or e2e)`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const mode = modeArg as BenchMode;
  const topic = stringOption(values, "topic");
  if (topic === undefined) throw new UsageError("--topic is required");
  try {
    checkTopic(topic);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const namesrvAddr = namesrvOption(values, env);
  const security = securityOption(values, env);
  const count = intOption(values, "count", { min: 1 });
  let durationMs = durationOption(values, "duration");
  if (count !== undefined && durationMs !== undefined) {
    throw new UsageError("--count and --duration cannot be used together");
  }
  if (count === undefined && durationMs === undefined) durationMs = DEFAULT_DURATION_MS;
  const sendMode: SendMode = choiceOption(values, "mode", SEND_MODES) ?? "async";
  const clients = intOption(values, "clients", { min: 1, max: 1024 }) ?? 1;
  const inflight = intOption(values, "inflight", { min: 1, max: 65536 }) ??
    (sendMode === "sync" ? clients : mode === "e2e" ? DEFAULT_E2E_INFLIGHT : 256);
  if (sendMode === "sync" && inflight !== clients && values.inflight !== undefined) {
    // Sync sends are one at a time per client by definition.
    throw new UsageError("--mode sync keeps one message in flight per client; use --clients");
  }
  const rate = intOption(values, "rate", { min: 1 }) ??
    (mode === "e2e" ? DEFAULT_E2E_RATE : undefined);
  // Binary headers cost the client and broker less per message than JSON (see README).
  const serialize = choiceOption(values, "serialize", ["json", "rocketmq"] as const) ??
    "rocketmq";
  const group = stringOption(values, "group");
  const from = choiceOption(values, "from", ["first", "last"] as const) ?? "first";
  const intervalMs = durationOption(values, "interval") ?? 10_000;
  if (intervalMs < 100) throw new UsageError("--interval must be at least 100ms");
  return {
    mode,
    count,
    durationMs,
    intervalMs,
    json: values.json === true,
    watchPid: intOption(values, "watch-pid", { min: 1 }),
    produce: {
      namesrvAddr,
      topic,
      group: mode === "produce" ? group ?? "rmq_bench_producer" : "rmq_bench_producer",
      clients,
      inflight: sendMode === "sync" ? clients : inflight,
      size: intOption(values, "size", { min: mode === "e2e" ? 16 : 1, max: 4 * 1024 * 1024 }) ??
        128,
      mode: sendMode,
      batch: intOption(values, "batch", { min: 1, max: 1024 }) ?? 1,
      rate,
      tag: stringOption(values, "tag"),
      serializeType: serialize === "rocketmq" ? "ROCKETMQ" : "JSON",
      security,
      queues: intOption(values, "queues", { min: 1, max: 1024 }),
    },
    consume: {
      namesrvAddr,
      topic,
      group: mode === "produce"
        ? "rmq_bench_consumer"
        : group ?? `rmq_bench_consumer_${Date.now()}`,
      clients,
      from,
      batchSize: intOption(values, "consume-batch", { min: 1, max: 1024 }) ?? 32,
      serializeType: serialize === "rocketmq" ? "ROCKETMQ" : "JSON",
      security,
    },
  };
}

export const command: CommandSpec = {
  name: "bench",
  summary: "Measure throughput and latency of a broker with rmq's own client library.",
  usage: "bench produce|consume|e2e --topic T [options]",
  positionals: true,
  options: {
    namesrv: NAMESRV_OPTION,
    ...SECURITY_OPTIONS,
    topic: { type: "string", short: "t", value: "TOPIC", doc: "Topic to use (required)" },
    group: {
      type: "string",
      short: "g",
      value: "GROUP",
      doc: "Producer (produce) or consumer group",
    },
    clients: {
      type: "string",
      value: "N",
      doc: "Client instances, each with its own connections (default 1)",
    },
    inflight: {
      type: "string",
      value: "N",
      doc: "Sends in flight across all clients (default 256; e2e 16; sync: 1 per client)",
    },
    size: { type: "string", short: "s", value: "BYTES", doc: "Body size (default 128)" },
    count: { type: "string", short: "c", value: "N", doc: "Stop after N messages" },
    duration: {
      type: "string",
      short: "d",
      value: "TIME",
      doc: "Stop after TIME, e.g. 30s, 2m (default 30s)",
    },
    mode: {
      type: "string",
      short: "m",
      value: "MODE",
      doc: "Send mode: sync, async or oneway (default async)",
    },
    batch: { type: "string", value: "N", doc: "Messages per send (SEND_BATCH_MESSAGE when > 1)" },
    rate: {
      type: "string",
      value: "MSGS_PER_S",
      doc: "Pace sends to this total rate (e2e default 10000)",
    },
    tag: { type: "string", value: "TAG", doc: "Tag for produced messages" },
    queues: {
      type: "string",
      value: "N",
      doc: "produce/e2e: create the topic with N queues per broker first (else auto-created: 4)",
    },
    from: {
      type: "string",
      value: "WHERE",
      doc: "consume: first (backlog, default) or last (new only)",
    },
    "consume-batch": {
      type: "string",
      value: "N",
      doc: "consume/e2e: messages per listener call (default 32)",
    },
    serialize: {
      type: "string",
      value: "TYPE",
      doc: "Header encoding: rocketmq (default) or json",
    },
    interval: { type: "string", value: "TIME", doc: "Report every TIME (default 10s)" },
    "watch-pid": {
      type: "string",
      value: "PID",
      doc: "Sample this process's RSS (the broker; Linux)",
    },
    json: { type: "boolean", doc: "Print one JSON object at the end instead of reports" },
  },
  details: [
    "produce: send as fast as the in-flight window allows (or --rate); latency = send to answer.",
    "consume: a clustering push consumer drains the topic from its start (stored messages);",
    "  latency = born time to delivery.",
    "e2e: produce at --rate and consume at once in one process; latency = send to delivery,",
    "  timed with a high-resolution stamp in each body.",
    "Reports go to stdout every --interval; a live line goes to stderr on a terminal.",
  ].join("\n"),
  async run({ values, positionals }) {
    const s = parseBenchSettings(values, positionals);
    await checkNamesrvReachable(s.produce.namesrvAddr, s.produce.topic, s.produce.security);
    const settings = {
      clients: s.produce.clients,
      inflight: s.mode === "consume" ? undefined : s.produce.inflight,
      size: s.mode === "consume" ? undefined : s.produce.size,
      mode: s.mode === "consume" ? undefined : s.produce.mode,
      batch: s.mode === "consume" || s.produce.batch === 1 ? undefined : s.produce.batch,
      rate: s.mode === "consume" ? undefined : s.produce.rate,
      serialize: s.produce.serializeType.toLowerCase(),
      count: s.count,
      durationMs: s.durationMs,
    };
    const run = new BenchRun({
      mode: s.mode,
      topic: s.produce.topic,
      count: s.count,
      durationMs: s.durationMs,
      intervalMs: s.intervalMs,
      json: s.json,
      watchPid: s.watchPid,
      settings,
    });
    const onSignal = () => run.stop();
    Deno.addSignalListener("SIGINT", onSignal);
    try {
      if (s.mode === "produce") {
        const producers = await startProducers(s.produce);
        try {
          run.begin();
          await runProduce(s.produce, run, producers);
        } finally {
          await Promise.all(producers.map((p) => p.shutdown()));
        }
      } else if (s.mode === "consume") {
        await runConsume(s.consume, run);
      } else {
        await runE2e(s.produce, s.consume, run);
      }
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
    }
    const summary = run.finish();
    return summary.total.failed > 0 && summary.total.ok === 0 ? 1 : 0;
  },
};
