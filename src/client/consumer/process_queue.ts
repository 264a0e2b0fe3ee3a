/**
 * The messages a push consumer holds for one queue (Java's ProcessQueue): pulled but not yet
 * consumed, in queue-offset order. Two views of them:
 *
 * - the cache, every message not finished yet: what flow control counts and what decides the
 *   offset to commit — the lowest unfinished offset, or one past the highest pulled when all
 *   are finished, so a crash never skips a message (at-least-once);
 * - the work list, messages waiting for the listener, handed out in order one batch at a time.
 *   A message whose delivery failed and could not be sent back joins the work list again
 *   (it stays in the cache meanwhile, holding the committed offset back).
 */
import type { ReceivedMessage } from "../message_ext.ts";

/** Cached arrays are compacted once this many leading slots are spent. */
const COMPACT_AFTER = 1024;

export class ProcessQueue {
  /** Set when the queue is no longer this consumer's: pulls stop, offsets are not updated. */
  dropped = false;
  /** A batch is with the listener. */
  consuming = false;
  lastPullTimestamp = Date.now();
  lastConsumeTimestamp = Date.now();
  /** Messages behind the newest pulled one (broker max offset − last offset), for stats. */
  msgAccCnt = 0;
  /** The queue's pull loop, parked by flow control until consumption makes room. */
  waitingPull: (() => void) | undefined;

  #msgs: ReceivedMessage[] = [];
  #done: boolean[] = [];
  #head = 0;
  #count = 0;
  #size = 0;
  /** Highest offset ever put (queueOffsetMax). */
  #maxOffset = -1;
  #work: ReceivedMessage[] = [];
  #workHead = 0;

  /** Unfinished messages. */
  get msgCount(): number {
    return this.#count;
  }

  /** Body bytes of unfinished messages (as stored, i.e. compressed). */
  get msgSize(): number {
    return this.#size;
  }

  /** Messages waiting for the listener. */
  get workCount(): number {
    return this.#work.length - this.#workHead;
  }

  /** Offsets between the lowest unfinished and the highest pulled message (0 when none). */
  get maxSpan(): number {
    if (this.#count === 0) return 0;
    return this.#msgs[this.#msgs.length - 1].queueOffset - this.#msgs[this.#head].queueOffset;
  }

  /** The highest offset pulled, -1 before the first message. */
  get maxOffset(): number {
    return this.#maxOffset;
  }

  /**
   * Adds pulled messages (ascending offsets, after everything held) to the cache and the work
   * list; messages at or below an offset already held are ignored.
   */
  putMessages(msgs: readonly ReceivedMessage[]): void {
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i];
      if (m.queueOffset <= this.#maxOffset) continue;
      this.#maxOffset = m.queueOffset;
      this.#msgs.push(m);
      this.#done.push(false);
      this.#work.push(m);
      this.#count++;
      this.#size += m.storeSize;
    }
    if (msgs.length > 0) {
      this.msgAccCnt = Math.max(0, msgs[msgs.length - 1].maxOffset - this.#maxOffset - 1);
    }
  }

  /** The next batch for the listener (at most `max` messages), or undefined when none wait. */
  takeBatch(max: number): ReceivedMessage[] | undefined {
    const n = Math.min(max, this.#work.length - this.#workHead);
    if (n <= 0) return undefined;
    const batch = this.#work.slice(this.#workHead, this.#workHead + n);
    this.#workHead += n;
    if (this.#workHead === this.#work.length) {
      this.#work.length = 0;
      this.#workHead = 0;
    } else if (this.#workHead >= COMPACT_AFTER && this.#workHead * 2 > this.#work.length) {
      this.#work = this.#work.slice(this.#workHead);
      this.#workHead = 0;
    }
    return batch;
  }

  /** Puts messages back on the work list (a redelivery). */
  requeue(msgs: readonly ReceivedMessage[]): void {
    for (const m of msgs) this.#work.push(m);
  }

  /**
   * Marks messages finished and returns the offset now safe to commit: the lowest unfinished
   * offset, or one past the highest pulled when none is left; -1 when nothing was ever pulled.
   */
  removeMessages(msgs: readonly ReceivedMessage[]): number {
    if (this.#maxOffset < 0) return -1;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i];
      const at = this.#indexOf(m.queueOffset);
      if (at < 0 || this.#done[at]) continue;
      this.#done[at] = true;
      this.#count--;
      this.#size -= m.storeSize;
    }
    while (this.#head < this.#msgs.length && this.#done[this.#head]) this.#head++;
    if (this.#head === this.#msgs.length) {
      this.#msgs.length = 0;
      this.#done.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 > this.#msgs.length) {
      this.#msgs = this.#msgs.slice(this.#head);
      this.#done = this.#done.slice(this.#head);
      this.#head = 0;
    }
    return this.commitOffset;
  }

  /** The offset a commit may store now (see removeMessages). */
  get commitOffset(): number {
    if (this.#maxOffset < 0) return -1;
    return this.#head < this.#msgs.length
      ? this.#msgs[this.#head].queueOffset
      : this.#maxOffset + 1;
  }

  /** Lowest unfinished offset, -1 when none. */
  get minUnfinishedOffset(): number {
    return this.#head < this.#msgs.length ? this.#msgs[this.#head].queueOffset : -1;
  }

  /** Forgets every message (the queue is being reset or given up). */
  clear(): void {
    this.#msgs = [];
    this.#done = [];
    this.#head = 0;
    this.#work = [];
    this.#workHead = 0;
    this.#count = 0;
    this.#size = 0;
  }

  /** Index of the cached message with this offset (binary search from the head), or -1. */
  #indexOf(offset: number): number {
    const a = this.#msgs;
    let lo = this.#head;
    let hi = a.length - 1;
    // In-order consumption finishes the head first: check it before searching.
    if (lo <= hi && a[lo].queueOffset === offset) return lo;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const o = a[mid].queueOffset;
      if (o === offset) return mid;
      if (o < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
