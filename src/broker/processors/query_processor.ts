/**
 * Looking messages up (REMOTING.md §3.7): VIEW_MESSAGE_BY_ID by the commit-log offset inside an
 * offsetMsgId, QUERY_MESSAGE by key or UNIQ_KEY through the store's index.
 */
import { concatBytes } from "../../common/bytes.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
  ViewMessageRequestHeader,
} from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext } from "../broker_context.ts";

/** extFields key marking a query by UNIQ_KEY (MixAll.UNIQUE_MSG_QUERY_FLAG). */
export const UNIQUE_MSG_QUERY_FLAG = "_UNIQUE_KEY_QUERY";

export function queryProcessors(ctx: BrokerContext): Record<number, Processor> {
  return {
    [RequestCode.VIEW_MESSAGE_BY_ID]: (req) => viewMessageById(ctx, req),
    [RequestCode.QUERY_MESSAGE]: (req) => queryMessage(ctx, req),
  };
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
