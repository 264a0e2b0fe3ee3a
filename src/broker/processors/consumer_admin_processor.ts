/**
 * Consumer administration (REMOTING.md §3.8): subscription groups
 * (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
 * DELETE_SUBSCRIPTIONGROUP), offset tables (GET_ALL_CONSUMER_OFFSET, GET_ALL_DELAY_OFFSET,
 * GET_CONSUME_STATS, CLONE_GROUP_OFFSET, INVOKE_BROKER_TO_RESET_OFFSET), and who is connected
 * (GET_CONSUMER_CONNECTION_LIST, GET_PRODUCER_CONNECTION_LIST, QUERY_TOPIC_CONSUME_BY_WHO);
 * GET_CONSUMER_RUNNING_INFO and CONSUME_MESSAGE_DIRECTLY go on to the consumer named by its
 * client id (broker_to_client.ts callConsumer).
 */
import { encodeGroupList } from "../../remoting/body/consumer_list.ts";
import {
  encodeConsumerOffsetTable,
  encodeDelayOffsetTable,
} from "../../remoting/body/consumer_offset.ts";
import { type ConsumeStats, encodeConsumeStats } from "../../remoting/body/consume_stats.ts";
import {
  type Connection,
  encodeConsumerConnection,
  encodeProducerConnection,
} from "../../remoting/body/connection.ts";
import {
  encodeResetOffsetBody,
  type ResetOffsetTable,
} from "../../remoting/body/reset_offset_body.ts";
import {
  decodeSubscriptionGroupConfig,
  encodeSubscriptionGroupWrapper,
} from "../../remoting/body/subscription_group_config.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import {
  CloneGroupOffsetRequestHeader,
  ConsumeMessageDirectlyResultRequestHeader,
  ConsumerGroupRequestHeader,
  DeleteSubscriptionGroupRequestHeader,
  GetConsumerRunningInfoRequestHeader,
  GetConsumeStatsRequestHeader,
  ProducerGroupRequestHeader,
  ResetOffsetRequestHeader,
  TopicRequestHeader,
} from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { callConsumer, resetClientOffsets } from "../broker_to_client.ts";
import { decodeOffsetMsgId } from "../../common/message/message_id.ts";
import { errorMessage } from "../../common/errors.ts";
import { validateGroup } from "../topic_validator.ts";
import type { ClientChannelInfo } from "../client_channel.ts";
import { groupConsumeStats } from "../group_consume_stats.ts";

/** The services consumer administration reads and changes. */
export type ConsumerAdminServices = Pick<
  BrokerServices,
  "subscriptionGroups" | "consumerOffsets" | "consumers" | "producers" | "schedule" | "stats"
>;

