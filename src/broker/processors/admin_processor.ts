/**
 * Broker administration (REMOTING.md §3.8): topics (UPDATE_AND_CREATE_TOPIC,
 * DELETE_TOPIC_IN_BROKER, GET_ALL_TOPIC_CONFIG, GET_TOPIC_CONFIG, GET_TOPIC_STATS_INFO), the
 * broker's config (GET_BROKER_CONFIG, UPDATE_BROKER_CONFIG), GET_BROKER_RUNTIME_INFO, and
 * store housekeeping on demand (CLEAN_EXPIRED_CONSUMEQUEUE, CLEAN_UNUSED_TOPIC).
 */
import { errorMessage } from "../../common/errors.ts";
import { stringifyFastJson } from "../../common/fastjson.ts";
import { logger } from "../../common/log.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  CreateTopicRequestHeader,
  GetBrokerConfigResponseHeader,
  TopicRequestHeader,
} from "../../remoting/headers.ts";
import { dataVersionToJson } from "../../remoting/body/data_version.ts";
import { encodeJsonBody } from "../../remoting/body/json_body.ts";
import { decodeProperties, encodeProperties } from "../../remoting/body/properties_body.ts";
import {
  createTopicConfig,
  type TopicConfig,
  topicConfigToJson,
  topicConfigWrapperToJson,
  TopicFilterType,
} from "../../remoting/body/topic_config.ts";
import { encodeKVTable } from "../../remoting/body/topic_list.ts";
import {
  encodeTopicStatsTable,
  type TopicStatsTable,
} from "../../remoting/body/topic_stats_table.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { BROKER_CONFIG_SCHEMA, type BrokerConfig, LIVE_CONFIG_KEYS } from "../broker_config.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { runtimeInfo } from "../runtime_info.ts";
import { validateTopic } from "../topic_validator.ts";

const log = logger("broker");

const MAX_QUEUE_NUMS = 65535;

/** What admin requests read besides the context: the schedule's offsets and the statistics. */
export type AdminServices = Pick<BrokerServices, "schedule" | "stats">;

export function adminProcessors(ctx: BrokerContext, s: AdminServices): Record<number, Processor> {
  return {
    [RequestCode.UPDATE_AND_CREATE_TOPIC]: (req) => updateAndCreateTopic(ctx, req),
    [RequestCode.DELETE_TOPIC_IN_BROKER]: (req) => deleteTopic(ctx, req),
    [RequestCode.GET_ALL_TOPIC_CONFIG]: (req) =>
      createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        {},
        encodeJsonBody(topicConfigWrapperToJson(ctx.topicConfigManager.wrapper())),
      ),
    [RequestCode.GET_TOPIC_CONFIG]: (req) => {
      const h = decodeHeader(TopicRequestHeader, req.extFields);
      const tc = ctx.topicConfigManager.get(h.topic);
      if (!tc) {
        return createResponse(
          req,
          ResponseCode.TOPIC_NOT_EXIST,
          `No topic in this broker. topic: ${h.topic}`,
        );
      }
      // 5.x answers TopicConfigAndQueueMapping: the topic's config (plus mapping fields 4.x
      // brokers do not have).
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        {},
        encodeJsonBody(
          topicConfigToJson(tc),
        ),
      );
    },
    [RequestCode.GET_TOPIC_STATS_INFO]: (req) => getTopicStatsInfo(ctx, req),
    [RequestCode.GET_BROKER_CONFIG]: (req) => getBrokerConfig(ctx, req),
    [RequestCode.UPDATE_BROKER_CONFIG]: (req) => updateBrokerConfig(ctx, req),
    [RequestCode.GET_BROKER_RUNTIME_INFO]: (req) =>
      createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeKVTable(runtimeInfo(ctx, s))),
    [RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE]: async (req) => {
      const n = await ctx.store.cleanExpiredConsumeQueues();
      log.warn("CLEAN_EXPIRED_CONSUMEQUEUE: {n} consume queues deleted", { n });
      return createResponse(req, ResponseCode.SUCCESS);
    },
    [RequestCode.CLEAN_UNUSED_TOPIC]: async (req) => {
      const keep = new Set([...ctx.topicConfigManager.topics()].map((tc) => tc.topicName));
      const n = await ctx.store.cleanUnusedTopics(keep);
      log.warn("CLEAN_UNUSED_TOPIC: consume queues of {n} topics deleted", { n });
      return createResponse(req, ResponseCode.SUCCESS);
    },
  };
}

/** A slave's topic table is its master's (copied every 10 s): it is changed there. */
function slaveRefusal(ctx: BrokerContext): string | undefined {
  return ctx.config.brokerRole === "SLAVE"
    ? `the broker ${ctx.brokerAddr} is a slave: change topics on its master`
    : undefined;
}

