/**
 * What a benchmark prints: a live progress line on a terminal, one line per reporting
 * interval in the columns RocketMQ's own benchmark prints (Send TPS, Max RT, Average RT,
 * Send Failed) plus latency percentiles, and a summary (text or one JSON object).
 */
import type { LatencySummary } from "./histogram.ts";
import type { Interval } from "./recorder.ts";
import type { RssSample } from "./rss_watch.ts";

export type BenchMode = "produce" | "consume" | "e2e";

const LABELS: Record<BenchMode, { tps: string; failed: string; rt: string }> = {
  produce: { tps: "Send TPS", failed: "Send Failed", rt: "RT" },
  consume: { tps: "Consume TPS", failed: "Consume Failed", rt: "B2C RT" },
  e2e: { tps: "E2E TPS", failed: "Send Failed", rt: "E2E RT" },
};

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3);
}

function percentiles(l: LatencySummary): string {
  return `P50 ${ms(l.p50)} | P90 ${ms(l.p90)} | P99 ${ms(l.p99)} | P99.9 ${ms(l.p999)}`;
}

/** One interval line, e.g. `[10s] Send TPS: 98211 | Max RT(ms): 9.8 | Average RT(ms): …`. */
export function formatInterval(mode: BenchMode, i: Interval, rss?: RssSample): string {
  const L = LABELS[mode];
  const parts = [
    `[${i.at.toFixed(0)}s] ${L.tps}: ${Math.round(i.tps)}`,
    `Max ${L.rt}(ms): ${ms(i.latency.max)}`,
    `Average ${L.rt}(ms): ${i.latency.mean.toFixed(3)}`,
    `${L.failed}: ${i.failed}`,
    `${percentiles(i.latency)} (ms)`,
  ];
  if (rss) parts.push(`Broker RSS: ${rss.rssMiB.toFixed(0)} MiB`);
  return parts.join(" | ");
}

/** The live line: messages so far, current rate, errors. */
export function formatProgress(mode: BenchMode, total: Interval, rate: number): string {
  return `${mode}: ${total.ok} msgs | ${Math.round(rate)} msg/s | ${total.failed} errors | ${
    total.at.toFixed(0)
  }s`;
}

export interface Summary {
  mode: BenchMode;
  topic: string;
  settings: Record<string, string | number | boolean | undefined>;
  total: Interval;
  /** Peak RSS of the watched process (MiB) as the kernel saw it, and the largest sampled RSS. */
  brokerPeakRssMiB?: number;
  brokerMaxSampledRssMiB?: number;
  brokerEndRssMiB?: number;
  firstError?: string;
}

export function formatSummary(s: Summary): string {
  const t = s.total;
  const L = LABELS[s.mode];
  const lines = [
    `${s.mode} summary: ${t.ok} messages in ${t.seconds.toFixed(2)} s (${
      Math.round(t.tps)
    } msg/s, ${(t.bytes / t.seconds / 1048576).toFixed(1)} MiB/s), ${t.failed} failed`,
    `${L.rt}(ms): Average ${t.latency.mean.toFixed(3)} | ${percentiles(t.latency)} | Max ${
      ms(t.latency.max)
    }`,
    `settings: ${
      Object.entries(s.settings).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)
        .join(" ")
    }`,
  ];
  if (s.brokerPeakRssMiB !== undefined) {
    lines.push(
      `broker RSS(MiB): peak ${s.brokerPeakRssMiB.toFixed(1)} | largest sampled ${
        s.brokerMaxSampledRssMiB?.toFixed(1)
      } | at end ${s.brokerEndRssMiB?.toFixed(1)}`,
    );
  }
  if (s.firstError) lines.push(`first error: ${s.firstError}`);
  return lines.join("\n");
}

export function summaryJson(s: Summary): string {
  const t = s.total;
  return JSON.stringify({
    mode: s.mode,
    topic: s.topic,
    ...s.settings,
    messages: t.ok,
    failed: t.failed,
    seconds: Number(t.seconds.toFixed(3)),
    tps: Math.round(t.tps),
    mibPerSecond: Number((t.bytes / t.seconds / 1048576).toFixed(2)),
    latencyMs: {
      mean: round3(t.latency.mean),
      p50: round3(t.latency.p50),
      p90: round3(t.latency.p90),
      p99: round3(t.latency.p99),
      p999: round3(t.latency.p999),
      max: round3(t.latency.max),
    },
    brokerPeakRssMiB: s.brokerPeakRssMiB,
    brokerEndRssMiB: s.brokerEndRssMiB,
    firstError: s.firstError,
  });
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
