/**
 * One function per request a client makes (Java's MQClientAPIImpl): each builds its header
 * from the schema in remoting/headers.ts, calls the name server or a broker through the one
 * RemotingClient of its client instance, and turns the response into a value or an error
 * (MQBrokerError for an error code, MQClientError when nothing usable came back).
 */
import { errorMessage } from "../common/errors.ts";
import { createRequest, type RemotingCommand } from "../remoting/command.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { RemotingClosedError, RemotingConnectError } from "../remoting/errors.ts";
import {
  decodeHeader,
  encodeHeader,
  type HeaderOf,
  type HeaderSchema,
} from "../remoting/header_codec.ts";
import {
  ConsumerGroupRequestHeader,
  ConsumerSendMsgBackRequestHeader,
  CreateTopicRequestHeader,
  EarliestMsgStoretimeResponseHeader,
  EndTransactionRequestHeader,
  GetRouteInfoRequestHeader,
  OffsetResponseHeader,
  PullMessageRequestHeader,
  QueryConsumerOffsetRequestHeader,
  SearchOffsetRequestHeader,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  TopicQueueRequestHeader,
  UnregisterClientRequestHeader,
  UpdateConsumerOffsetRequestHeader,
  ViewMessageRequestHeader,
} from "../remoting/headers.ts";
import { decodeConsumerIdList } from "../remoting/body/consumer_list.ts";
import {
  decodeLockBatchResponse,
  encodeLockBatchRequest,
  type LockBatchRequestBody,
} from "../remoting/body/lock_batch.ts";
import type { MessageQueue } from "../remoting/body/message_queue.ts";
import { decodeTopicRouteData, type TopicRouteData } from "../remoting/body/topic_route_data.ts";
import type { TopicConfig } from "../remoting/body/topic_config.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { MQBrokerError, MQClientError, oneLine } from "./errors.ts";
import {
  encodeHeartbeatData,
  type HeartbeatData,
  type SubscriptionData,
  subscriptionDataToJson,
} from "../remoting/body/heartbeat_data.ts";
import { stringifyFastJson } from "../common/fastjson.ts";
import { textEncoder } from "../common/bytes.ts";
import { type SendResult, sendStatusOf } from "./producer/send_result.ts";

/** The fields of a SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE header (§3.2). */
export type SendMessageHeader = HeaderOf<typeof SendMessageRequestHeaderV2>;

/** The fields of a PULL_MESSAGE header (§3.3). */
export type PullMessageHeader = HeaderOf<typeof PullMessageRequestHeader>;

/** The fields of a CONSUMER_SEND_MSG_BACK header (§3.5). */
export type ConsumerSendMsgBackHeader = HeaderOf<typeof ConsumerSendMsgBackRequestHeader>;

/** The fields of an UPDATE_CONSUMER_OFFSET header (§3.4). */
export type UpdateConsumerOffsetHeader = HeaderOf<typeof UpdateConsumerOffsetRequestHeader>;

/** MixAll.DEFAULT_REGION: the region a broker reports when it names none. */
const DEFAULT_REGION = "DefaultRegion";

export class MQClientAPI {
  readonly remoting: RemotingClient;
  #namesrvAddrs: readonly string[];
  /** The name server in use; moves on when it cannot be reached (namesrvAddrChoosed). */
  #namesrvIndex: number;

  constructor(remoting: RemotingClient, namesrvAddrs: readonly string[]) {
    this.remoting = remoting;
    this.#namesrvAddrs = [...namesrvAddrs];
    this.#namesrvIndex = Math.floor(Math.random() * Math.max(1, namesrvAddrs.length));
  }

  get namesrvAddrs(): readonly string[] {
    return this.#namesrvAddrs;
  }

  updateNameServerAddressList(addrs: readonly string[]): void {
    this.#namesrvAddrs = [...addrs];
    this.#namesrvIndex = 0;
  }