async function updateAndCreateTopic(
  ctx: BrokerContext,
  req: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeHeader(CreateTopicRequestHeader, req.extFields);
  const invalid = validateTopic(h.topic) ?? slaveRefusal(ctx);
  if (invalid) return createResponse(req, ResponseCode.SYSTEM_ERROR, invalid);
  if (ctx.config.validateSystemTopicWhenUpdateTopic && ctx.systemTopics.has(h.topic)) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `The topic[${h.topic}] is conflict with system topic.`,
    );
  }
  if (h.topicFilterType !== TopicFilterType.SINGLE_TAG && h.topicFilterType !== "MULTI_TAG") {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `Unknown topicFilterType ${JSON.stringify(h.topicFilterType)} (SINGLE_TAG or MULTI_TAG)`,
    );
  }
  for (
    const [key, n] of [["readQueueNums", h.readQueueNums], [
      "writeQueueNums",
      h.writeQueueNums,
    ]] as const
  ) {
    if (n < 0 || n > MAX_QUEUE_NUMS) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `${key} ${n} is out of range 0..${MAX_QUEUE_NUMS}`,
      );
    }
  }
  const tc: TopicConfig = createTopicConfig(h.topic, {
    readQueueNums: h.readQueueNums,
    writeQueueNums: h.writeQueueNums,
    perm: h.perm,
    topicFilterType: h.topicFilterType,
    topicSysFlag: h.topicSysFlag ?? 0,
    order: h.order,
  });
  ctx.topicConfigManager.updateTopicConfig(tc);
  // The admin tool's call returns once the name servers know the topic, as Java's does.
  await ctx.registerSoon([tc]);
  return createResponse(req, ResponseCode.SUCCESS);
}

async function deleteTopic(ctx: BrokerContext, req: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeHeader(TopicRequestHeader, req.extFields);
  const invalid = validateTopic(h.topic) ?? slaveRefusal(ctx);
  if (invalid) return createResponse(req, ResponseCode.SYSTEM_ERROR, invalid);
  if (ctx.systemTopics.has(h.topic)) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `The topic[${h.topic}] is conflict with system topic.`,
    );
  }
  ctx.topicConfigManager.deleteTopicConfig(h.topic);
  await ctx.store.deleteTopics([h.topic]);
  return createResponse(req, ResponseCode.SUCCESS);
}

function getTopicStatsInfo(ctx: BrokerContext, req: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeHeader(TopicRequestHeader, req.extFields);
  const tc = ctx.topicConfigManager.get(h.topic);
  if (!tc) {
    return Promise.resolve(
      createResponse(req, ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist`),
    );
  }
  return (async () => {
    const table: TopicStatsTable = [];
    for (let queueId = 0; queueId < tc.writeQueueNums; queueId++) {
      const minOffset = Math.max(0, ctx.store.getMinOffsetInQueue(h.topic, queueId));
      const maxOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(h.topic, queueId));
      const lastUpdateTimestamp = maxOffset > 0
        ? Math.max(0, await ctx.store.getMessageStoreTimeStamp(h.topic, queueId, maxOffset - 1))
        : 0;
      table.push([{ topic: h.topic, brokerName: ctx.brokerName, queueId }, {
        minOffset,
        maxOffset,
        lastUpdateTimestamp,
      }]);
    }
    return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeTopicStatsTable(table));
  })();
}

/** Every config key as `key=value` lines; header `version` is the config's DataVersion. */
function getBrokerConfig(ctx: BrokerContext, req: RemotingCommand): RemotingCommand {
  const entries: [string, string][] = Object.keys(BROKER_CONFIG_SCHEMA).map((k) => [
    k,
    String(ctx.config[k as keyof BrokerConfig]),
  ]);
  return createResponse(
    req,
    ResponseCode.SUCCESS,
    undefined,
    encodeHeader(GetBrokerConfigResponseHeader, {
      version: stringifyFastJson(dataVersionToJson(ctx.configDataVersion)),
    }),
    encodeProperties(entries),
  );
}

/**
 * Applies `key=value` lines, all or none: live keys only; a key the broker does not have is
 * refused (Java ignores it and reports success, which tells the operator a change happened).
 */
function updateBrokerConfig(ctx: BrokerContext, req: RemotingCommand): RemotingCommand {
  if (!req.body || req.body.length === 0) {
    return createResponse(req, ResponseCode.SYSTEM_ERROR, "string2Properties error");
  }
  const props = decodeProperties(req.body);
  const schema = BROKER_CONFIG_SCHEMA as Record<string, { parse(v: unknown, k: string): unknown }>;
  const unknown = [...props.keys()].filter((k) => !Object.hasOwn(schema, k));
  if (unknown.length > 0) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `Unknown config key ${unknown.join(", ")}: the broker has no such setting`,
    );
  }
  const changes: Record<string, unknown> = {};
  for (const [k, raw] of props) {
    const spec = schema[k];
    if (!LIVE_CONFIG_KEYS.has(k)) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `Cannot update ${k} while the broker runs: set it in the config file and restart`,
      );
    }
    try {
      changes[k] = spec.parse(raw, k);
    } catch (e) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, errorMessage(e));
    }
  }
  ctx.updateConfig(changes as Partial<BrokerConfig>);
  log.info("Broker config updated: {changes}", { changes });
  return createResponse(req, ResponseCode.SUCCESS);
}
