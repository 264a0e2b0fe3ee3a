/**
 * The store's counters (RocketMQ's StoreStatsService, the part 4.x admin tools read): puts,
 * bytes, failures, reads found and missed, messages handed out, and per-second rates over the
 * last 10 s from one sample a second.
 */
import type { StoreStats } from "./store_types.ts";

/** Samples kept for the rates: one a second over this many seconds. */
const STATS_WINDOW_SECONDS = 10;

interface Sample {
  at: number;
  put: number;
  get: number;
}

export class StoreCounters {
  #putTimes = 0;
  #putBytes = 0;
  #putFailed = 0;
  #getFound = 0;
  #getMiss = 0;
  #getTransferred = 0;
  readonly #samples: Sample[] = [];

  /** `count` messages of `bytes` in all were appended. */
  put(count: number, bytes: number): void {
    this.#putTimes += count;
    this.#putBytes += bytes;
  }

  putFailed(): void {
    this.#putFailed++;
  }

  /** A read from a queue: whether it found messages, and how many it handed out. */
  gotMessages(found: boolean, count: number): void {
    if (found) this.#getFound++;
    else this.#getMiss++;
    this.#getTransferred += count;
  }

  /** Takes the once-a-second sample the rates come from. */
  sample(now: number): void {
    const s = this.#samples;
    s.push({ at: now, put: this.#putTimes, get: this.#getTransferred });
    if (s.length > STATS_WINDOW_SECONDS + 1) s.shift();
  }

  /** The figures as admin tools see them; `commitLogSyncTimes` comes from the commit log. */
  snapshot(commitLogSyncTimes: number): StoreStats {
    const s = this.#samples;
    const first = s[0];
    const last = s[s.length - 1];
    const span = first && last && last.at > first.at ? (last.at - first.at) / 1000 : 0;
    return {
      putMessageTimesTotal: this.#putTimes,
      putMessageSizeTotal: this.#putBytes,
      putMessageFailedTimes: this.#putFailed,
      getMessageTimesTotalFound: this.#getFound,
      getMessageTimesTotalMiss: this.#getMiss,
      getMessageTransferedMsgCount: this.#getTransferred,
      commitLogSyncTimes,
      putTps: span > 0 ? (last.put - first.put) / span : 0,
      getTransferedTps: span > 0 ? (last.get - first.get) / span : 0,
    };
  }
}
