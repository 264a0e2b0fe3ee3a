import { LatencyHistogram, type LatencySummary } from "./histogram.ts";

/** One reporting interval (or the whole run) of a benchmark. */
export interface Interval {
  /** Seconds since the run started, at the end of the interval. */
  at: number;
  seconds: number;
  ok: number;
  failed: number;
  bytes: number;
  tps: number;
  latency: LatencySummary;
}

/**
 * Counts outcomes and latencies for a benchmark run: per reporting interval and in total.
 * Latencies go to two HdrHistograms (interval, total); nothing is kept per message.
 */
export class Recorder {
  readonly start = performance.now();
  ok = 0;
  failed = 0;
  bytes = 0;
  #intervalStart = this.start;
  #intervalOk = 0;
  #intervalFailed = 0;
  #intervalBytes = 0;
  readonly #interval = new LatencyHistogram();
  readonly #total = new LatencyHistogram();
  /** The first failure's message, for the summary. */
  firstError: string | undefined;

  success(latencyMs: number | undefined, bytes = 0, count = 1): void {
    this.ok += count;
    this.#intervalOk += count;
    this.bytes += bytes;
    this.#intervalBytes += bytes;
    if (latencyMs !== undefined) {
      this.#interval.recordMs(latencyMs);
      this.#total.recordMs(latencyMs);
    }
  }

  failure(error: unknown, count = 1): void {
    this.failed += count;
    this.#intervalFailed += count;
    this.firstError ??= error instanceof Error ? error.message : String(error);
  }

  /** Closes the current interval and starts the next. */
  takeInterval(): Interval {
    const now = performance.now();
    const seconds = (now - this.#intervalStart) / 1000;
    const out: Interval = {
      at: (now - this.start) / 1000,
      seconds,
      ok: this.#intervalOk,
      failed: this.#intervalFailed,
      bytes: this.#intervalBytes,
      tps: seconds > 0 ? this.#intervalOk / seconds : 0,
      latency: this.#interval.summary(),
    };
    this.#intervalStart = now;
    this.#intervalOk = this.#intervalFailed = this.#intervalBytes = 0;
    this.#interval.reset();
    return out;
  }

  /** The whole run so far. */
  total(): Interval {
    const seconds = (performance.now() - this.start) / 1000;
    return {
      at: seconds,
      seconds,
      ok: this.ok,
      failed: this.failed,
      bytes: this.bytes,
      tps: seconds > 0 ? this.ok / seconds : 0,
      latency: this.#total.summary(),
    };
  }
}
