/**
 * The outcome of a send (Java's SendResult): the broker stored the message, possibly with a
 * flush or replication caveat (REMOTING.md §3.2: codes 0, 10, 11, 12).
 */
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import { ResponseCode } from "../../remoting/response_code.ts";

/**
 * How the broker stored a sent message. Anything but SEND_OK means the message is stored on
 * the master but a SYNC_FLUSH or SYNC_MASTER guarantee was not met in time.
 *
 * @example
 * ```ts
 * if (result.sendStatus !== SendStatus.SEND_OK) console.warn(result.sendStatus);
 * ```
 */
export const SendStatus = {
  SEND_OK: "SEND_OK",
  FLUSH_DISK_TIMEOUT: "FLUSH_DISK_TIMEOUT",
  FLUSH_SLAVE_TIMEOUT: "FLUSH_SLAVE_TIMEOUT",
  SLAVE_NOT_AVAILABLE: "SLAVE_NOT_AVAILABLE",
} as const;
/** One of the SendStatus names. */
export type SendStatus = (typeof SendStatus)[keyof typeof SendStatus];

/** The send status for a stored-message response code, or undefined for an error code. */
export function sendStatusOf(code: number): SendStatus | undefined {
  switch (code) {
    case ResponseCode.SUCCESS:
      return SendStatus.SEND_OK;
    case ResponseCode.FLUSH_DISK_TIMEOUT:
      return SendStatus.FLUSH_DISK_TIMEOUT;
    case ResponseCode.FLUSH_SLAVE_TIMEOUT:
      return SendStatus.FLUSH_SLAVE_TIMEOUT;
    case ResponseCode.SLAVE_NOT_AVAILABLE:
      return SendStatus.SLAVE_NOT_AVAILABLE;
    default:
      return undefined;
  }
}

/**
 * What a successful send returns.
 *
 * @example
 * ```ts
 * const r: SendResult = await producer.send({ topic: "TopicTest", body: "hi" });
 * console.log(r.msgId, r.messageQueue.brokerName, r.queueOffset);
 * ```
 */
export interface SendResult {
  /** How the broker stored it (SEND_OK unless a flush or replication deadline was missed). */
  sendStatus: SendStatus;
  /** The client message id (property UNIQ_KEY); for a batch, every id joined with commas. */
  msgId: string;
  /**
   * The broker's id for the stored record (store host + commit-log offset), usable with
   * VIEW_MESSAGE_BY_ID; for a batch, every id joined with commas.
   */
  offsetMsgId: string;
  /** The queue the message was written to. */
  messageQueue: MessageQueue;
  /** The message's offset in that queue (the first one's, for a batch). */
  queueOffset: number;
  /** Set by brokers that return one (not RocketMQ 4.9 for normal sends). */
  transactionId?: string;
  /** The broker's region (`MSG_REGION`, default `DefaultRegion`). */
  regionId: string;
  /** Whether the broker has message trace on (`TRACE_ON`). */
  traceOn: boolean;
}