export function consumerAdminProcessors(
  ctx: BrokerContext,
  s: ConsumerAdminServices,
): Record<number, Processor> {
  const ok = (req: RemotingCommand, body?: Uint8Array) =>
    createResponse(req, ResponseCode.SUCCESS, undefined, {}, body);
  return {
    [RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP]: (req) => {
      if (!req.body || req.body.length === 0) {
        return createResponse(req, ResponseCode.SYSTEM_ERROR, "subscription group body is empty");
      }
      const config = decodeSubscriptionGroupConfig(req.body);
      if (!config.groupName) {
        return createResponse(req, ResponseCode.SYSTEM_ERROR, "groupName is blank");
      }
      const invalid = validateGroup(config.groupName);
      if (invalid) return createResponse(req, ResponseCode.SYSTEM_ERROR, invalid);
      s.subscriptionGroups.update(config);
      return ok(req);
    },
    [RequestCode.GET_CONSUMER_RUNNING_INFO]: (req) => {
      const h = decodeHeader(GetConsumerRunningInfoRequestHeader, req.extFields);
      const info = s.consumers.get(h.consumerGroup)?.findChannel(h.clientId);
      return callConsumer(req, info, h.consumerGroup, h.clientId);
    },
    [RequestCode.CONSUME_MESSAGE_DIRECTLY]: (req) => consumeMessageDirectly(ctx, s, req),
    [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG]: (req) =>
      ok(req, encodeSubscriptionGroupWrapper(s.subscriptionGroups.wrapper())),
    [RequestCode.DELETE_SUBSCRIPTIONGROUP]: (req) => {
      const h = decodeHeader(DeleteSubscriptionGroupRequestHeader, req.extFields);
      s.subscriptionGroups.delete(h.groupName);
      if (h.removeOffset || req.extFields.cleanOffset === "true") {
        s.consumerOffsets.removeOffset(h.groupName);
      }
      return ok(req);
    },
    [RequestCode.GET_ALL_CONSUMER_OFFSET]: (req) =>
      ok(req, encodeConsumerOffsetTable(s.consumerOffsets.snapshot())),
    [RequestCode.GET_ALL_DELAY_OFFSET]: (req) =>
      ok(req, encodeDelayOffsetTable(s.schedule.offsetTable())),
    [RequestCode.GET_CONSUME_STATS]: (req) => getConsumeStats(ctx, s, req),
    [RequestCode.GET_CONSUMER_CONNECTION_LIST]: (req) => {
      const h = decodeHeader(ConsumerGroupRequestHeader, req.extFields);
      const g = s.consumers.get(h.consumerGroup);
      if (!g) {
        return createResponse(
          req,
          ResponseCode.CONSUMER_NOT_ONLINE,
          `the consumer group[${h.consumerGroup}] not online`,
        );
      }
      return ok(
        req,
        encodeConsumerConnection({
          connectionSet: [...g.channelInfoTable.values()].map(connectionOf),
          subscriptionTable: g.subscriptionData(),
          consumeType: g.consumeType,
          messageModel: g.messageModel,
          consumeFromWhere: g.consumeFromWhere,
        }),
      );
    },
    [RequestCode.GET_PRODUCER_CONNECTION_LIST]: (req) => {
      const h = decodeHeader(ProducerGroupRequestHeader, req.extFields);
      const infos = s.producers.get(h.producerGroup);
      if (!infos) {
        return createResponse(
          req,
          ResponseCode.SYSTEM_ERROR,
          `the producer group[${h.producerGroup}] not exist`,
        );
      }
      return ok(req, encodeProducerConnection(infos.map(connectionOf)));
    },
    [RequestCode.QUERY_TOPIC_CONSUME_BY_WHO]: (req) => {
      const h = decodeHeader(TopicRequestHeader, req.extFields);
      const groups = s.consumers.queryTopicConsumeByWho(h.topic);
      for (const g of s.consumerOffsets.whichGroupByTopic(h.topic)) groups.add(g);
      return ok(req, encodeGroupList(groups));
    },
    [RequestCode.CLONE_GROUP_OFFSET]: (req) => {
      const h = decodeHeader(CloneGroupOffsetRequestHeader, req.extFields);
      const topics = h.topic ? [h.topic] : s.consumerOffsets.whichTopicByConsumer(h.srcGroup);
      for (const topic of topics) {
        if (!ctx.topicConfigManager.get(topic)) continue;
        if (!h.offline) {
          // Online cloning copies only topics the source group still subscribes.
          const g = s.consumers.get(h.srcGroup);
          if (g && !g.findSubscription(topic)) continue;
        }
        s.consumerOffsets.cloneOffset(h.srcGroup, h.destGroup, topic);
      }
      return ok(req);
    },
    [RequestCode.INVOKE_BROKER_TO_RESET_OFFSET]: (req) => resetOffset(ctx, s, req),
  };
}

function connectionOf(i: ClientChannelInfo): Connection {
  return {
    clientId: i.clientId,
    clientAddr: i.channel.remoteAddr,
    language: i.language,
    version: i.version,
  };
}

