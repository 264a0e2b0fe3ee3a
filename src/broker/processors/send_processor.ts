/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320): the broker's send
 * algorithm (REMOTING.md §3.2), steps numbered as there. This is the hot path: the header is
 * decoded once, the property string is touched with the cheap string helpers (no parse), and
 * nothing is logged per message.
 */
import { decodeBatch } from "../../common/message/batch_codec.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import {
  getProperty,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  removeProperty,
  setProperty,
} from "../../common/message/properties.ts";
import { type SocketAddress, socketAddressOf } from "../../common/message/socket_address.ts";
import { MessageSysFlag, transactionType } from "../../common/message/sys_flag.ts";
import type { Channel } from "../../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import {
  isWriteable,
  PermName,
  type TopicConfig,
  TopicFilterType,
} from "../../remoting/body/topic_config.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { type MessageInput, type PutResult, PutStatus } from "../../store/message_store.ts";
import type { BrokerContext, BrokerServices, Refusal, SendHeader } from "../broker_context.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import { SendMessageRequestHeader, SendMessageRequestHeaderV2 } from "../../remoting/headers.ts";
import { topicSysFlagOf } from "../topic_config_manager.ts";
import { isRetryTopic, RETRY_GROUP_TOPIC_PREFIX } from "../../remoting/group_topics.ts";
import { randomQueueId } from "../random_queue_id.ts";
import { maxReconsumeTimesOf, toDeadLetter } from "../retry_policy.ts";
import { ReplyMessageProcessor } from "./reply_processor.ts";
import { isNotAllowedSendTopic, TOPIC_MAX_LENGTH, validateTopic } from "../topic_validator.ts";

/** What the send path needs besides the context: groups, for sends to `%RETRY%<group>`. */
export type SendServices = Pick<
  BrokerServices,
  "subscriptionGroups" | "transactions" | "producers" | "stats"
>;

export function sendProcessors(
  ctx: BrokerContext,
  services: SendServices,
): Record<number, Processor> {
  const p = new SendMessageProcessor(ctx, services);
  const reply = new ReplyMessageProcessor(ctx, services, p);
  return {
    [RequestCode.SEND_MESSAGE]: (req, ch) => p.send(req, ch, decodeSendHeader),
    [RequestCode.SEND_MESSAGE_V2]: (req, ch) => p.send(req, ch, decodeSendHeaderV2),
    [RequestCode.SEND_BATCH_MESSAGE]: (req, ch) => p.sendBatch(req, ch),
    [RequestCode.SEND_REPLY_MESSAGE]: (req, ch) => reply.send(req, ch, decodeSendHeader),
    [RequestCode.SEND_REPLY_MESSAGE_V2]: (req, ch) => reply.send(req, ch, decodeSendHeaderV2),
  };
}

const decodeSendHeader = (ext: Record<string, string>): SendHeader =>
  decodeHeader(SendMessageRequestHeader, ext);
/** SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE: the same fields under `a`…`n`. */
const decodeSendHeaderV2 = (ext: Record<string, string>): SendHeader =>
  decodeHeader(SendMessageRequestHeaderV2, ext);

const WAIT_ITEM = MessageConst.WAIT + NAME_VALUE_SEPARATOR;
const TRAN_MSG_ITEM = MessageConst.TRAN_MSG + NAME_VALUE_SEPARATOR;
const CLUSTER_ITEM = MessageConst.CLUSTER + NAME_VALUE_SEPARATOR;

/** Java's Boolean.parseBoolean. */
function isTrue(v: string | undefined): boolean {
  return v !== undefined && v.length === 4 && v.toLowerCase() === "true";
}

/** What a send's property string becomes before it is stored. */
interface PreparedProperties {
  properties: string;
  /** The producer's WAIT (default true): SYNC_FLUSH waits for the disk only when true. */
  wait: boolean;
  /** TRAN_MSG=true: a transactional half message. */
  transaction: boolean;
}

export class SendMessageProcessor {
  readonly #ctx: BrokerContext;
  readonly #services: SendServices;
  /** Born hosts by connection: the peer address parsed once per connection. */
  readonly #bornHosts = new WeakMap<Channel, SocketAddress>();
  /** `CLUSTER\x01<cluster>\x02`, appended to every stored property string. */
  readonly #clusterProperty: string;

  constructor(ctx: BrokerContext, services: SendServices) {
    this.#ctx = ctx;
    this.#services = services;
    this.#clusterProperty = CLUSTER_ITEM + ctx.clusterName + PROPERTY_SEPARATOR;
  }

