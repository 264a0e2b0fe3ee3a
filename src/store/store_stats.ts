/**
 * The store's counters (RocketMQ's StoreStatsService, the part 4.x admin tools read): puts,
 * bytes, failures, reads found and missed, messages handed out, put latency, and per-second
 * rates over the last 10 s, 1 min and 10 min from one sample a second (601 kept).
 */
import type { StoreStats, Tps } from "./store_types.ts";

/** Samples kept: one a second for the longest window (10 min), plus the one it starts at. */
const SAMPLES = 601;
/** The windows Java reports rates over, seconds. */
export const TPS_WINDOWS = [10, 60, 600] as const;
/** Put-latency buckets (PUT_MESSAGE_ENTIRE_TIME_MAX_DESC) and their upper bounds in ms. */
const LATENCY_BUCKETS = [
  "[<=0ms]",
  "[0~10ms]",
  "[10~50ms]",
  "[50~100ms]",
  "[100~200ms]",
  "[200~500ms]",
  "[500ms~1s]",
  "[1~2s]",
  "[2~3s]",
  "[3~4s]",
  "[4~5s]",
  "[5~10s]",
  "[10s~]",
] as const;
const LATENCY_BOUNDS = [0, 10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 10_000];
/** The latency distribution covers the last minute, as Java's (reset when it prints TPS). */
const DISTRIBUTION_RESET_MS = 60_000;

interface Sample {
  at: number;
  put: number;
  getFound: number;
  getMiss: number;
  transferred: number;
}

export class StoreCounters {
  #putTimes = 0;
  #putBytes = 0;
  #putFailed = 0;
  #getFound = 0;
  #getMiss = 0;
  #getTransferred = 0;
  #putTimeMax = 0;
  #getTimeMax = 0;
  #distribution = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  #distributionSince = Date.now();
  readonly #samples: Sample[] = [];

  /** `count` messages of `bytes` in all were appended. */
  put(count: number, bytes: number): void {
    this.#putTimes += count;
    this.#putBytes += bytes;
  }

  putFailed(): void {
    this.#putFailed++;
  }

  /** A put took `ms` from the store's first look to its answer. */
  putLatency(ms: number): void {
    if (ms > this.#putTimeMax) this.#putTimeMax = ms;
    let i = LATENCY_BOUNDS.findIndex((bound, j) => j === 0 ? ms <= 0 : ms < bound);
    if (i < 0) i = LATENCY_BUCKETS.length - 1;
    this.#distribution[i]++;
  }

  /** A read from a queue: whether it found messages, how many it handed out, how long it took. */
  gotMessages(found: boolean, count: number, ms = 0): void {
    if (found) this.#getFound++;
    else this.#getMiss++;
    this.#getTransferred += count;
    if (ms > this.#getTimeMax) this.#getTimeMax = ms;
  }

  /** Takes the once-a-second sample the rates come from. */
  sample(now: number): void {
    const s = this.#samples;
    s.push({
      at: now,
      put: this.#putTimes,
      getFound: this.#getFound,
      getMiss: this.#getMiss,
      transferred: this.#getTransferred,
    });
    if (s.length > SAMPLES) s.shift();
    if (now - this.#distributionSince >= DISTRIBUTION_RESET_MS) {
      this.#distribution = new Array<number>(LATENCY_BUCKETS.length).fill(0);
      this.#distributionSince = now;
    }
  }

  /** Rates over each window; undefined for a window the samples do not span yet (Java: ""). */
  #tps(field: (s: Sample) => number): Tps {
    const s = this.#samples;
    const last = s[s.length - 1];
    return TPS_WINDOWS.map((seconds) => {
      if (!last || s.length <= seconds) return undefined;
      const first = s[s.length - 1 - seconds];
      const span = (last.at - first.at) / 1000;
      return span > 0 ? (field(last) - field(first)) / span : 0;
    }) as unknown as Tps;
  }

  /** The figures as admin tools see them; `commitLogSyncTimes` comes from the commit log. */
  snapshot(commitLogSyncTimes: number): StoreStats {
    const getTotal = this.#tps((s) => s.getFound + s.getMiss);
    return {
      putMessageTimesTotal: this.#putTimes,
      putMessageSizeTotal: this.#putBytes,
      putMessageFailedTimes: this.#putFailed,
      getMessageTimesTotalFound: this.#getFound,
      getMessageTimesTotalMiss: this.#getMiss,
      getMessageTransferedMsgCount: this.#getTransferred,
      commitLogSyncTimes,
      putMessageEntireTimeMax: this.#putTimeMax,
      getMessageEntireTimeMax: this.#getTimeMax,
      putMessageDistributeTime: LATENCY_BUCKETS.map((b, i) => `${b}:${this.#distribution[i]}`)
        .join(" ") + " ",
      putTps: this.#tps((s) => s.put),
      getFoundTps: this.#tps((s) => s.getFound),
      getMissTps: this.#tps((s) => s.getMiss),
      getTotalTps: getTotal,
      getTransferedTps: this.#tps((s) => s.transferred),
    };
  }
}
