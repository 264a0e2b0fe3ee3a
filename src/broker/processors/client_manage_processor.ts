/**
 * Client management (REMOTING.md §3.5): HEART_BEAT registers a client's consumer groups (with
 * their subscriptions) and producer groups; UNREGISTER_CLIENT removes them; CHECK_CLIENT_CONFIG
 * tells a Java client whether its expression type is supported.
 *
 * A consumer group's `%RETRY%<group>` topic is created on its heartbeat, and when it is new the
 * heartbeat is answered only after the name servers know it, so the client's next route lookup
 * for the retry topic succeeds.
 */
import { errorMessage } from "../../common/errors.ts";
import { asObject } from "../../common/fastjson.ts";
import { parseSql92 } from "../filter/sql92_parser.ts";
import {
  type ConsumerData,
  decodeHeartbeatData,
  ExpressionType,
  subscriptionDataFromJson,
} from "../../remoting/body/heartbeat_data.ts";
import { decodeJsonBody } from "../../remoting/body/json_body.ts";
import { PermName, type TopicConfig, TopicSysFlag } from "../../remoting/body/topic_config.ts";
import type { Channel } from "../../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import { UnregisterClientRequestHeader } from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { isTagType } from "../../remoting/filter_api.ts";
import { retryTopic } from "../../remoting/group_topics.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { clientChannelInfo } from "../client_channel.ts";

/** The tables heartbeats fill. */
export type ClientManageServices = Pick<
  BrokerServices,
  "subscriptionGroups" | "consumers" | "producers"
>;
import { normalizeSubscriptionData, subscriptionOf } from "../consumer_subscription.ts";

export function clientManageProcessors(
  ctx: BrokerContext,
  s: ClientManageServices,
): Record<number, Processor> {
  return {
    [RequestCode.HEART_BEAT]: (req, ch) => heartBeat(ctx, s, req, ch),
    [RequestCode.UNREGISTER_CLIENT]: (req, ch) => unregisterClient(s, req, ch),
    [RequestCode.CHECK_CLIENT_CONFIG]: (req) => checkClientConfig(ctx, req),
  };
}

async function heartBeat(
  ctx: BrokerContext,
  s: ClientManageServices,
  req: RemotingCommand,
  ch: Channel,
): Promise<RemotingCommand> {
  if (!req.body || req.body.length === 0) {
    return createResponse(req, ResponseCode.SYSTEM_ERROR, "heartbeat body is empty");
  }
  const data = decodeHeartbeatData(req.body);
  const info = clientChannelInfo(ch, data.clientID, req.language, req.version);
  const groups = data.consumerDataSet.filter((c) => c.groupName).map((c) => ({
    c,
    config: s.subscriptionGroups.find(c.groupName),
  }));
  const created: TopicConfig[] = [];
  for (const { c, config } of groups) {
    const tc = config && createRetryTopic(ctx, c, config.retryQueueNums);
    if (tc) created.push(tc);
  }
  // The client looks the retry topic up next (and so may every member told of the change
  // below); the name servers must know it by then.
  if (created.length > 0) await ctx.registerSoon(created);
  for (const { c, config } of groups) {
    s.consumers.register(
      c.groupName,
      { ...info },
      c.consumeType,
      c.messageModel,
      c.consumeFromWhere,
      c.subscriptionDataSet.map((d) => subscriptionOf(normalizeSubscriptionData(d))),
      config?.notifyConsumerIdsChangedEnable ?? true,
    );
  }
  for (const p of data.producerDataSet) {
    if (p.groupName) s.producers.register(p.groupName, { ...info });
  }
  return createResponse(req, ResponseCode.SUCCESS);
}

/** Creates the group's retry topic unless it exists; the new topic's config, if created. */
function createRetryTopic(
  ctx: BrokerContext,
  c: ConsumerData,
  queueNums: number,
): TopicConfig | undefined {
  const topic = retryTopic(c.groupName);
  const topics = ctx.topicConfigManager;
  if (topics.get(topic)) return undefined;
  return topics.createTopicInSendMessageBackMethod(
    topic,
    queueNums,
    PermName.PERM_READ | PermName.PERM_WRITE,
    c.unitMode ? TopicSysFlag.FLAG_UNIT_SUB : 0,
  );
}

function unregisterClient(
  s: ClientManageServices,
  req: RemotingCommand,
  ch: Channel,
): RemotingCommand {
  const h = decodeHeader(UnregisterClientRequestHeader, req.extFields);
  if (h.producerGroup) s.producers.unregister(h.producerGroup, ch);
  if (h.consumerGroup) {
    const group = s.subscriptionGroups.get(h.consumerGroup);
    s.consumers.unregister(h.consumerGroup, ch, group?.notifyConsumerIdsChangedEnable ?? true);
  }
  return createResponse(req, ResponseCode.SUCCESS);
}

/**
 * CHECK_CLIENT_CONFIG: a consumer about to subscribe with a SQL92 selector asks whether this
 * broker can filter with it (enablePropertyFilter) and whether it parses.
 */
function checkClientConfig(ctx: BrokerContext, req: RemotingCommand): RemotingCommand {
  if (req.body && req.body.length > 0) {
    const body = asObject(decodeJsonBody(req.body, "CheckClientRequestBody"));
    if (body.subscriptionData !== undefined && body.subscriptionData !== null) {
      const sub = subscriptionDataFromJson(body.subscriptionData);
      if (isTagType(sub.expressionType)) return createResponse(req, ResponseCode.SUCCESS);
      if (!ctx.config.enablePropertyFilter || sub.expressionType !== ExpressionType.SQL92) {
        return createResponse(
          req,
          ResponseCode.SYSTEM_ERROR,
          `The broker does not support consumer to filter message by ${sub.expressionType}`,
        );
      }
      try {
        parseSql92(sub.subString);
      } catch (e) {
        return createResponse(req, ResponseCode.SUBSCRIPTION_PARSE_FAILED, errorMessage(e));
      }
    }
  }
  return createResponse(req, ResponseCode.SUCCESS);
}