  /**
   * Calls a name server: the current one, then each other in turn while they cannot be
   * reached. A timeout is not retried elsewhere (the request may have been served).
   */
  async invokeNamesrv(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const addrs = this.#namesrvAddrs;
    if (addrs.length === 0) throw new MQClientError("No name server address, please set one");
    let last: unknown;
    for (let i = 0; i < addrs.length; i++) {
      const index = (this.#namesrvIndex + i) % addrs.length;
      try {
        const response = await this.remoting.invokeSync(addrs[index], request, timeoutMs);
        this.#namesrvIndex = index;
        return response;
      } catch (e) {
        if (!(e instanceof RemotingConnectError || e instanceof RemotingClosedError)) throw e;
        last = e;
        // A retried request needs a fresh opaque: the old one may still be pending elsewhere.
        request = { ...request, opaque: createRequest(request.code).opaque };
      }
    }
    throw new MQClientError(
      `Cannot reach any name server (${addrs.join(";")}): ${errorMessage(last)}`,
      { cause: last },
    );
  }

  /**
   * GET_ROUTEINFO_BY_TOPIC. Resolves undefined when the name server knows no such topic
   * (TOPIC_NOT_EXIST); any other failure throws.
   */
  async getTopicRouteInfoFromNameServer(
    topic: string,
    timeoutMs: number,
  ): Promise<TopicRouteData | undefined> {
    const request = createRequest(
      RequestCode.GET_ROUTEINFO_BY_TOPIC,
      encodeHeader(GetRouteInfoRequestHeader, { topic }),
    );
    const response = await this.invokeNamesrv(request, timeoutMs);
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
    if (response.code !== ResponseCode.SUCCESS) {
      throw new MQClientError(
        `Cannot get the route of topic ${topic}: name server answered ${response.code}${
          response.remark ? ` ${oneLine(response.remark)}` : ""
        }`,
        { responseCode: response.code },
      );
    }
    if (!response.body) return undefined;
    return decodeTopicRouteData(response.body);
  }

  /**
   * The request for one send: SEND_MESSAGE_V2, SEND_BATCH_MESSAGE when `header.batch`, or
   * SEND_REPLY_MESSAGE_V2 for a reply.
   */
  static sendRequest(header: SendMessageHeader, body: Uint8Array, reply = false): RemotingCommand {
    const code = header.batch
      ? RequestCode.SEND_BATCH_MESSAGE
      : reply
      ? RequestCode.SEND_REPLY_MESSAGE_V2
      : RequestCode.SEND_MESSAGE_V2;
    return createRequest(code, encodeHeader(SendMessageRequestHeaderV2, header), { body });
  }

  /**
   * Sends a message and waits for the broker's answer. `msgId` is the client id(s) reported
   * back in the result. Throws MQBrokerError for an error code, a RemotingError when the call
   * itself failed.
   */
  async sendMessage(
    addr: string,
    brokerName: string,
    request: RemotingCommand,
    msgId: string,
    topic: string,
    timeoutMs: number,
  ): Promise<SendResult> {
    const response = await this.remoting.invokeSync(addr, request, timeoutMs);
    return processSendResponse(brokerName, topic, msgId, response, addr);
  }

  /** Sends a message oneway: resolves once it is queued on the connection. */
  sendMessageOneway(addr: string, request: RemotingCommand, timeoutMs: number): Promise<void> {
    return this.remoting.invokeOneway(addr, request, timeoutMs);
  }

  /** HEART_BEAT; resolves with the broker's version (from the response). */
  async sendHeartbeat(addr: string, data: HeartbeatData, timeoutMs: number): Promise<number> {
    const request = createRequest(RequestCode.HEART_BEAT, {}, { body: encodeHeartbeatData(data) });
    return (await this.#invoke(addr, request, timeoutMs)).version;
  }

  /** UNREGISTER_CLIENT for one producer and/or consumer group. */
  async unregisterClient(
    addr: string,
    clientId: string,
    groups: { producerGroup?: string; consumerGroup?: string },
    timeoutMs: number,
  ): Promise<void> {
    const request = createRequest(
      RequestCode.UNREGISTER_CLIENT,
      encodeHeader(UnregisterClientRequestHeader, { clientID: clientId, ...groups }),
    );
    await this.#invoke(addr, request, timeoutMs);
  }

  /**
   * VIEW_MESSAGE_BY_ID: the stored record at commit-log `offset` on the broker at `addr`,
   * raw (message_codec.ts decodes it).
   */
  async viewMessage(addr: string, offset: number, timeoutMs: number): Promise<Uint8Array> {
    const request = createRequest(
      RequestCode.VIEW_MESSAGE_BY_ID,
      encodeHeader(ViewMessageRequestHeader, { offset }),
    );
    return (await this.#invoke(addr, request, timeoutMs)).body ?? new Uint8Array(0);
  }

  // ---- consumer (§3.3–3.5) ----

  /** The PULL_MESSAGE request for a header (sent as is; see pullMessage). */
  static pullRequest(header: PullMessageHeader): RemotingCommand {
    return createRequest(
      RequestCode.PULL_MESSAGE,
      encodeHeader(PullMessageRequestHeader, header),
    );
  }

  /**
   * PULL_MESSAGE; resolves with the raw response (any code), so the caller reads the status,
   * the offsets header and the records (pull_api.ts). Rejects only when the call failed.
   */
  pullMessage(
    addr: string,
    header: PullMessageHeader,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    return this.remoting.invokeSync(addr, MQClientAPI.pullRequest(header), timeoutMs);
  }

  /**
   * QUERY_CONSUMER_OFFSET: the group's committed offset of a queue. Throws MQBrokerError for
   * any other answer than 0 (22 QUERY_NOT_FOUND: the group has none).
   */
  async queryConsumerOffset(
    addr: string,
    header: { consumerGroup: string; topic: string; queueId: number },
    timeoutMs: number,
  ): Promise<number> {
    const request = createRequest(
      RequestCode.QUERY_CONSUMER_OFFSET,
      encodeHeader(QueryConsumerOffsetRequestHeader, header),
    );
    return await this.#offset(addr, request, timeoutMs);
  }

  /** UPDATE_CONSUMER_OFFSET, waiting for the broker's answer. */
  async updateConsumerOffset(
    addr: string,
    header: UpdateConsumerOffsetHeader,
    timeoutMs: number,
  ): Promise<void> {
    const request = createRequest(
      RequestCode.UPDATE_CONSUMER_OFFSET,
      encodeHeader(UpdateConsumerOffsetRequestHeader, header),
    );
    await this.#invoke(addr, request, timeoutMs);
  }

  /** UPDATE_CONSUMER_OFFSET oneway (Java's periodic persist); resolves once queued. */
  updateConsumerOffsetOneway(
    addr: string,
    header: UpdateConsumerOffsetHeader,
    timeoutMs: number,
  ): Promise<void> {
    const request = createRequest(
      RequestCode.UPDATE_CONSUMER_OFFSET,
      encodeHeader(UpdateConsumerOffsetRequestHeader, header),
    );
    return this.remoting.invokeOneway(addr, request, timeoutMs);
  }

  /**
   * CHECK_CLIENT_CONFIG: whether the broker can filter with a (SQL92) subscription. The raw
   * answer: SUCCESS, SYSTEM_ERROR (no property filter there) or SUBSCRIPTION_PARSE_FAILED.
   */
  checkClientConfig(
    addr: string,
    body: { clientId: string; group: string; subscriptionData: SubscriptionData },
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    const json = stringifyFastJson({
      clientId: body.clientId,
      group: body.group,
      subscriptionData: subscriptionDataToJson(body.subscriptionData),
    });
    return this.remoting.invokeSync(
      addr,
      createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, { body: textEncoder.encode(json) }),
      timeoutMs,
    );
  }

  /**
   * END_TRANSACTION oneway: a transaction producer's verdict on a half message (`remark`: why
   * the local transaction failed, if it did). Resolves once queued; brokers never answer it.
   */
  endTransactionOneway(
    addr: string,
    header: HeaderOf<typeof EndTransactionRequestHeader>,
    remark: string | undefined,
    timeoutMs: number,
  ): Promise<void> {
    const request = createRequest(
      RequestCode.END_TRANSACTION,
      encodeHeader(EndTransactionRequestHeader, header),
      { remark },
    );
    return this.remoting.invokeOneway(addr, request, timeoutMs);
  }

  /**
   * CONSUMER_SEND_MSG_BACK: asks the broker to redeliver a message later through the group's
   * retry topic (or to park it in the DLQ). Throws MQBrokerError for an error code.
   */
  async consumerSendMessageBack(
    addr: string,
    header: ConsumerSendMsgBackHeader,
    timeoutMs: number,
  ): Promise<void> {
    const request = createRequest(
      RequestCode.CONSUMER_SEND_MSG_BACK,
      encodeHeader(ConsumerSendMsgBackRequestHeader, header),
    );
    await this.#invoke(addr, request, timeoutMs);
  }

  /** GET_CONSUMER_LIST_BY_GROUP: the client ids of a group's live consumers on a broker. */
  async getConsumerIdListByGroup(
    addr: string,
    consumerGroup: string,
    timeoutMs: number,
  ): Promise<string[]> {
    const request = createRequest(
      RequestCode.GET_CONSUMER_LIST_BY_GROUP,
      encodeHeader(ConsumerGroupRequestHeader, { consumerGroup }),
    );
    const response = await this.#invoke(addr, request, timeoutMs);
    return response.body ? decodeConsumerIdList(response.body) : [];
  }

  /** LOCK_BATCH_MQ: locks queues for an orderly consumer; resolves with the ones it now holds. */
  async lockBatchMQ(
    addr: string,
    body: LockBatchRequestBody,
    timeoutMs: number,
  ): Promise<MessageQueue[]> {
    const request = createRequest(RequestCode.LOCK_BATCH_MQ, {}, {
      body: encodeLockBatchRequest(body),
    });
    const response = await this.#invoke(addr, request, timeoutMs);
    return response.body ? decodeLockBatchResponse(response.body) : [];
  }

  /** UNLOCK_BATCH_MQ, oneway or waiting for the answer. */
  async unlockBatchMQ(
    addr: string,
    body: LockBatchRequestBody,
    timeoutMs: number,
    oneway = false,
  ): Promise<void> {
    const request = createRequest(RequestCode.UNLOCK_BATCH_MQ, {}, {
      body: encodeLockBatchRequest(body),
    });
    if (oneway) return this.remoting.invokeOneway(addr, request, timeoutMs);
    await this.#invoke(addr, request, timeoutMs);
  }

  /** SEARCH_OFFSET_BY_TIMESTAMP: the queue offset of the message stored nearest `timestamp`. */
  async searchOffset(
    addr: string,
    topic: string,
    queueId: number,
    timestamp: number,
    timeoutMs: number,
  ): Promise<number> {
    const request = createRequest(
      RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
      encodeHeader(SearchOffsetRequestHeader, { topic, queueId, timestamp }),
    );
    return await this.#offset(addr, request, timeoutMs);
  }

  /** UPDATE_AND_CREATE_TOPIC: creates (or changes) a topic on one broker. */
  async createTopic(
    addr: string,
    defaultTopic: string,
    config: TopicConfig,
    timeoutMs: number,
  ): Promise<void> {
    const request = createRequest(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      encodeHeader(CreateTopicRequestHeader, {
        topic: config.topicName,
        defaultTopic,
        readQueueNums: config.readQueueNums,
        writeQueueNums: config.writeQueueNums,
        perm: config.perm,
        topicFilterType: config.topicFilterType,
        topicSysFlag: config.topicSysFlag,
        order: config.order,
      }),
    );
    await this.#invoke(addr, request, timeoutMs);
  }

  /** GET_MAX_OFFSET: the queue's next offset to be written. */
  async getMaxOffset(
    addr: string,
    topic: string,
    queueId: number,
    timeoutMs: number,
  ): Promise<number> {
    const request = createRequest(
      RequestCode.GET_MAX_OFFSET,
      encodeHeader(TopicQueueRequestHeader, { topic, queueId }),
    );
    return await this.#offset(addr, request, timeoutMs);
  }

  /** GET_MIN_OFFSET: the queue's lowest offset still stored. */
  async getMinOffset(
    addr: string,
    topic: string,
    queueId: number,
    timeoutMs: number,
  ): Promise<number> {
    const request = createRequest(
      RequestCode.GET_MIN_OFFSET,
      encodeHeader(TopicQueueRequestHeader, { topic, queueId }),
    );
    return await this.#offset(addr, request, timeoutMs);
  }

  /** GET_EARLIEST_MSG_STORETIME: store time of the queue's oldest message (ms). */
  async getEarliestMsgStoretime(
    addr: string,
    topic: string,
    queueId: number,
    timeoutMs: number,
  ): Promise<number> {
    const request = createRequest(
      RequestCode.GET_EARLIEST_MSG_STORETIME,
      encodeHeader(TopicQueueRequestHeader, { topic, queueId }),
    );
    const response = await this.#invoke(addr, request, timeoutMs);
    return readHeader(EarliestMsgStoretimeResponseHeader, response, addr).timestamp;
  }

  /** Calls a broker: its SUCCESS answer, or an MQBrokerError for any other code. */
  async #invoke(
    addr: string,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    const response = await this.remoting.invokeSync(addr, request, timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) {
      throw new MQBrokerError(response.code, response.remark, addr);
    }
    return response;
  }

  /** Calls a broker for an offset (the `offset` header of a SUCCESS answer). */
  async #offset(addr: string, request: RemotingCommand, timeoutMs: number): Promise<number> {
    const response = await this.#invoke(addr, request, timeoutMs);
    return readHeader(OffsetResponseHeader, response, addr).offset;
  }
}

