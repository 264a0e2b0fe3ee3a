import { build, type Histogram } from "hdr-histogram-js";

/** Latency percentiles and extremes in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Latencies recorded in microseconds in an HdrHistogram (3 significant digits), read back in
 * milliseconds. One per reporting interval plus one for the whole run.
 */
export class LatencyHistogram {
  readonly #h: Histogram;

  constructor() {
    this.#h = build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
    });
  }

  /** Records one latency given in milliseconds (fractions kept to the microsecond). */
  recordMs(ms: number): void {
    this.#h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.#h.totalCount;
  }

  summary(): LatencySummary {
    const h = this.#h;
    const ms = (us: number) => us / 1000;
    return {
      count: h.totalCount,
      mean: h.totalCount > 0 ? ms(h.mean) : 0,
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
    };
  }

  reset(): void {
    this.#h.reset();
  }
}
