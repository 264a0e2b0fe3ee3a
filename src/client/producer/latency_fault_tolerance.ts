/**
 * Steering sends away from slow or failing brokers (Java's MQFaultStrategy and
 * LatencyFaultToleranceImpl). Always on: a retry avoids the broker that just failed. With
 * `sendLatencyFaultEnable`, every send also records the broker's latency, and a broker that
 * failed or answered slowly is skipped for a while (Java's tables: a failure counts as 30 s of
 * latency, so it is skipped for 10 minutes unless it is the only one left).
 */
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import type { TopicPublishInfo } from "./topic_publish_info.ts";

/** Latency thresholds, ms, and how long a broker at or over each is skipped, ms (Java's). */
export const LATENCY_MAX = [50, 100, 550, 1000, 2000, 3000, 15000] as const;
export const NOT_AVAILABLE_DURATION = [0, 0, 30000, 60000, 120000, 180000, 600000] as const;
/** The latency a failed call counts as (Java: isolation → 30 s). */
export const ISOLATION_LATENCY_MS = 30_000;

interface FaultItem {
  currentLatency: number;
  /** The broker is available again from this time (ms). */
  startTimestamp: number;
}

/** Per-broker "not before" times (LatencyFaultToleranceImpl). */
export class LatencyFaultTolerance {
  readonly #items = new Map<string, FaultItem>();

  updateFaultItem(
    name: string,
    currentLatency: number,
    notAvailableDuration: number,
    now = Date.now(),
  ) {
    const item = this.#items.get(name);
    if (item) {
      item.currentLatency = currentLatency;
      item.startTimestamp = now + notAvailableDuration;
    } else {
      this.#items.set(name, { currentLatency, startTimestamp: now + notAvailableDuration });
    }
  }

  isAvailable(name: string, now = Date.now()): boolean {
    const item = this.#items.get(name);
    return item === undefined || now >= item.startTimestamp;
  }

  remove(name: string): void {
    this.#items.delete(name);
  }

  /** Of the brokers on record, the one available soonest (then the lowest latency). */
  pickOneAtLeast(): string | undefined {
    let best: [string, FaultItem] | undefined;
    for (const entry of this.#items) {
      const [, item] = entry;
      if (
        !best || item.startTimestamp < best[1].startTimestamp ||
        (item.startTimestamp === best[1].startTimestamp &&
          item.currentLatency < best[1].currentLatency)
      ) best = entry;
    }
    return best?.[0];
  }
}

/** Queue selection for sends: round robin, avoiding the broker that just failed. */
export class MQFaultStrategy {
  readonly latencyFaultTolerance = new LatencyFaultTolerance();
  sendLatencyFaultEnable: boolean;

  constructor(sendLatencyFaultEnable = false) {
    this.sendLatencyFaultEnable = sendLatencyFaultEnable;
  }

  /**
   * The queue for the next attempt. `lastBrokerName` is the broker the previous attempt of the
   * same send went to (and failed on); it is avoided while another broker has queues.
   */
  selectOneMessageQueue(
    info: TopicPublishInfo,
    lastBrokerName?: string,
    now = Date.now(),
  ): MessageQueue | undefined {
    if (!this.sendLatencyFaultEnable) return info.selectOneMessageQueue(lastBrokerName);
    const list = info.messageQueueList;
    const n = list.length;
    if (n === 0) return undefined;
    const lft = this.latencyFaultTolerance;
    let fallback: MessageQueue | undefined;
    for (let i = 0; i < n; i++) {
      const mq = list[info.nextIndex() % n];
      if (!lft.isAvailable(mq.brokerName, now)) continue;
      if (mq.brokerName !== lastBrokerName) return mq;
      fallback ??= mq;
    }
    if (fallback) return fallback;
    // Every broker is marked unavailable: take the one that recovers soonest, if it still
    // has queues in this route.
    const notBest = lft.pickOneAtLeast();
    if (notBest !== undefined) {
      const queues = list.filter((mq) => mq.brokerName === notBest);
      if (queues.length > 0) return queues[info.nextIndex() % queues.length];
      lft.remove(notBest);
    }
    return info.selectOneMessageQueue(lastBrokerName);
  }

  /**
   * Records how a call to `brokerName` went: its latency, or `isolation` for a failure. A
   * no-op unless sendLatencyFaultEnable is on.
   */
  updateFaultItem(
    brokerName: string,
    currentLatency: number,
    isolation: boolean,
    now = Date.now(),
  ) {
    if (!this.sendLatencyFaultEnable) return;
    const duration = computeNotAvailableDuration(
      isolation ? ISOLATION_LATENCY_MS : currentLatency,
    );
    this.latencyFaultTolerance.updateFaultItem(brokerName, currentLatency, duration, now);
  }
}

/** How long a broker with this latency is skipped (the largest threshold it reaches). */
export function computeNotAvailableDuration(currentLatency: number): number {
  for (let i = LATENCY_MAX.length - 1; i >= 0; i--) {
    if (currentLatency >= LATENCY_MAX[i]) return NOT_AVAILABLE_DURATION[i];
  }
  return 0;
}
