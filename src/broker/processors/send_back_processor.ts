/**
 * Retries and dead letters (REMOTING.md §3.5, §3.2 step 4, §8.3).
 *
 * CONSUMER_SEND_MSG_BACK (36): a consumer failed a message; the broker stores a copy in
 * `%RETRY%<group>` with delay level `3 + reconsumeTimes` (or the level the client asks for), so
 * the schedule service delivers it later, reconsumeTimes + 1, RETRY_TOPIC and
 * ORIGIN_MESSAGE_ID set; once reconsumeTimes reaches maxReconsumeTimes (or the level is
 * negative) the copy goes to `%DLQ%<group>` queue 0 instead, undelayed.
 *
 * The send hook does the same check for a client that sends to `%RETRY%<group>` itself (the
 * Java client's fallback when the send-back failed).
 */
import { createOffsetMsgId } from "../../common/message/message_id.ts";
import { decodeMessageRecord } from "../../common/message/message_codec.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { getProperty, removeProperty, setProperty } from "../../common/message/properties.ts";
import { isWriteable, PermName, TopicSysFlag } from "../../remoting/body/topic_config.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header.ts";
import { ConsumerSendMsgBackRequestHeader } from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { dlqTopic, RETRY_GROUP_TOPIC_PREFIX, retryTopic } from "../../remoting/subscription.ts";
import type { MessageInput } from "../../store/message_store.ts";
import { MQVersion } from "../../version.ts";
import type { BrokerContext, Refusal, SendHeader } from "../broker_context.ts";
import type { ConsumeServices } from "../consume_services.ts";
import { putStatusResponse } from "./send_processor.ts";

/** Queues of a %DLQ% topic (MixAll.DLQ_NUMS_PER_GROUP). */
export const DLQ_NUMS_PER_GROUP = 1;

const RW = PermName.PERM_READ | PermName.PERM_WRITE;

/** Java's `Math.abs(random.nextInt() % 99999999) % n`. */
function randomQueueId(n: number): number {
  return Math.floor(Math.random() * 99_999_999) % n;
}

/**
 * The limit a request carries (clients from V3_4_9 send their maxReconsumeTimes), else the
 * group's retryMaxTimes.
 */
function maxReconsumeTimesOf(
  request: RemotingCommand,
  fromHeader: number | undefined,
  groupMax: number,
): number {
  return request.version >= MQVersion.V3_4_9 && fromHeader !== undefined ? fromHeader : groupMax;
}

export function sendBackProcessors(
  ctx: BrokerContext,
  s: ConsumeServices,
): Record<number, Processor> {
  ctx.sendHooks.retryTopic = (msg, header, request) => retrySend(ctx, s, msg, header, request);
  return {
    [RequestCode.CONSUMER_SEND_MSG_BACK]: (req) => consumerSendMsgBack(ctx, s, req),
  };
}

async function consumerSendMsgBack(
  ctx: BrokerContext,
  s: ConsumeServices,
  req: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeHeader(ConsumerSendMsgBackRequestHeader, req.extFields);
  const group = s.subscriptionGroups.find(h.group);
  if (!group) {
    return createResponse(
      req,
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      `subscription group not exist, ${h.group}`,
    );
  }
  if (!isWriteable(ctx.config.brokerPermission)) {
    return createResponse(
      req,
      ResponseCode.NO_PERMISSION,
      `the broker[${ctx.brokerIP1}] sending message is forbidden`,
    );
  }
  // No retry queues: the group gives failed messages up.
  if (group.retryQueueNums <= 0) return createResponse(req, ResponseCode.SUCCESS);

  const topics = ctx.topicConfigManager;
  let topic = retryTopic(h.group);
  let queueId = randomQueueId(group.retryQueueNums);
  const retry = topics.createTopicInSendMessageBackMethod(
    topic,
    group.retryQueueNums,
    RW,
    h.unitMode ? TopicSysFlag.FLAG_UNIT_SUB : 0,
  );
  if (!isWriteable(retry.perm)) {
    return createResponse(
      req,
      ResponseCode.NO_PERMISSION,
      `the topic[${topic}] sending message is forbidden`,
    );
  }
  const record = h.offset >= 0 ? await ctx.store.lookMessageByOffset(h.offset) : undefined;
  if (!record) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `look message by offset failed, ${h.offset}`,
    );
  }
  const m = decodeMessageRecord(record, 0, false);
  let properties = m.properties;
  if (!getProperty(properties, MessageConst.RETRY_TOPIC)) {
    properties = setProperty(properties, MessageConst.RETRY_TOPIC, m.topic);
  }
  const maxTimes = maxReconsumeTimesOf(req, h.maxReconsumeTimes, group.retryMaxTimes);
  let delayLevel = h.delayLevel;
  if (m.reconsumeTimes >= maxTimes || delayLevel < 0) {
    topic = dlqTopic(h.group);
    queueId = randomQueueId(DLQ_NUMS_PER_GROUP);
    topics.createTopicInSendMessageBackMethod(topic, DLQ_NUMS_PER_GROUP, RW, 0);
    properties = removeProperty(properties, MessageConst.DELAY);
  } else {
    if (delayLevel === 0) delayLevel = 3 + m.reconsumeTimes;
    properties = setProperty(properties, MessageConst.DELAY, String(delayLevel));
  }
  const origin = getProperty(properties, MessageConst.ORIGIN_MESSAGE_ID) ||
    createOffsetMsgId(m.storeHost, m.physicalOffset);
  properties = setProperty(properties, MessageConst.ORIGIN_MESSAGE_ID, origin);
  const msg: MessageInput = {
    topic,
    queueId,
    flag: m.flag,
    sysFlag: m.sysFlag,
    bornTimestamp: m.bornTimestamp,
    bornHost: m.bornHost,
    storeHost: ctx.storeHost,
    reconsumeTimes: m.reconsumeTimes + 1,
    preparedTransactionOffset: 0,
    body: m.body,
    properties,
    waitStoreMsgOK: false,
  };
  const result = await ctx.store.putMessage(msg);
  const r = putStatusResponse(result);
  if (r.code === ResponseCode.SUCCESS) return createResponse(req, ResponseCode.SUCCESS);
  return createResponse(req, ResponseCode.SYSTEM_ERROR, result.status);
}

/**
 * §3.2 step 4 for a send to `%RETRY%<group>`: the group must exist; a message that has been
 * consumed maxReconsumeTimes times goes to `%DLQ%<group>` queue 0, undelayed.
 */
function retrySend(
  ctx: BrokerContext,
  s: ConsumeServices,
  msg: MessageInput,
  header: SendHeader,
  request: RemotingCommand,
): Refusal | undefined {
  const groupName = msg.topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
  const group = s.subscriptionGroups.find(groupName);
  if (!group) {
    return {
      code: ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      remark: `subscription group not exist, ${groupName}`,
    };
  }
  const maxTimes = maxReconsumeTimesOf(request, header.maxReconsumeTimes, group.retryMaxTimes);
  if ((header.reconsumeTimes ?? 0) < maxTimes) return undefined;
  const dlq = dlqTopic(groupName);
  ctx.topicConfigManager.createTopicInSendMessageBackMethod(dlq, DLQ_NUMS_PER_GROUP, RW, 0);
  msg.topic = dlq;
  msg.queueId = randomQueueId(DLQ_NUMS_PER_GROUP);
  msg.properties = removeProperty(msg.properties, MessageConst.DELAY);
  return undefined;
}
