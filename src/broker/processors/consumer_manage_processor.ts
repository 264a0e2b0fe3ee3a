/**
 * What a consumer asks about its group (REMOTING.md §3.4, §3.5): GET_CONSUMER_LIST_BY_GROUP,
 * QUERY_CONSUMER_OFFSET / UPDATE_CONSUMER_OFFSET, and the orderly consumer's LOCK_BATCH_MQ /
 * UNLOCK_BATCH_MQ.
 */
import { encodeConsumerIdList } from "../../remoting/body/consumer_list.ts";
import { decodeLockBatchRequest, encodeLockBatchResponse } from "../../remoting/body/lock_batch.ts";
import type { Channel } from "../../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  ConsumerGroupRequestHeader,
  OffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";

/** Consumer lists, offsets and queue locks. */
export type ConsumerManageServices = Pick<
  BrokerServices,
  "consumers" | "consumerOffsets" | "locks"
>;

export function consumerManageProcessors(
  ctx: BrokerContext,
  s: ConsumerManageServices,
): Record<number, Processor> {
  return {
    [RequestCode.GET_CONSUMER_LIST_BY_GROUP]: (req) => getConsumerListByGroup(s, req),
    [RequestCode.QUERY_CONSUMER_OFFSET]: (req) => queryConsumerOffset(ctx, s, req),
    [RequestCode.UPDATE_CONSUMER_OFFSET]: (req, ch) => updateConsumerOffset(s, req, ch),
    [RequestCode.LOCK_BATCH_MQ]: (req) => lockBatch(s, req),
    [RequestCode.UNLOCK_BATCH_MQ]: (req) => unlockBatch(s, req),
  };
}

function getConsumerListByGroup(s: ConsumerManageServices, req: RemotingCommand): RemotingCommand {
  const h = decodeHeader(ConsumerGroupRequestHeader, req.extFields);
  const ids = s.consumers.get(h.consumerGroup)?.clientIds() ?? [];
  if (ids.length === 0) {
    return createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `no consumer for this group, ${h.consumerGroup}`,
    );
  }
  return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeConsumerIdList(ids));
}

/**
 * The committed offset; without one, 0 when the queue still starts at offset 0 and its first
 * message is in memory (a new group reads a fresh topic's backlog), else QUERY_NOT_FOUND and
 * the client applies consumeFromWhere (§8.7).
 */
function queryConsumerOffset(
  ctx: BrokerContext,
  s: ConsumerManageServices,
  req: RemotingCommand,
): RemotingCommand {
  const h = decodeHeader(QueryConsumerOffsetRequestHeader, req.extFields);
  let offset = s.consumerOffsets.queryOffset(h.consumerGroup, h.topic, h.queueId);
  if (offset < 0) {
    const store = ctx.store;
    // 5.x clients may ask for "not found" rather than 0 (setZeroIfNotFound=false).
    const zeroAllowed = req.extFields.setZeroIfNotFound !== "false";
    if (
      zeroAllowed && store.getMinOffsetInQueue(h.topic, h.queueId) <= 0 &&
      store.checkInMemByConsumeOffset(h.topic, h.queueId, 0)
    ) {
      offset = 0;
    } else {
      return createResponse(
        req,
        ResponseCode.QUERY_NOT_FOUND,
        "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first",
      );
    }
  }
  return createResponse(
    req,
    ResponseCode.SUCCESS,
    undefined,
    encodeHeader(OffsetResponseHeader, { offset }),
  );
}

function updateConsumerOffset(
  s: ConsumerManageServices,
  req: RemotingCommand,
  ch: Channel,
): RemotingCommand {
  const h = decodeHeader(UpdateConsumerOffsetRequestHeader, req.extFields);
  s.consumerOffsets.commitOffset(
    ch.remoteAddr,
    h.consumerGroup,
    h.topic,
    h.queueId,
    h.commitOffset,
  );
  return createResponse(req, ResponseCode.SUCCESS);
}

function lockBatch(s: ConsumerManageServices, req: RemotingCommand): RemotingCommand {
  if (!req.body) return createResponse(req, ResponseCode.SYSTEM_ERROR, "lock body is empty");
  const b = decodeLockBatchRequest(req.body);
  const locked = s.locks.tryLockBatch(b.consumerGroup, b.mqSet, b.clientId);
  return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeLockBatchResponse(locked));
}

function unlockBatch(s: ConsumerManageServices, req: RemotingCommand): RemotingCommand {
  if (!req.body) return createResponse(req, ResponseCode.SYSTEM_ERROR, "unlock body is empty");
  const b = decodeLockBatchRequest(req.body);
  s.locks.unlockBatch(b.consumerGroup, b.mqSet, b.clientId);
  return createResponse(req, ResponseCode.SUCCESS);
}
