/**
 * One pull (Java's PullAPIWrapper): PULL_MESSAGE to the broker group's member the broker last
 * suggested (the master unless it named a slave), the answer read into a PullResult
 * (REMOTING.md §3.3): the status from the code, the offsets from the header, the records
 * decoded in place and filtered by exact tag, since the broker only compares tag hashes.
 */
import { PullSysFlag } from "../../common/message/sys_flag.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { type MessageQueue, messageQueueKey } from "../../remoting/body/message_queue.ts";
import { MASTER_ID } from "../../remoting/body/topic_route_data.ts";
import type { RemotingCommand } from "../../remoting/command.ts";
import { PullMessageResponseHeader } from "../../remoting/headers.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { ClientInstance } from "../client_instance.ts";
import { MQBrokerError, MQClientError } from "../errors.ts";
import {
  decodeMessages,
  type MessageExt,
  type ReceivedMessage,
  type TopicHint,
} from "../message_ext.ts";
import { type PullMessageHeader, readHeader } from "../mq_client_api.ts";

/**
 * What a pull found (PullStatus).
 *
 * @example
 * ```ts
 * const r = await consumer.pull(mq, "*", offset, 32);
 * if (r.pullStatus === PullStatus.FOUND) handle(r.msgFoundList);
 * ```
 */
export const PullStatus = {
  /** Messages were found (after client-side tag filtering the list may still be empty). */
  FOUND: "FOUND",
  /** The queue has nothing at or after the offset (yet). */
  NO_NEW_MSG: "NO_NEW_MSG",
  /** Messages were scanned but none matched the subscription. */
  NO_MATCHED_MSG: "NO_MATCHED_MSG",
  /** The offset is outside the queue; continue from nextBeginOffset. */
  OFFSET_ILLEGAL: "OFFSET_ILLEGAL",
} as const;

/** One of the PullStatus values. */
export type PullStatus = (typeof PullStatus)[keyof typeof PullStatus];

/**
 * The answer to one pull.
 *
 * @example
 * ```ts
 * let offset = 0;
 * const r: PullResult = await consumer.pull(mq, "TagA", offset, 32);
 * offset = r.nextBeginOffset;
 * ```
 */
export interface PullResult {
  /** What the pull found. */
  pullStatus: PullStatus;
  /** Where the next pull of this queue should start. */
  nextBeginOffset: number;
  /** The queue's lowest stored offset. */
  minOffset: number;
  /** The queue's next offset to be written. */
  maxOffset: number;
  /** The messages (FOUND only), already filtered by exact tag. */
  msgFoundList: MessageExt[];
}

/** PULL_MESSAGE codes that are answers rather than errors. */
const STATUS_OF_CODE = new Map<number, PullStatus>([
  [ResponseCode.SUCCESS, PullStatus.FOUND],
  [ResponseCode.PULL_NOT_FOUND, PullStatus.NO_NEW_MSG],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, PullStatus.NO_MATCHED_MSG],
  [ResponseCode.PULL_OFFSET_MOVED, PullStatus.OFFSET_ILLEGAL],
]);

/** One pull's settings, beside the queue. */
export interface PullParams {
  consumerGroup: string;
  /** The expression sent when sysFlag has SUBSCRIPTION. */
  subExpression: string;
  /** Its type: TAG (default) or SQL92. */
  expressionType?: string;
  subVersion: number;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMillis: number;
  timeoutMs: number;
}

/** How the received records are checked and adjusted. */
export interface PullFilter {
  /** Tags to keep (exact match); undefined keeps every message. */
  tags?: ReadonlySet<string>;
  /** The pulled topic's bytes, so records share one topic string. */
  topicHint?: TopicHint;
  /**
   * Messages of this retry topic get their original topic back (property RETRY_TOPIC), as
   * Java's push consumer hands them to the listener.
   */
  restoreRetryTopic?: string;
}

/** A pull answer whose records are ReceivedMessage (for code inside the client). */
export interface ReceivedPullResult extends PullResult {
  msgFoundList: ReceivedMessage[];
}

export class PullAPIWrapper {
  readonly #instance: ClientInstance;
  /** queue → the broker id the broker last suggested pulling from. */
  readonly #pullFromWhichNode = new Map<string, number>();

  constructor(instance: ClientInstance) {
    this.#instance = instance;
  }

  /**
   * Sends one pull and reads its answer. Throws MQBrokerError for an error code, MQClientError
   * when the broker group is in no route, a RemotingError when the call failed.
   */
  async pull(
    mq: MessageQueue,
    p: PullParams,
    filter: PullFilter = {},
  ): Promise<ReceivedPullResult> {
    const instance = this.#instance;
    const key = messageQueueKey(mq);
    const brokerId = this.#pullFromWhichNode.get(key) ?? MASTER_ID;
    let found = instance.findBrokerAddressInSubscribe(mq.brokerName, brokerId, false);
    if (!found) {
      await instance.updateTopicRouteInfoFromNameServer(mq.topic);
      found = instance.findBrokerAddressInSubscribe(mq.brokerName, brokerId, false);
    }
    if (!found) {
      throw new MQClientError(`Cannot pull from ${mq.brokerName}: the broker is in no route`);
    }
    let sysFlag = p.sysFlag;
    // Only a master stores committed offsets.
    if (found.slave) sysFlag &= ~PullSysFlag.COMMIT_OFFSET;
    const header: PullMessageHeader = {
      consumerGroup: p.consumerGroup,
      topic: mq.topic,
      queueId: mq.queueId,
      queueOffset: p.queueOffset,
      maxMsgNums: p.maxMsgNums,
      sysFlag,
      commitOffset: p.commitOffset,
      suspendTimeoutMillis: p.suspendTimeoutMillis,
      subscription: p.subExpression,
      subVersion: p.subVersion,
      expressionType: p.expressionType ?? "TAG",
    };
    const response = await instance.api.pullMessage(found.brokerAddr, header, p.timeoutMs);
    return this.processPullResponse(mq, response, found.brokerAddr, filter);
  }

  /** A pull response as a PullResult (processPullResult). */
  processPullResponse(
    mq: MessageQueue,
    response: RemotingCommand,
    addr: string,
    filter: PullFilter,
  ): ReceivedPullResult {
    const pullStatus = STATUS_OF_CODE.get(response.code);
    if (pullStatus === undefined) throw new MQBrokerError(response.code, response.remark, addr);
    const h = readHeader(PullMessageResponseHeader, response, addr);
    this.#pullFromWhichNode.set(messageQueueKey(mq), h.suggestWhichBrokerId);
    let msgs: ReceivedMessage[] = [];
    if (pullStatus === PullStatus.FOUND && response.body && response.body.length > 0) {
      msgs = decodeMessages(response.body, mq.brokerName, filter.topicHint);
      const tags = filter.tags;
      if (tags !== undefined) {
        msgs = msgs.filter((m) => {
          const t = m.tags;
          return t !== undefined && tags.has(t);
        });
      }
      const restore = filter.restoreRetryTopic;
      for (let i = 0; i < msgs.length; i++) {
        const m = msgs[i];
        m.minOffset = h.minOffset;
        m.maxOffset = h.maxOffset;
        if (restore !== undefined && m.topic === restore) {
          const original = m.getProperty(MessageConst.RETRY_TOPIC);
          if (original !== undefined) m.topic = original;
        }
      }
    }
    return {
      pullStatus,
      nextBeginOffset: h.nextBeginOffset,
      minOffset: h.minOffset,
      maxOffset: h.maxOffset,
      msgFoundList: msgs,
    };
  }
}
