/**
 * Looking messages up (REMOTING.md §3.7): VIEW_MESSAGE_BY_ID by the commit-log offset inside an
 * offsetMsgId, QUERY_MESSAGE by key or UNIQ_KEY through the store's index, and
 * QUERY_CONSUME_QUEUE, a queue's raw entries (`mqadmin queryCq`).
 */
import { concatBytes } from "../../common/bytes.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  QueryConsumeQueueRequestHeader,
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
  ViewMessageRequestHeader,
} from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { ExpressionType } from "../../remoting/body/heartbeat_data.ts";
import {
  encodeQueryConsumeQueueBody,
  type QueryConsumeQueueBody,
} from "../../remoting/body/query_consume_queue_body.ts";
import { stringifyFastJson } from "../../common/fastjson.ts";

/** extFields key marking a query by UNIQ_KEY (MixAll.UNIQUE_MSG_QUERY_FLAG). */
export const UNIQUE_MSG_QUERY_FLAG = "_UNIQUE_KEY_QUERY";

export function queryProcessors(
  ctx: BrokerContext,
  s: Pick<BrokerServices, "consumers">,
): Record<number, Processor> {
  return {
    [RequestCode.VIEW_MESSAGE_BY_ID]: (req) => viewMessageById(ctx, req),
    [RequestCode.QUERY_MESSAGE]: (req) => queryMessage(ctx, req),
    [RequestCode.QUERY_CONSUME_QUEUE]: (req) => queryConsumeQueue(ctx, s, req),
  };
}

/**
 * Up to `count` entries from `index`, within the queue file holding it, as Java's
 * getIndexBuffer reads them; with `consumerGroup`, its subscription to the topic too. rmq has
 * no consume-queue extension, the only entries Java evaluates a filter for: `eval` is false.
 */
function queryConsumeQueue(
  ctx: BrokerContext,
  s: Pick<BrokerServices, "consumers">,
  req: RemotingCommand,
): RemotingCommand {
  const h = decodeHeader(QueryConsumeQueueRequestHeader, req.extFields);
  const topic = h.topic ?? "";
  const queueId = h.queueId ?? 0;
  const index = h.index ?? 0;
  if (!ctx.store.hasConsumeQueue(topic, queueId)) {
    return createResponse(req, ResponseCode.SYSTEM_ERROR, `${queueId}@${topic} is not exist!`);
  }
  const body: QueryConsumeQueueBody = {
    maxQueueIndex: ctx.store.getMaxOffsetInQueue(topic, queueId),
    minQueueIndex: ctx.store.getMinOffsetInQueue(topic, queueId),
  };
  if (h.consumerGroup !== undefined) {
    const data = s.consumers.get(h.consumerGroup)?.findSubscription(topic)?.data;
    body.subscriptionData = data;
    body.filterData = !data
      ? `${h.consumerGroup}@${topic} is not online!`
      : data.expressionType === ExpressionType.SQL92
      ? stringifyFastJson({
        consumerGroup: h.consumerGroup,
        expression: data.subString,
        expressionType: data.expressionType,
        topic,
      })
      : "null";
  }
  const entries = ctx.store.readConsumeQueue(topic, queueId, index, Math.max(0, h.count ?? 0));
  if (entries.length === 0) {
    return createResponse(
      req,
      ResponseCode.SUCCESS,
      `Index ${index} of ${queueId}@${topic} is not exist!`,
    );
  }
  body.queueData = entries.map((e) => ({
    physicOffset: e.commitLogOffset,
    physicSize: e.size,
    tagsCode: e.tagsCode,
    eval: false,
  }));
  return createResponse(
    req,
    ResponseCode.SUCCESS,
    undefined,
    {},
    encodeQueryConsumeQueueBody(body),
  );
}

async function viewMessageById(ctx: BrokerContext, req: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeHeader(ViewMessageRequestHeader, req.extFields);
  const record = h.offset >= 0 ? await ctx.store.lookMessageByOffset(h.offset) : undefined;
  if (!record) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `can not find message by the offset, ${h.offset}`,
    );
  }
  return createResponse(req, ResponseCode.SUCCESS, undefined, {}, record);
}

async function queryMessage(ctx: BrokerContext, req: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeHeader(QueryMessageRequestHeader, req.extFields);
  const maxNum = req.extFields[UNIQUE_MSG_QUERY_FLAG] === "true"
    ? ctx.config.defaultQueryMaxNum
    : h.maxNum;
  const r = await ctx.store.queryMessage(h.topic, h.key, maxNum, h.beginTimestamp, h.endTimestamp);
  const header = encodeHeader(QueryMessageResponseHeader, {
    indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
    indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
  });
  if (r.messages.length === 0) {
    return createResponse(
      req,
      ResponseCode.QUERY_NOT_FOUND,
      "can not find message, maybe time range not correct",
      header,
    );
  }
  return createResponse(req, ResponseCode.SUCCESS, undefined, header, concatBytes(r.messages));
}
