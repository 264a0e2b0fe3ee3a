/**
 * Queue locks for orderly consumers (RebalanceLockManager, REMOTING.md §3.5): within a group a
 * queue is held by one client id at a time; a lock lives 60 s unless renewed by another
 * LOCK_BATCH_MQ (Java clients renew every 20 s), and an expired lock goes to whoever asks next.
 */
import { type MessageQueue, messageQueueKey } from "../remoting/body/message_queue.ts";

/** rocketmq.broker.rebalance.lockMaxLiveTime. */
export const REBALANCE_LOCK_MAX_LIVE_TIME = 60_000;

interface LockEntry {
  clientId: string;
  lastUpdateTimestamp: number;
}

export class RebalanceLockManager {
  readonly #groups = new Map<string, Map<string, LockEntry>>();
  readonly #maxLiveMs: number;

  constructor(maxLiveMs = REBALANCE_LOCK_MAX_LIVE_TIME) {
    this.#maxLiveMs = maxLiveMs;
  }

  /** Locks what it can for `clientId`; returns the queues the client holds now. */
  tryLockBatch(
    group: string,
    mqs: readonly MessageQueue[],
    clientId: string,
    now = Date.now(),
  ): MessageQueue[] {
    let locks = this.#groups.get(group);
    if (!locks) {
      locks = new Map();
      this.#groups.set(group, locks);
    }
    const out: MessageQueue[] = [];
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      const e = locks.get(key);
      if (!e || e.clientId === clientId || now - e.lastUpdateTimestamp > this.#maxLiveMs) {
        locks.set(key, { clientId, lastUpdateTimestamp: now });
        out.push(mq);
      }
    }
    return out;
  }

  /** Releases the queues `clientId` holds among `mqs`. */
  unlockBatch(group: string, mqs: readonly MessageQueue[], clientId: string): void {
    const locks = this.#groups.get(group);
    if (!locks) return;
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      if (locks.get(key)?.clientId === clientId) locks.delete(key);
    }
    if (locks.size === 0) this.#groups.delete(group);
  }

  /** Whether `clientId` holds the queue's lock now. */
  isLocked(group: string, mq: MessageQueue, clientId: string, now = Date.now()): boolean {
    const e = this.#groups.get(group)?.get(messageQueueKey(mq));
    return e !== undefined && e.clientId === clientId &&
      now - e.lastUpdateTimestamp <= this.#maxLiveMs;
  }
}