  /** SEND_MESSAGE / SEND_MESSAGE_V2: one message. */
  async send(
    request: RemotingCommand,
    channel: Channel,
    decode: (extFields: Record<string, string>) => SendHeader,
  ): Promise<RemotingCommand> {
    const flow = this.#ctx.sendFlowControl;
    const slot = flow.admit();
    if (slot < 0) return createResponse(request, ResponseCode.SYSTEM_BUSY, flow.refusal);
    try {
      const header = decode(request.extFields);
      const checked = this.check(header, channel);
      if ("code" in checked) return createResponse(request, checked.code, checked.remark);
      const topicConfig = checked;

      const body = request.body ?? EMPTY;
      const maxSize = this.#ctx.config.maxMessageSize;
      if (body.length > maxSize) {
        return createResponse(
          request,
          ResponseCode.MESSAGE_ILLEGAL,
          `the message body size ${body.length} bytes is larger than maxMessageSize ${maxSize}`,
        );
      }
      const props = this.#prepareProperties(header.properties ?? "");
      // Step 7: a transactional message is stored as a half message until it is committed.
      const transactional = props.transaction ||
        transactionType(header.sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE;
      if (transactional && this.#ctx.config.rejectTransactionMessage) {
        return createResponse(
          request,
          ResponseCode.NO_PERMISSION,
          `the broker[${this.#ctx.brokerIP1}] sending transaction message is forbidden`,
        );
      }
      const msg: MessageInput = {
        topic: header.topic,
        queueId: this.queueId(header.queueId, topicConfig),
        flag: header.flag,
        sysFlag: this.#sysFlag(header.sysFlag, topicConfig),
        bornTimestamp: header.bornTimestamp,
        bornHost: this.bornHost(channel),
        storeHost: this.#ctx.storeHost,
        reconsumeTimes: header.reconsumeTimes ?? 0,
        preparedTransactionOffset: 0,
        body,
        properties: props.properties,
        waitStoreMsgOK: props.wait,
      };
      // Step 4: %RETRY% topics (subscription group check, %DLQ% after maxReconsumeTimes).
      if (isRetryTopic(msg.topic)) {
        const no = this.#retryStep(msg, header, request);
        if (no) return createResponse(request, no.code, no.remark);
      }
      // Step 8: DELAY=<level> is scheduled by the store at put time (SCHEDULE_TOPIC_XXXX queue
      // level−1, REAL_TOPIC/REAL_QID kept); delivering due messages is the schedule service's.
      const result = transactional
        ? await this.#services.transactions.prepare(msg)
        : await this.#ctx.store.putMessage(msg);
      return this.#response(request, result, msg.queueId, msg.topic);
    } finally {
      flow.done(slot);
    }
  }

  /** SEND_BATCH_MESSAGE: one topic-queue, consecutive queue offsets. */
  async sendBatch(request: RemotingCommand, channel: Channel): Promise<RemotingCommand> {
    const flow = this.#ctx.sendFlowControl;
    const slot = flow.admit();
    if (slot < 0) return createResponse(request, ResponseCode.SYSTEM_BUSY, flow.refusal);
    try {
      const header = decodeSendHeaderV2(request.extFields);
      if (header.topic.length > TOPIC_MAX_LENGTH) {
        return createResponse(
          request,
          ResponseCode.MESSAGE_ILLEGAL,
          `message topic length too long ${header.topic.length}`,
        );
      }
      if (isRetryTopic(header.topic)) {
        return createResponse(
          request,
          ResponseCode.MESSAGE_ILLEGAL,
          `batch request does not support retry group ${header.topic}`,
        );
      }
      const checked = this.check(header, channel);
      if ("code" in checked) return createResponse(request, checked.code, checked.remark);
      const topicConfig = checked;

      const body = request.body ?? EMPTY;
      let items;
      try {
        items = decodeBatch(body);
      } catch (e) {
        return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, (e as Error).message);
      }
      // 4.9 appends the batch's own properties (header `i`, WAIT dropped) and CLUSTER to every
      // message's properties.
      const batchProps = this.#prepareProperties(header.properties ?? "");
      if (
        batchProps.transaction ||
        transactionType(header.sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE
      ) {
        return createResponse(
          request,
          ResponseCode.NO_PERMISSION,
          `the broker[${this.#ctx.brokerIP1}] sending transaction message is forbidden`,
        );
      }
      const queueId = this.queueId(header.queueId, topicConfig);
      const sysFlag = this.#sysFlag(header.sysFlag, topicConfig);
      const bornHost = this.bornHost(channel);
      const storeHost = this.#ctx.storeHost;
      const reconsumeTimes = header.reconsumeTimes ?? 0;
      const batch: MessageInput[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        let own = item.properties;
        if (own.includes(WAIT_ITEM)) own = removeProperty(own, MessageConst.WAIT);
        batch[i] = {
          topic: header.topic,
          queueId,
          flag: item.flag,
          sysFlag,
          bornTimestamp: header.bornTimestamp,
          bornHost,
          storeHost,
          reconsumeTimes,
          preparedTransactionOffset: 0,
          body: item.body,
          properties: joinProperties(own, batchProps.properties),
          waitStoreMsgOK: batchProps.wait,
        };
      }
      const result = await this.#ctx.store.putMessages(batch);
      return this.#response(request, result, queueId, header.topic);
    } finally {
      flow.done(slot);
    }
  }

  /**
   * Steps 1–3: permissions, topic name, topic existence (auto-creating it from the default
   * topic, or a %RETRY% topic with one queue), queue id range. The topic's config, or why not.
   */
  check(h: SendHeader, channel: Channel): TopicConfig | Refusal {
    const ctx = this.#ctx;
    if (!isWriteable(ctx.config.brokerPermission)) {
      return {
        code: ResponseCode.NO_PERMISSION,
        remark: `the broker[${ctx.brokerIP1}] sending message is forbidden`,
      };
    }
    const invalid = validateTopic(h.topic);
    if (invalid) return { code: ResponseCode.SYSTEM_ERROR, remark: invalid };
    if (isNotAllowedSendTopic(h.topic)) {
      return {
        code: ResponseCode.NO_PERMISSION,
        remark: `Sending message to topic[${h.topic}] is forbidden.`,
      };
    }
    const topics = ctx.topicConfigManager;
    let tc = topics.get(h.topic);
    if (!tc) {
      const sysFlag = topicSysFlagOf(h.topic, h.unitMode);
      tc = topics.createTopicInSendMessageMethod(
        h.topic,
        h.defaultTopic,
        h.defaultTopicQueueNums,
        sysFlag,
      );
      if (!tc && isRetryTopic(h.topic)) {
        tc = topics.createTopicInSendMessageBackMethod(
          h.topic,
          1,
          PermName.PERM_READ | PermName.PERM_WRITE,
          sysFlag,
        );
      }
      if (!tc) {
        return {
          code: ResponseCode.TOPIC_NOT_EXIST,
          remark: `topic[${h.topic}] not exist, apply first please!`,
        };
      }
    }
    if (!isWriteable(tc.perm)) {
      return {
        code: ResponseCode.NO_PERMISSION,
        remark: `the topic[${h.topic}] sending message is forbidden`,
      };
    }
    const queueNums = Math.max(tc.readQueueNums, tc.writeQueueNums);
    if (h.queueId >= queueNums || (h.queueId < 0 && tc.writeQueueNums <= 0)) {
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: `request queueId[${h.queueId}] is illegal, topic[${h.topic}] has ` +
          `${tc.writeQueueNums} write and ${tc.readQueueNums} read queues, Producer: ` +
          channel.remoteAddr,
      };
    }
    return tc;
  }

