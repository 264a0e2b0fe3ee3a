/**
 * Dispatch: from the commit log to the consume queues and the key index, in commit-log order,
 * right after each writer pass has handed the records to the OS. Queue entries and index
 * entries of a pass are written before control returns to the event loop, so a reader never
 * sees an entry whose record is not written; listeners (long polling) hear of each queue that
 * grew once per pass.
 *
 * Everything a dispatch needs is derivable from the record alone (recovery rebuilds queues
 * from the commit log): the tags code is the Java hash code of TAGS, except on
 * SCHEDULE_TOPIC_XXXX where it is the delivery time (delay_levels.ts).
 */
import { errorMessage } from "../common/errors.ts";
import { javaStringHashCode } from "../common/java_hash.ts";
import { logger } from "../common/log.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty } from "../common/message/properties.ts";
import { MessageSysFlag, transactionType } from "../common/message/sys_flag.ts";
import type { ConsumeQueue } from "./consume_queue.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import { deliverTimestampOf, SCHEDULE_TOPIC } from "./delay_levels.ts";
import type { IndexService } from "./index_service.ts";

const log = logger("store");

/** The pending list is compacted once this many leading slots are spent. */
const COMPACT_AFTER = 4096;

export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  msgSize: number;
  tagsCode: number;
  storeTimestamp: number;
  consumeQueueOffset: number;
  sysFlag: number;
  /** Raw property string (keys for the index). */
  properties: string;
  /** The queue, when the put already looked it up. */
  cq?: ConsumeQueue;
}

export type QueueGrowListener = (topic: string, queueId: number, maxOffset: number) => void;

/**
 * The consume-queue tags code of a record: Java hashCode of TAGS (0 without tags), or on
 * SCHEDULE_TOPIC_XXXX the delivery time for its DELAY level (`delayLevels[level - 1]` ms).
 */
export function tagsCodeOf(
  topic: string,
  properties: string,
  storeTimestamp: number,
  delayLevels: readonly number[],
): number {
  if (topic === SCHEDULE_TOPIC) {
    const due = deliverTimestampOf(properties, storeTimestamp, delayLevels);
    if (due !== undefined) return due;
  }
  const tags = getProperty(properties, MessageConst.TAGS);
  return tags ? javaStringHashCode(tags) : 0;
}

/** PREPARED and ROLLBACK records stay out of the consume queues (and take queue offset 0). */
export function isQueueDispatched(sysFlag: number): boolean {
  const t = transactionType(sysFlag);
  return t === MessageSysFlag.TRANSACTION_NOT_TYPE || t === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
}

export class Dispatcher {
  readonly #queues: ConsumeQueueTable;
  readonly #index: IndexService | undefined;
  #pending: DispatchRequest[] = [];
  #head = 0;
  readonly #touched = new Set<ConsumeQueue>();
  readonly #listeners = new Set<QueueGrowListener>();
  /** End of the last dispatched record. */
  dispatchedOffset = 0;
  /** Store time of the last dispatched record (the checkpoint's logics timestamp). */
  lastTimestamp = 0;

  constructor(queues: ConsumeQueueTable, index: IndexService | undefined) {
    this.#queues = queues;
    this.#index = index;
  }

  enqueue(req: DispatchRequest): void {
    this.#pending.push(req);
  }

  get pendingCount(): number {
    return this.#pending.length - this.#head;
  }

  /** Dispatches every queued record that ends at or below `end`, then writes the entries. */
  dispatchUpTo(end: number): void {
    const q = this.#pending;
    while (this.#head < q.length) {
      const req = q[this.#head];
      if (req.commitLogOffset + req.msgSize > end) break;
      q[this.#head++] = undefined as unknown as DispatchRequest;
      this.apply(req, false);
    }
    if (this.#head === q.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER) {
      this.#pending = q.slice(this.#head);
      this.#head = 0;
    }
    this.finishPass();
  }

  /** Applies one record to its queue and the index; `overwrite` when recovery replays. */
  apply(req: DispatchRequest, overwrite: boolean): void {
    if (isQueueDispatched(req.sysFlag)) {
      const cq = req.cq ?? this.#queues.getOrCreate(req.topic, req.queueId);
      cq.put(req.consumeQueueOffset, req.commitLogOffset, req.msgSize, req.tagsCode, overwrite);
      this.#touched.add(cq);
    }
    this.#index?.buildIndex(req);
    this.dispatchedOffset = req.commitLogOffset + req.msgSize;
    this.lastTimestamp = req.storeTimestamp;
  }

  /** Writes the entries of this pass and tells listeners which queues grew. */
  finishPass(): void {
    if (this.#touched.size === 0) {
      this.#index?.writePending();
      return;
    }
    const now = Date.now();
    for (const cq of this.#touched) {
      cq.writePending();
      cq.lastPutAt = now;
    }
    this.#index?.writePending();
    if (this.#listeners.size > 0) {
      for (const cq of this.#touched) {
        for (const l of this.#listeners) {
          try {
            l(cq.topic, cq.queueId, cq.maxOffset);
          } catch (e) {
            log.error("Queue listener failed: {error}", { error: errorMessage(e) });
          }
        }
      }
    }
    this.#touched.clear();
  }

  /** Registers a listener for queue growth; returns its removal. */
  onQueueGrow(listener: QueueGrowListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
