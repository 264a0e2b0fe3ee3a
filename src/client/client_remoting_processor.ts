/**
 * Requests brokers send a client over its own connection (Java's ClientRemotingProcessor,
 * REMOTING.md §1.4, §3.5, §3.8):
 *
 * - NOTIFY_CONSUMER_IDS_CHANGED (oneway): a group's membership changed; rebalance now.
 * - RESET_CONSUMER_CLIENT_OFFSET (oneway): an admin reset the group's offsets of a topic; the
 *   body (ResetOffsetBody) has the new offset per queue.
 * - GET_CONSUMER_RUNNING_INFO: the consumer's state, for `mqadmin consumerStatus`.
 * - CONSUME_MESSAGE_DIRECTLY: hand one stored message (the body) to the group's listener.
 * - CHECK_TRANSACTION_STATE (oneway): a half message (the body) is still open; its producer
 *   group (property PGROUP) answers with END_TRANSACTION.
 * - PUSH_REPLY_MESSAGE_TO_CLIENT: the reply to a request() of this client, matched to it by
 *   CORRELATION_ID.
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { decodeResetOffsetBody } from "../remoting/body/reset_offset_body.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { createResponse, type RemotingCommand } from "../remoting/command.ts";
import { decodeHeader } from "../remoting/header_codec.ts";
import {
  CheckTransactionStateRequestHeader,
  ConsumeMessageDirectlyResultRequestHeader,
  ConsumerGroupRequestHeader,
  GetConsumerRunningInfoRequestHeader,
  ReplyMessageRequestHeader,
  ResetOffsetRequestHeader,
} from "../remoting/headers.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import type { ConsumerInner, ProducerInner } from "./client_inner.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { decodeMessages, type ReceivedMessage } from "./message_ext.ts";
import { encodeMessageRecord } from "../common/message/message_codec.ts";
import { socketAddressOf } from "../common/message/socket_address.ts";
import { setProperty } from "../common/message/properties.ts";

const log = logger("client");

/** What the handlers work on: a client instance's connections, consumers and rebalancing. */
export interface ClientRequestTarget {
  readonly remoting: RemotingClient;
  readonly consumers: ReadonlyMap<string, ConsumerInner>;
  readonly producers: ReadonlyMap<string, ProducerInner>;
  readonly pendingRequests: Map<string, (reply: ReceivedMessage) => void>;
  rebalanceImmediately(): Promise<void>;
}

/** Registers the handlers on the instance's remoting client. */
export function registerClientProcessors(instance: ClientRequestTarget): void {
  const remoting = instance.remoting;
  remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req, ch) => {
    const group = decodeHeader(ConsumerGroupRequestHeader, req.extFields).consumerGroup;
    log.debug("Broker {addr} says the consumers of {group} changed; rebalancing", {
      addr: ch.remoteAddr,
      group,
    });
    void instance.rebalanceImmediately();
    return null;
  });
  remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, async (req) => {
    const h = decodeHeader(ResetOffsetRequestHeader, req.extFields);
    const consumer = instance.consumers.get(h.group);
    if (!consumer?.resetOffset) {
      log.warn("Offset reset for {group}, which has no push consumer here", { group: h.group });
      return null;
    }
    const table = req.body ? decodeResetOffsetBody(req.body) : [];
    try {
      await consumer.resetOffset(h.topic, table);
    } catch (e) {
      log.error("Offset reset of {topic} for {group} failed: {error}", {
        topic: h.topic,
        group: h.group,
        error: errorMessage(e),
      });
    }
    return null;
  });
  remoting.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, (req) => {
    const h = decodeHeader(GetConsumerRunningInfoRequestHeader, req.extFields);
    const consumer = instance.consumers.get(h.consumerGroup);
    if (!consumer?.consumerRunningInfo) return noConsumer(req, h.consumerGroup);
    return createResponse(req, ResponseCode.SUCCESS, undefined, {}, consumer.consumerRunningInfo());
  });
  remoting.registerProcessor(RequestCode.CONSUME_MESSAGE_DIRECTLY, async (req) => {
    const h = decodeHeader(ConsumeMessageDirectlyResultRequestHeader, req.extFields);
    const consumer = instance.consumers.get(h.consumerGroup);
    if (!consumer?.consumeMessageDirectly) return noConsumer(req, h.consumerGroup);
    const msgs = req.body ? decodeMessages(req.body, h.brokerName ?? "") : [];
    if (msgs.length === 0) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, "The message body is empty");
    }
    const body = await consumer.consumeMessageDirectly(msgs[0]);
    return createResponse(req, ResponseCode.SUCCESS, undefined, {}, body);
  });
  registerTransactionCheck(instance);
  registerReplyReceiver(instance);
}

function registerTransactionCheck(instance: ClientRequestTarget): void {
  instance.remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req, ch) => {
    const h = decodeHeader(CheckTransactionStateRequestHeader, req.extFields);
    const msg = req.body ? decodeMessages(req.body, "")[0] : undefined;
    const group = msg?.getProperty(MessageConst.PGROUP);
    const producer = group === undefined ? undefined : instance.producers.get(group);
    if (!msg || !producer?.checkTransactionState) {
      log.warn("Broker {addr} asks about transaction {msgId} of group {group}, not produced here", {
        addr: ch.remoteAddr,
        msgId: h.msgId ?? "",
        group: group ?? "(none)",
      });
      return null;
    }
    producer.checkTransactionState(ch.remoteAddr, msg, h);
    return null;
  });
}

function registerReplyReceiver(instance: ClientRequestTarget): void {
  instance.remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (req, ch) => {
    const h = decodeHeader(ReplyMessageRequestHeader, req.extFields);
    const properties = setProperty(
      h.properties ?? "",
      MessageConst.ARRIVE_TIME,
      String(Date.now()),
    );
    // The reply as a stored record, so the requester gets the same MessageExt as a consumer.
    const record = encodeMessageRecord({
      topic: h.topic,
      queueId: h.queueId,
      flag: h.flag,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: h.sysFlag,
      bornTimestamp: h.bornTimestamp,
      bornHost: socketAddressOf(h.bornHost),
      storeTimestamp: h.storeTimestamp,
      storeHost: socketAddressOf(h.storeHost),
      reconsumeTimes: h.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      body: req.body ?? new Uint8Array(0),
      properties,
    });
    const reply = decodeMessages(record, "")[0];
    const correlationId = reply.getProperty(MessageConst.CORRELATION_ID) ?? "";
    const waiter = instance.pendingRequests.get(correlationId);
    if (waiter) {
      instance.pendingRequests.delete(correlationId);
      waiter(reply);
    } else {
      log.warn("Reply {correlationId} from {addr} matches no request (timed out?)", {
        correlationId,
        addr: ch.remoteAddr,
      });
    }
    return createResponse(req, ResponseCode.SUCCESS);
  });
}

function noConsumer(req: RemotingCommand, group: string): RemotingCommand {
  return createResponse(
    req,
    ResponseCode.SYSTEM_ERROR,
    `The Consumer Group <${group}> not exist in this consumer`,
  );
}
