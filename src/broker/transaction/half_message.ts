/**
 * Transactional messages as stored (RocketMQ 4.9's TransactionalMessageBridge and
 * EndTransactionProcessor): pure conversions between a producer's message, its half message in
 * RMQ_SYS_TRANS_HALF_TOPIC queue 0, the message a commit stores, the op record that marks a
 * half message resolved, and the copy a check puts back.
 *
 *   half       topic RMQ_SYS_TRANS_HALF_TOPIC, queue 0, REAL_TOPIC/REAL_QID properties, the
 *              transaction bits of sysFlag cleared (a plain record consumers never subscribe to)
 *   committed  the real topic and queue again, REAL_* and TRAN_MSG removed, transaction bits
 *              COMMIT, preparedTransactionOffset = the half's commit-log offset
 *   op         topic RMQ_SYS_TRANS_OP_HALF_TOPIC, the half's queue, tag "d", body = the half's
 *              queue offset in decimal
 */
import { textEncoder } from "../../common/bytes.ts";
import { encodeMessageRecord, type MessageRecord } from "../../common/message/message_codec.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { getProperty, removeProperty, setProperty } from "../../common/message/properties.ts";
import type { SocketAddress } from "../../common/message/socket_address.ts";
import { MessageSysFlag, resetTransactionType } from "../../common/message/sys_flag.ts";
import type { MessageInput } from "../../store/message_store.ts";
import { SystemTopic } from "../topic_validator.ts";

/** The consumer group whose offsets track the half and op queues (MixAll.CID_SYS_RMQ_TRANS). */
export const TRANS_SYS_GROUP = "CID_RMQ_SYS_TRANS";
/** Tag of an op record: the half message it names is resolved. */
export const REMOVE_TAG = "d";
/** The half topic's only queue. */
export const HALF_QUEUE_ID = 0;

/** A producer's transactional message as the half message stored in its place. */
export function toHalfMessage(msg: MessageInput): MessageInput {
  let p = setProperty(msg.properties, MessageConst.REAL_TOPIC, msg.topic);
  p = setProperty(p, MessageConst.REAL_QID, String(msg.queueId));
  return {
    ...msg,
    topic: SystemTopic.TRANS_HALF,
    queueId: HALF_QUEUE_ID,
    sysFlag: resetTransactionType(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE),
    properties: p,
  };
}

/** The real topic and queue a half message was sent to; undefined when it does not name them. */
export function realDestination(
  half: MessageRecord,
): { topic: string; queueId: number } | undefined {
  const topic = getProperty(half.properties, MessageConst.REAL_TOPIC);
  const qid = getProperty(half.properties, MessageConst.REAL_QID);
  if (!topic || !qid || !/^\d{1,9}$/.test(qid)) return undefined;
  return { topic, queueId: Number(qid) };
}

/** The message a commit stores for the half message at `commitLogOffset`. */
export function committedMessage(half: MessageRecord, commitLogOffset: number): MessageInput {
  const dest = realDestination(half)!;
  let p = removeProperty(half.properties, MessageConst.REAL_TOPIC);
  p = removeProperty(p, MessageConst.REAL_QID);
  p = removeProperty(p, MessageConst.TRAN_MSG);
  return {
    topic: dest.topic,
    queueId: dest.queueId,
    flag: half.flag,
    sysFlag: resetTransactionType(half.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE),
    bornTimestamp: half.bornTimestamp,
    bornHost: half.bornHost,
    storeHost: half.storeHost,
    reconsumeTimes: half.reconsumeTimes,
    preparedTransactionOffset: commitLogOffset,
    body: half.body,
    properties: p,
    storeTimestamp: half.storeTimestamp,
    waitStoreMsgOK: false,
  };
}

/** The op record saying the half message at `halfQueueOffset` of `queueId` is resolved. */
export function opMessage(
  queueId: number,
  halfQueueOffset: number,
  host: SocketAddress,
  now = Date.now(),
): MessageInput {
  return {
    topic: SystemTopic.TRANS_OP_HALF,
    queueId,
    flag: 0,
    sysFlag: 0,
    bornTimestamp: now,
    bornHost: host,
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: textEncoder.encode(String(halfQueueOffset)),
    properties: setProperty("", MessageConst.TAGS, REMOVE_TAG),
    waitStoreMsgOK: false,
  };
}

/** The half queue offset an op record names, or undefined when it is not an op record. */
export function opTarget(op: MessageRecord): number | undefined {
  if (getProperty(op.properties, MessageConst.TAGS) !== REMOVE_TAG) return undefined;
  const text = new TextDecoder().decode(op.body).trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** How many times a half message has been checked (TRANSACTION_CHECK_TIMES; 0 if never). */
export function checkTimes(half: MessageRecord): number {
  const v = Number(getProperty(half.properties, MessageConst.TRANSACTION_CHECK_TIMES));
  return Number.isInteger(v) && v > 0 ? v : 0;
}

/**
 * A half message stored again at the end of its queue (renewHalfMessageInner): before a check
 * (`checked`: TRANSACTION_CHECK_TIMES counted up), or to wait out its immunity time
 * (`preparedQueueOffset`: where it was first, TRAN_PREPARED_QUEUE_OFFSET).
 */
export function renewedHalf(
  half: MessageRecord,
  change: { checked: boolean; preparedQueueOffset?: number },
): MessageInput {
  let p = half.properties;
  if (change.checked) {
    p = setProperty(p, MessageConst.TRANSACTION_CHECK_TIMES, String(checkTimes(half) + 1));
  }
  if (change.preparedQueueOffset !== undefined) {
    p = setProperty(p, MessageConst.TRAN_PREPARED_QUEUE_OFFSET, String(change.preparedQueueOffset));
  }
  return {
    topic: SystemTopic.TRANS_HALF,
    queueId: half.queueId,
    flag: half.flag,
    sysFlag: half.sysFlag,
    bornTimestamp: half.bornTimestamp,
    bornHost: half.bornHost,
    storeHost: half.storeHost,
    reconsumeTimes: half.reconsumeTimes,
    preparedTransactionOffset: 0,
    body: half.body,
    properties: p,
    waitStoreMsgOK: false,
  };
}

/**
 * The CHECK_TRANSACTION_STATE body: the half message as a stored record, with its real topic
 * and queue (AbstractTransactionalMessageCheckListener.sendCheckMessage), so the producer's
 * check callback sees the message it sent.
 */
export function checkStateBody(half: MessageRecord, queueOffset: number, physicalOffset: number) {
  const dest = realDestination(half);
  return encodeMessageRecord({
    ...half,
    topic: dest?.topic ?? half.topic,
    queueId: dest?.queueId ?? half.queueId,
    queueOffset,
    physicalOffset,
  });
}

/** The message that ran out of checks, for TRANS_CHECK_MAX_TIME_TOPIC (resolveDiscardMsg). */
export function discardedHalf(half: MessageRecord): MessageInput {
  return {
    ...renewedHalf(half, { checked: false }),
    topic: SystemTopic.TRANS_CHECK_MAX_TIME,
    queueId: 0,
  };
}
