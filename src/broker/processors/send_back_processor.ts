/**
 * CONSUMER_SEND_MSG_BACK (36), REMOTING.md §3.5, §8.3: a consumer failed a message; the broker
 * stores a copy in `%RETRY%<group>` with delay level `3 + reconsumeTimes` (or the level the
 * client asks for), so the schedule service delivers it later, reconsumeTimes + 1, RETRY_TOPIC
 * and ORIGIN_MESSAGE_ID set; once reconsumeTimes reaches maxReconsumeTimes (or the level is
 * negative) the copy goes to `%DLQ%<group>` queue 0 instead, undelayed (retry_policy.ts).
 */
import { createOffsetMsgId } from "../../common/message/message_id.ts";
import { decodeMessageRecord } from "../../common/message/message_codec.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { getProperty, setProperty } from "../../common/message/properties.ts";
import { isWriteable, PermName, TopicSysFlag } from "../../remoting/body/topic_config.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import { ConsumerSendMsgBackRequestHeader } from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { retryTopic } from "../../remoting/group_topics.ts";
import type { MessageInput } from "../../store/message_store.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { randomQueueId } from "../random_queue_id.ts";
import { maxReconsumeTimesOf, toDeadLetter } from "../retry_policy.ts";
import { validateGroup, validateRetryTopicOf } from "../topic_validator.ts";
import { putStatusResponse } from "./send_processor.ts";
import { StatsName } from "../broker_stats.ts";

const RW = PermName.PERM_READ | PermName.PERM_WRITE;

export function sendBackProcessors(
  ctx: BrokerContext,
  s: Pick<BrokerServices, "subscriptionGroups" | "stats">,
): Record<number, Processor> {
  return {
    [RequestCode.CONSUMER_SEND_MSG_BACK]: (req) => consumerSendMsgBack(ctx, s, req),
  };
}

async function consumerSendMsgBack(
  ctx: BrokerContext,
  s: Pick<BrokerServices, "subscriptionGroups" | "stats">,
  req: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeHeader(ConsumerSendMsgBackRequestHeader, req.extFields);
  // A name that cannot name a retry topic would park a message no level can deliver.
  const invalid = validateGroup(h.group) ?? validateRetryTopicOf(h.group);
  if (invalid) return createResponse(req, ResponseCode.SYSTEM_ERROR, invalid);
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
  const topic = retryTopic(h.group);
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
  const dead = m.reconsumeTimes >= maxTimes || h.delayLevel < 0;
  if (!dead) {
    const delayLevel = h.delayLevel === 0 ? 3 + m.reconsumeTimes : h.delayLevel;
    properties = setProperty(properties, MessageConst.DELAY, String(delayLevel));
  }
  const origin = getProperty(properties, MessageConst.ORIGIN_MESSAGE_ID) ||
    createOffsetMsgId(m.storeHost, m.physicalOffset);
  properties = setProperty(properties, MessageConst.ORIGIN_MESSAGE_ID, origin);
  const msg: MessageInput = {
    topic,
    queueId: randomQueueId(group.retryQueueNums),
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
  if (dead) toDeadLetter(msg, h.group, topics);
  const result = await ctx.store.putMessage(msg);
  const r = putStatusResponse(result);
  if (r.code === ResponseCode.SUCCESS) {
    // Counted under the topic the message was first sent to (RETRY_TOPIC), as Java counts it.
    const backTopic = getProperty(properties, MessageConst.RETRY_TOPIC) ?? m.topic;
    s.stats.inc(StatsName.SNDBCK_PUT_NUMS, `${backTopic}@${h.group}`, 1);
    return createResponse(req, ResponseCode.SUCCESS);
  }
  return createResponse(req, ResponseCode.SYSTEM_ERROR, result.status);
}
