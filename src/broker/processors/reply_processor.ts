/**
 * SEND_REPLY_MESSAGE / _V2 (324 / 325), RocketMQ 4.6+'s request-reply: a responder's reply is
 * pushed at once to the requester's own connection (PUSH_REPLY_MESSAGE_TO_CLIENT, 326, found by
 * the REPLY_TO_CLIENT client id among the producers' heartbeats), and stored in the reply topic
 * too unless storeReplyMessageEnable is off. The answer says whether the push worked: a
 * requester that cannot be reached makes it SYSTEM_ERROR, as on Java.
 */
import { formatSocketAddress } from "../../common/message/socket_address.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { setProperty } from "../../common/message/properties.ts";
import { getProperty } from "../../common/message/properties.ts";
import type { Channel } from "../../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { MessageInput } from "../../store/message_store.ts";
import { pushReplyMessage } from "../broker_to_client.ts";
import type { BrokerContext, SendHeader } from "../broker_context.ts";
import type { SendMessageProcessor, SendServices } from "./send_processor.ts";

const EMPTY = new Uint8Array(0);
const STORED = new Set([
  "PUT_OK",
  "FLUSH_DISK_TIMEOUT",
  "FLUSH_SLAVE_TIMEOUT",
  "SLAVE_NOT_AVAILABLE",
]);

export class ReplyMessageProcessor {
  readonly #ctx: BrokerContext;
  readonly #services: SendServices;
  readonly #send: SendMessageProcessor;

  constructor(ctx: BrokerContext, services: SendServices, send: SendMessageProcessor) {
    this.#ctx = ctx;
    this.#services = services;
    this.#send = send;
  }

  async send(
    request: RemotingCommand,
    channel: Channel,
    decode: (extFields: Record<string, string>) => SendHeader,
  ): Promise<RemotingCommand> {
    const h = decode(request.extFields);
    const checked = this.#send.check(h, channel);
    if ("code" in checked) return createResponse(request, checked.code, checked.remark);
    const queueId = this.#send.queueId(h.queueId, checked);
    const msg: MessageInput = {
      topic: h.topic,
      queueId,
      flag: h.flag,
      sysFlag: h.sysFlag,
      bornTimestamp: h.bornTimestamp,
      bornHost: this.#send.bornHost(channel),
      storeHost: this.#ctx.storeHost,
      reconsumeTimes: h.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      body: request.body ?? EMPTY,
      properties: h.properties ?? "",
    };
    const pushed = await this.#push(h, msg);
    let msgId = "0";
    let queueOffset = 0;
    if (this.#ctx.config.storeReplyMessageEnable) {
      const r = await this.#ctx.store.putMessage(msg);
      if (STORED.has(r.status) && r.append) {
        msgId = r.append.msgId;
        queueOffset = r.append.queueOffset;
      }
    }
    if (pushed !== undefined) return createResponse(request, ResponseCode.SYSTEM_ERROR, pushed);
    const c = this.#ctx.config;
    return createResponse(request, ResponseCode.SUCCESS, undefined, {
      msgId,
      queueId: String(queueId),
      queueOffset: String(queueOffset),
      MSG_REGION: c.regionId,
      TRACE_ON: String(c.traceOn),
    });
  }

  /** Pushes the reply to its requester; why it could not be, or undefined when it was. */
  async #push(h: SendHeader, msg: MessageInput): Promise<string | undefined> {
    const clientId = getProperty(msg.properties, MessageConst.REPLY_TO_CLIENT);
    if (!clientId) return `reply message properties[${MessageConst.REPLY_TO_CLIENT}] is null`;
    const channel = this.#services.producers.findChannel(clientId);
    if (!channel) return `push reply message fail, channel of <${clientId}> not found.`;
    const properties = setProperty(
      msg.properties,
      MessageConst.PUSH_REPLY_TIME,
      String(Date.now()),
    );
    const ok = await pushReplyMessage(channel, {
      producerGroup: h.producerGroup,
      topic: h.topic,
      defaultTopic: h.defaultTopic,
      defaultTopicQueueNums: h.defaultTopicQueueNums,
      queueId: h.queueId,
      sysFlag: h.sysFlag,
      bornTimestamp: h.bornTimestamp,
      flag: h.flag,
      properties,
      reconsumeTimes: h.reconsumeTimes ?? 0,
      unitMode: h.unitMode ?? false,
      bornHost: formatSocketAddress(msg.bornHost),
      storeHost: formatSocketAddress(msg.storeHost),
      storeTimestamp: Date.now(),
    }, msg.body);
    return ok ? undefined : `push reply message to ${clientId}fail.`;
  }
}
