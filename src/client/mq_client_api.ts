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
import { decodeHeader, encodeHeader, type HeaderOf } from "../remoting/header.ts";
import {
  GetRouteInfoRequestHeader,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  UnregisterClientRequestHeader,
  ViewMessageRequestHeader,
} from "../remoting/headers.ts";
import { decodeTopicRouteData, type TopicRouteData } from "../remoting/body/topic_route_data.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { MQBrokerError, MQClientError, oneLine } from "./errors.ts";
import { encodeHeartbeatData, type HeartbeatData } from "../remoting/body/heartbeat_data.ts";
import { type SendResult, sendStatusOf } from "./send_result.ts";

/** The fields of a SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE header (§3.2). */
export type SendMessageHeader = HeaderOf<typeof SendMessageRequestHeaderV2>;

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

  /** The request for one send: SEND_MESSAGE_V2, or SEND_BATCH_MESSAGE when `header.batch`. */
  static sendRequest(header: SendMessageHeader, body: Uint8Array): RemotingCommand {
    return createRequest(
      header.batch ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2,
      encodeHeader(SendMessageRequestHeaderV2, header),
      { body },
    );
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
    const response = await this.remoting.invokeSync(addr, request, timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) {
      throw new MQBrokerError(response.code, response.remark, addr);
    }
    return response.version;
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
    const response = await this.remoting.invokeSync(addr, request, timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) {
      throw new MQBrokerError(response.code, response.remark, addr);
    }
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
    const response = await this.remoting.invokeSync(addr, request, timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) {
      throw new MQBrokerError(response.code, response.remark, addr);
    }
    return response.body ?? new Uint8Array(0);
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
