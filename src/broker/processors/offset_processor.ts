/**
 * Queue offset queries (REMOTING.md §3.4): GET_MAX_OFFSET, GET_MIN_OFFSET,
 * GET_EARLIEST_MSG_STORETIME and SEARCH_OFFSET_BY_TIMESTAMP, answered from the store.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  EarliestMsgStoretimeResponseHeader,
  OffsetResponseHeader,
  SearchOffsetRequestHeader,
  TopicQueueRequestHeader,
} from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext } from "../broker_context.ts";

export function offsetProcessors(ctx: BrokerContext): Record<number, Processor> {
  const store = ctx.store;
  const offset = (req: RemotingCommand, value: number) =>
    createResponse(
      req,
      ResponseCode.SUCCESS,
      undefined,
      encodeHeader(OffsetResponseHeader, { offset: value }),
    );
  return {
    [RequestCode.GET_MAX_OFFSET]: (req) => {
      const h = decodeHeader(TopicQueueRequestHeader, req.extFields);
      return offset(req, store.getMaxOffsetInQueue(h.topic, h.queueId));
    },
    [RequestCode.GET_MIN_OFFSET]: (req) => {
      const h = decodeHeader(TopicQueueRequestHeader, req.extFields);
      return offset(req, store.getMinOffsetInQueue(h.topic, h.queueId));
    },
    [RequestCode.GET_EARLIEST_MSG_STORETIME]: async (req) => {
      const h = decodeHeader(TopicQueueRequestHeader, req.extFields);
      const timestamp = await store.getEarliestMessageTime(h.topic, h.queueId);
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        encodeHeader(EarliestMsgStoretimeResponseHeader, { timestamp }),
      );
    },
    [RequestCode.SEARCH_OFFSET_BY_TIMESTAMP]: async (req) => {
      const h = decodeHeader(SearchOffsetRequestHeader, req.extFields);
      return offset(req, await store.getOffsetInQueueByTime(h.topic, h.queueId, h.timestamp));
    },
  };
}
