/**
 * The vocabulary consumers share: message model, start position, the listener and what it
 * returns, and option checks.
 */
import {
  ConsumeFromWhere as WireConsumeFromWhere,
  MessageModel as WireMessageModel,
} from "../../remoting/body/heartbeat_data.ts";
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import type { MessageExt } from "../message_ext.ts";

/**
 * How a group reads a topic: CLUSTERING splits the queues among the group's consumers, each
 * message going to one of them, offsets kept on the brokers; BROADCASTING gives every consumer
 * every message, each keeping its offsets in a local file.
 *
 * @example
 * ```ts
 * const c = new PushConsumer({
 *   namesrvAddr: "127.0.0.1:9876",
 *   consumerGroup: "cache_invalidation",
 *   messageModel: MessageModel.BROADCASTING,
 * });
 * ```
 */
export const MessageModel: {
  readonly BROADCASTING: "BROADCASTING";
  readonly CLUSTERING: "CLUSTERING";
} = WireMessageModel;

/** `CLUSTERING` or `BROADCASTING`. */
export type MessageModel = (typeof MessageModel)[keyof typeof MessageModel];

/**
 * Where a group starts in a queue it has no committed offset for (REMOTING.md §8.7):
 * LAST_OFFSET only new messages (but a brand-new topic whose first message is still in the
 * broker's memory is read from its start), FIRST_OFFSET everything still stored, TIMESTAMP
 * the first message stored at or after `consumeTimestamp`. A group with committed offsets
 * always resumes from them.
 *
 * @example
 * ```ts
 * const c = new PushConsumer({
 *   namesrvAddr: "127.0.0.1:9876",
 *   consumerGroup: "replay",
 *   consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_TIMESTAMP,
 *   consumeTimestamp: Date.now() - 3_600_000,
 * });
 * ```
 */
export const ConsumeFromWhere: {
  readonly CONSUME_FROM_LAST_OFFSET: "CONSUME_FROM_LAST_OFFSET";
  readonly CONSUME_FROM_FIRST_OFFSET: "CONSUME_FROM_FIRST_OFFSET";
  readonly CONSUME_FROM_TIMESTAMP: "CONSUME_FROM_TIMESTAMP";
} = WireConsumeFromWhere;

/** One of the ConsumeFromWhere values. */
export type ConsumeFromWhere = (typeof ConsumeFromWhere)[keyof typeof ConsumeFromWhere];

/**
 * What a listener reports (ConsumeConcurrentlyStatus). Returning nothing counts as success;
 * RECONSUME_LATER (or throwing) sends the batch back for a later redelivery.
 *
 * @example
 * ```ts
 * consumer.registerMessageListener(async (msgs) => {
 *   if (!(await db.ready())) return ConsumeConcurrentlyStatus.RECONSUME_LATER;
 *   await db.save(msgs);
 *   return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
 * });
 * ```
 */
export const ConsumeConcurrentlyStatus = {
  /** The messages are done; the offset may move past them. */
  CONSUME_SUCCESS: "CONSUME_SUCCESS",
  /** Redeliver later through the group's retry topic. */
  RECONSUME_LATER: "RECONSUME_LATER",
} as const;

/** One of the ConsumeConcurrentlyStatus values. */
export type ConsumeConcurrentlyStatus =
  (typeof ConsumeConcurrentlyStatus)[keyof typeof ConsumeConcurrentlyStatus];

/**
 * What a listener call is about, and two knobs it may set (ConsumeConcurrentlyContext).
 *
 * @example
 * ```ts
 * consumer.registerMessageListener((msgs, ctx) => {
 *   const ok = msgs.findIndex((m) => !handle(m));
 *   if (ok >= 0) ctx.ackIndex = ok - 1; // the rest go back for redelivery
 *   ctx.delayLevelWhenNextConsume = 5;  // redeliver after level 5 (1 min by default)
 * });
 * ```
 */
export interface ConsumeConcurrentlyContext {
  /** The queue the messages came from. */
  readonly messageQueue: MessageQueue;
  /**
   * Delay level of the redelivery of failed messages: 0 (default) lets the broker pick
   * 3 + reconsumeTimes; −1 sends them straight to the dead-letter queue.
   */
  delayLevelWhenNextConsume: number;
  /**
   * On success, the index of the last message that succeeded; those after it are sent back
   * (default: all succeeded).
   */
  ackIndex: number;
}

/**
 * Handles a batch of messages from one queue (at most consumeMessageBatchMaxSize, default 1).
 * Calls for one queue never overlap and follow queue order; calls for different queues may
 * overlap when the listener is async. Resolve (or return) nothing or CONSUME_SUCCESS for
 * success; RECONSUME_LATER or a throw sends the batch back for a later redelivery.
 *
 * @example
 * ```ts
 * const listener: MessageListener = async (msgs, ctx) => {
 *   for (const m of msgs) await handle(m, ctx.messageQueue);
 * };
 * ```
 */
export type MessageListener = (
  messages: MessageExt[],
  context: ConsumeConcurrentlyContext,
) =>
  | ConsumeConcurrentlyStatus
  | void
  | undefined
  | Promise<ConsumeConcurrentlyStatus | void | undefined>;

/** Java's ackIndex default (Integer.MAX_VALUE): every message of the batch succeeded. */
export const ACK_ALL = 0x7fffffff;

/** A `consumeTimestamp`: ms since the epoch, a Date, or Java's `yyyyMMddHHmmss` (local time). */
export function parseConsumeTimestamp(v: number | Date | string | undefined, now: number): number {
  if (v === undefined) return now - 30 * 60_000;
  if (v instanceof Date) v = v.getTime();
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`Cannot use consumeTimestamp ${v}`);
    return v;
  }
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v);
  if (!m) {
    throw new TypeError(
      `Cannot use consumeTimestamp ${JSON.stringify(v)}: expected ms, a Date or yyyyMMddHHmmss`,
    );
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}