  /**
   * §3.2 step 4 for a send to `%RETRY%<group>`: the group must exist; a message that has been
   * consumed maxReconsumeTimes times goes to `%DLQ%<group>` queue 0, undelayed.
   */
  #retryStep(msg: MessageInput, header: SendHeader, request: RemotingCommand): Refusal | undefined {
    const groupName = msg.topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
    const group = this.#services.subscriptionGroups.find(groupName);
    if (!group) {
      return {
        code: ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        remark: `subscription group not exist, ${groupName}`,
      };
    }
    const maxTimes = maxReconsumeTimesOf(request, header.maxReconsumeTimes, group.retryMaxTimes);
    if ((header.reconsumeTimes ?? 0) >= maxTimes) {
      toDeadLetter(msg, groupName, this.#ctx.topicConfigManager);
    }
    return undefined;
  }

  queueId(requested: number, tc: TopicConfig): number {
    return requested < 0 ? randomQueueId(tc.writeQueueNums) : requested;
  }

  /** Step 5: MULTI_TAG topics mark their messages. */
  #sysFlag(sysFlag: number, tc: TopicConfig): number {
    return tc.topicFilterType === TopicFilterType.MULTI_TAG
      ? sysFlag | MessageSysFlag.MULTI_TAGS
      : sysFlag;
  }

  /** Step 6: WAIT is dropped from the stored string (its value kept), CLUSTER is added. */
  #prepareProperties(properties: string): PreparedProperties {
    let s = properties;
    let wait = true;
    if (s.includes(WAIT_ITEM)) {
      const w = getProperty(s, MessageConst.WAIT);
      if (w !== undefined) {
        wait = isTrue(w);
        s = removeProperty(s, MessageConst.WAIT);
      }
    }
    const transaction = s.includes(TRAN_MSG_ITEM) &&
      isTrue(getProperty(s, MessageConst.TRAN_MSG));
    if (s.includes(CLUSTER_ITEM)) {
      s = setProperty(s, MessageConst.CLUSTER, this.#ctx.clusterName);
    } else {
      s = joinProperties(s, this.#clusterProperty);
    }
    return { properties: s, wait, transaction };
  }

  bornHost(channel: Channel): SocketAddress {
    let host = this.#bornHosts.get(channel);
    if (!host) {
      host = socketAddressOf(channel.remoteAddr);
      this.#bornHosts.set(channel, host);
    }
    return host;
  }

  /** Step 9: the store's status as a response; stored outcomes carry the send header. */
  #response(
    request: RemotingCommand,
    result: PutResult,
    queueId: number,
    topic: string,
  ): RemotingCommand {
    const r = putStatusResponse(result);
    const a = result.append;
    const remark = r.remark || undefined;
    if (!isStoredCode(r.code) || !a) return createResponse(request, r.code, remark);
    const stats = this.#services.stats;
    stats.stored(topic, this.#ctx.clusterName, a.msgNum, a.wroteBytes);
    const config = this.#ctx.config;
    return createResponse(request, r.code, remark, {
      msgId: a.msgId,
      queueId: String(queueId),
      queueOffset: String(a.queueOffset),
      MSG_REGION: config.regionId,
      TRACE_ON: String(config.traceOn),
    });
  }
}