/** A response header; an MQClientError when the broker left out a required field. */
export function readHeader<S extends HeaderSchema>(
  schema: S,
  response: RemotingCommand,
  addr: string,
): HeaderOf<S> {
  try {
    return decodeHeader(schema, response.extFields);
  } catch (e) {
    throw new MQClientError(`Cannot read response from ${addr}: ${errorMessage(e)}`, {
      cause: e,
    });
  }
}

/**
 * A send response as a SendResult (codes 0, 10, 11, 12), else an MQBrokerError. A "stored"
 * code without the result header is an MQClientError: the broker broke the protocol.
 */
export function processSendResponse(
  brokerName: string,
  topic: string,
  msgId: string,
  response: RemotingCommand,
  addr: string,
): SendResult {
  const sendStatus = sendStatusOf(response.code);
  if (sendStatus === undefined) throw new MQBrokerError(response.code, response.remark, addr);
  const ext = response.extFields;
  let h;
  try {
    h = decodeHeader(SendMessageResponseHeader, ext);
  } catch (e) {
    throw new MQClientError(`Cannot read send response from ${addr}: ${errorMessage(e)}`, {
      cause: e,
    });
  }
  const result: SendResult = {
    sendStatus,
    msgId,
    offsetMsgId: h.msgId,
    messageQueue: { topic, brokerName, queueId: h.queueId },
    queueOffset: h.queueOffset,
    regionId: h.MSG_REGION ?? DEFAULT_REGION,
    traceOn: h.TRACE_ON !== "false",
  };
  if (h.transactionId !== undefined) result.transactionId = h.transactionId;
  return result;
}