/** The group's stats in the topic asked for, or in every topic it has offsets for, merged. */
async function getConsumeStats(
  ctx: BrokerContext,
  s: ConsumerAdminServices,
  req: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeHeader(GetConsumeStatsRequestHeader, req.extFields);
  const group = h.consumerGroup;
  const topics = h.topic && h.topic.trim() !== ""
    ? [h.topic]
    : [...s.consumerOffsets.whichTopicByConsumer(group)];
  const stats: ConsumeStats = { offsetTable: [], consumeTps: 0 };
  for (const topic of topics) {
    const one = await groupConsumeStats(ctx, s, group, topic);
    if (!one) continue;
    stats.offsetTable.push(...one.offsetTable);
    stats.consumeTps += one.consumeTps;
  }
  return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeConsumeStats(stats));
}

/**
 * INVOKE_BROKER_TO_RESET_OFFSET (Broker2Client.resetOffset): per queue the offset of the
 * message stored at `timestamp` (−1: the queue's end), lowered only unless `isForce`; sent to
 * every consumer of the group with RESET_CONSUMER_CLIENT_OFFSET (oneway), returned to the tool.
 */
async function resetOffset(
  ctx: BrokerContext,
  s: ConsumerAdminServices,
  req: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeHeader(ResetOffsetRequestHeader, req.extFields);
  const tc = ctx.topicConfigManager.get(h.topic);
  if (!tc) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `[reset-offset] reset offset failed, no topic in this broker. topic=${h.topic}`,
    );
  }
  const table: ResetOffsetTable = [];
  for (let queueId = 0; queueId < tc.writeQueueNums; queueId++) {
    const consumerOffset = s.consumerOffsets.queryOffset(h.group, h.topic, queueId);
    if (consumerOffset === -1) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `THe consumer group <${h.group}> not exist`,
      );
    }
    let offset = h.timestamp === -1
      ? ctx.store.getMaxOffsetInQueue(h.topic, queueId)
      : await ctx.store.getOffsetInQueueByTime(h.topic, queueId, h.timestamp);
    if (offset < 0) offset = 0;
    table.push([
      { topic: h.topic, brokerName: ctx.brokerName, queueId },
      h.isForce || offset < consumerOffset ? offset : consumerOffset,
    ]);
  }
  const g = s.consumers.get(h.group);
  if (!g || g.channelInfoTable.size === 0) {
    return createResponse(
      req,
      ResponseCode.CONSUMER_NOT_ONLINE,
      `Consumer not online, so can not reset offset, Group: ${h.group} Topic: ${h.topic} Timestamp: ${h.timestamp}`,
    );
  }
  const body = encodeResetOffsetBody(table);
  const reset = { topic: h.topic, group: h.group, timestamp: h.timestamp, isForce: h.isForce };
  const no = resetClientOffsets(g.channelInfoTable.values(), reset, body);
  if (no) return createResponse(req, ResponseCode.SYSTEM_ERROR, no);
  return createResponse(req, ResponseCode.SUCCESS, undefined, {}, body);
}

/**
 * CONSUME_MESSAGE_DIRECTLY from an admin tool (`mqadmin queryMsgById -d`): the stored message
 * the id names is handed to one consumer of the group, which consumes it and says how it went.
 */
async function consumeMessageDirectly(
  ctx: BrokerContext,
  s: ConsumerAdminServices,
  req: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeHeader(ConsumeMessageDirectlyResultRequestHeader, req.extFields);
  let record: Uint8Array | undefined;
  try {
    record = await ctx.store.lookMessageByOffset(decodeOffsetMsgId(h.msgId ?? "").offset);
  } catch (e) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `bad msgId ${h.msgId}: ${errorMessage(e)}`,
    );
  }
  if (!record) {
    return createResponse(req, ResponseCode.SYSTEM_ERROR, `no message ${h.msgId} on this broker`);
  }
  const forward = {
    ...req,
    extFields: { ...req.extFields, brokerName: ctx.brokerName },
    body: record,
  };
  const clientId = h.clientId ?? "";
  const info = s.consumers.get(h.consumerGroup)?.findChannel(clientId);
  return callConsumer(forward, info, h.consumerGroup, clientId);
}