const EMPTY = new Uint8Array(0);

/** Two property strings as one (the first may lack its trailing separator). */
function joinProperties(a: string, b: string): string {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return a.charCodeAt(a.length - 1) === 2 ? a + b : a + PROPERTY_SEPARATOR + b;
}

function isStoredCode(code: number): boolean {
  return code === ResponseCode.SUCCESS || code === ResponseCode.FLUSH_DISK_TIMEOUT ||
    code === ResponseCode.FLUSH_SLAVE_TIMEOUT || code === ResponseCode.SLAVE_NOT_AVAILABLE;
}

/**
 * A put's status as a response code and remark (SendMessageProcessor.handlePutMessageResult);
 * page-cache pressure is SYSTEM_BUSY so producers back off instead of retrying elsewhere at once.
 */
export function putStatusResponse(result: PutResult): Refusal {
  switch (result.status) {
    case PutStatus.PUT_OK:
      return { code: ResponseCode.SUCCESS, remark: "" };
    case PutStatus.FLUSH_DISK_TIMEOUT:
      return { code: ResponseCode.FLUSH_DISK_TIMEOUT, remark: result.remark ?? "" };
    case PutStatus.FLUSH_SLAVE_TIMEOUT:
      return { code: ResponseCode.FLUSH_SLAVE_TIMEOUT, remark: result.remark ?? "" };
    case PutStatus.SLAVE_NOT_AVAILABLE:
      return { code: ResponseCode.SLAVE_NOT_AVAILABLE, remark: result.remark ?? "" };
    case PutStatus.CREATE_MAPEDFILE_FAILED:
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: "create mapped file failed, server is busy or broken.",
      };
    case PutStatus.MESSAGE_ILLEGAL:
    case PutStatus.PROPERTIES_SIZE_EXCEEDED:
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark: `the message is illegal: ${result.remark ?? result.status}`,
      };
    case PutStatus.SERVICE_NOT_AVAILABLE:
      return {
        code: ResponseCode.SERVICE_NOT_AVAILABLE,
        remark: `service not available now: ${result.remark ?? "the store cannot be written"}`,
      };
    case PutStatus.OS_PAGECACHE_BUSY:
      return {
        code: ResponseCode.SYSTEM_BUSY,
        remark: "[PC_SYNCHRONIZED]broker busy, start flow control for a while" +
          (result.remark ? ` (${result.remark})` : ""),
      };
    case PutStatus.UNKNOWN_ERROR:
      return { code: ResponseCode.SYSTEM_ERROR, remark: `UNKNOWN_ERROR ${result.remark ?? ""}` };
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: "UNKNOWN_ERROR DEFAULT" };
  }
}
