/**
 * The broker's statistics by name and key (RocketMQ's BrokerStatsManager and StatsItem): put
 * counts and sizes per topic, get counts and sizes per `topic@group`, totals per cluster, each
 * sampled every 10 s, 10 min and 1 h so VIEW_BROKER_STATS_DATA can say what happened in the
 * last minute, hour and day (`mqadmin statsAll`), and GET_BROKER_CONSUME_STATS each group's
 * consume rate. Also the store's totals at the last two midnights (msgPutTotalTodayMorning …).
 */
import type { BrokerStatsData, BrokerStatsItem } from "../remoting/body/broker_stats_data.ts";

export const StatsName = {
  TOPIC_PUT_NUMS: "TOPIC_PUT_NUMS",
  TOPIC_PUT_SIZE: "TOPIC_PUT_SIZE",
  GROUP_GET_NUMS: "GROUP_GET_NUMS",
  GROUP_GET_SIZE: "GROUP_GET_SIZE",
  SNDBCK_PUT_NUMS: "SNDBCK_PUT_NUMS",
  BROKER_PUT_NUMS: "BROKER_PUT_NUMS",
  BROKER_GET_NUMS: "BROKER_GET_NUMS",
} as const;
export type StatsName = (typeof StatsName)[keyof typeof StatsName];

interface Snap {
  at: number;
  times: number;
  value: number;
}

/** Sampling periods and how many samples each window keeps (StatsItem). */
const MINUTE = { everyMs: 10_000, keep: 7 };
const HOUR = { everyMs: 600_000, keep: 7 };
const DAY = { everyMs: 3_600_000, keep: 25 };

class StatsItem {
  value = 0;
  times = 0;
  readonly minute: Snap[] = [];
  readonly hour: Snap[] = [];
  readonly day: Snap[] = [];

  static sample(list: Snap[], item: StatsItem, w: { everyMs: number; keep: number }, now: number) {
    // The first sample pretends a zero one period earlier, as Java's does.
    if (list.length === 0) list.push({ at: now - w.everyMs, times: 0, value: 0 });
    list.push({ at: now, times: item.times, value: item.value });
    if (list.length > w.keep) list.shift();
  }
}

function snapshotOf(list: readonly Snap[]): BrokerStatsItem {
  if (list.length === 0) return { sum: 0, tps: 0, avgpt: 0 };
  const first = list[0];
  const last = list[list.length - 1];
  const sum = last.value - first.value;
  const span = last.at - first.at;
  const times = last.times - first.times;
  return { sum, tps: span > 0 ? (sum * 1000) / span : 0, avgpt: times > 0 ? sum / times : 0 };
}

/** Hears of stored messages: their topic, count and total bytes. */
export type PutObserver = (topic: string, messages: number, bytes: number) => void;

/** The store's put and get totals at the last two midnights (BrokerStats). */
export interface MorningTotals {
  msgPutTotalYesterdayMorning: number;
  msgPutTotalTodayMorning: number;
  msgGetTotalYesterdayMorning: number;
  msgGetTotalTodayMorning: number;
}

export class BrokerStatsManager {
  readonly #sets = new Map<StatsName, Map<string, StatsItem>>();
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  readonly #totals: () => { put: number; get: number };
  readonly #onPut: PutObserver | undefined;
  readonly morning: MorningTotals = {
    msgPutTotalYesterdayMorning: 0,
    msgPutTotalTodayMorning: 0,
    msgGetTotalYesterdayMorning: 0,
    msgGetTotalTodayMorning: 0,
  };

  /**
   * `totals` reads the store's put and get totals (recorded every midnight); `onPut` hears of
   * every stored batch (the metrics' message-size histogram, when metrics are on).
   */
  constructor(totals: () => { put: number; get: number }, onPut?: PutObserver) {
    this.#totals = totals;
    this.#onPut = onPut;
  }

  /** One send's messages stored: counted by topic and broker, and told to the observer. */
  stored(topic: string, clusterName: string, messages: number, bytes: number): void {
    this.inc(StatsName.TOPIC_PUT_NUMS, topic, messages);
    this.inc(StatsName.TOPIC_PUT_SIZE, topic, bytes);
    this.inc(StatsName.BROKER_PUT_NUMS, clusterName, messages);
    this.#onPut?.(topic, messages, bytes);
  }

  /** Adds `value` (messages or bytes) in `times` calls to one item. */
  inc(name: StatsName, key: string, value: number, times = 1): void {
    let set = this.#sets.get(name);
    if (!set) this.#sets.set(name, set = new Map());
    let item = set.get(key);
    if (!item) set.set(key, item = new StatsItem());
    item.value += value;
    item.times += times;
  }

  /** The item's last minute, hour and day; undefined when it never counted anything. */
  data(name: string, key: string): BrokerStatsData | undefined {
    const item = this.#sets.get(name as StatsName)?.get(key);
    if (!item) return undefined;
    return {
      statsMinute: snapshotOf(item.minute),
      statsHour: snapshotOf(item.hour),
      statsDay: snapshotOf(item.day),
    };
  }

  /** Every item's running total (messages or bytes since start), by key. */
  *totals(name: StatsName): IterableIterator<[string, number]> {
    for (const [key, item] of this.#sets.get(name) ?? []) yield [key, item.value];
  }

  /** Per second over the last minute's samples (0 before the first two). */
  minuteTps(name: StatsName, key: string): number {
    return this.data(name, key)?.statsMinute.tps ?? 0;
  }

  /** Messages per second `group` got from `topic` over the last minute (tpsGroupGetNums). */
  groupGetTps(group: string, topic: string): number {
    return this.data(StatsName.GROUP_GET_NUMS, `${topic}@${group}`)?.statsMinute.tps ?? 0;
  }

  /** Samples every item at each period, as Java's StatsItemSet does from start. */
  sampleAll(window: "minute" | "hour" | "day", now = Date.now()): void {
    const w = window === "minute" ? MINUTE : window === "hour" ? HOUR : DAY;
    for (const set of this.#sets.values()) {
      for (const item of set.values()) StatsItem.sample(item[window], item, w, now);
    }
  }

  /** Takes the store's totals as this morning's (at midnight); yesterday's move back. */
  recordMorning(): void {
    const t = this.#totals();
    const m = this.morning;
    m.msgPutTotalYesterdayMorning = m.msgPutTotalTodayMorning;
    m.msgGetTotalYesterdayMorning = m.msgGetTotalTodayMorning;
    m.msgPutTotalTodayMorning = t.put;
    m.msgGetTotalTodayMorning = t.get;
  }

  start(): void {
    const every = (ms: number, f: () => void) => {
      const t = setInterval(f, ms);
      Deno.unrefTimer(t);
      this.#timers.push(t);
    };
    every(MINUTE.everyMs, () => this.sampleAll("minute"));
    every(HOUR.everyMs, () => this.sampleAll("hour"));
    every(DAY.everyMs, () => this.sampleAll("day"));
    const midnight = () => {
      const next = new Date();
      next.setHours(24, 0, 0, 0);
      const t = setTimeout(() => {
        this.recordMorning();
        midnight();
      }, next.getTime() - Date.now());
      Deno.unrefTimer(t);
      this.#timers.push(t);
    };
    midnight();
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.length = 0;
  }
}
