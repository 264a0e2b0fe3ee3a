/**
 * How a producer sends (Java's DefaultMQProducerImpl.sendDefaultImpl, sendSelectImpl and
 * sendKernelImpl): the route from the cache or the name server (with the TBW102 stand-in for
 * topics the broker creates on first send), a queue round robin avoiding brokers that just
 * failed, and Java's retries: a sync send retries retriable codes and network failures on
 * another broker within one timeout, an async send only network failures, a oneway send never.
 *
 * Hot path: with the route cached, a send is a map lookup, a counter step, one header and one
 * request on the broker's connection; no await happens before the request is written, so
 * unawaited sends are pipelined on one connection.
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import { RemotingError } from "../../remoting/errors.ts";
import { isRetriableSendCode } from "../../remoting/response_code.ts";
import type { ClientInstance } from "../client_instance.ts";
import { MQBrokerError, MQClientError } from "../errors.ts";
import type { Message, PreparedMessage } from "../message.ts";
import { MQClientAPI, type SendMessageHeader } from "../mq_client_api.ts";
import { MQFaultStrategy } from "./latency_fault_tolerance.ts";
import type { MessageQueueSelector } from "./queue_selector.ts";
import { type SendResult, SendStatus } from "./send_result.ts";
import { TopicPublishInfo } from "./topic_publish_info.ts";

const log = logger("client", "producer");

/** sync: wait and retry on another broker; async: retry network failures; oneway: fire. */
export type SendMode = "sync" | "async" | "oneway";

/**
 * Per-send options.
 *
 * @example
 * ```ts
 * await producer.send(msg, { timeoutMs: 1000, selector: selectMessageQueueByHash, arg: orderId });
 * ```
 */
export interface SendOptions {
  /** Overrides the producer's sendMsgTimeoutMs for this send. */
  timeoutMs?: number;
  /** Send to exactly this queue; a failure is not retried on another broker. */
  messageQueue?: MessageQueue;
  /** Picks the queue (ordered sends); a failure is not retried on another broker. */
  selector?: MessageQueueSelector;
  /** The argument handed to `selector`, e.g. an order id. */
  arg?: unknown;
}

/** A producer's send settings, resolved (see ProducerOptions for what each means). */
export interface SendSettings {
  producerGroup: string;
  createTopicKey: string;
  defaultTopicQueueNums: number;
  sendMsgTimeoutMs: number;
  retryTimesWhenSendFailed: number;
  retryTimesWhenSendAsyncFailed: number;
  retryAnotherBrokerWhenNotStoreOK: boolean;
  sendLatencyFaultEnable: boolean;
}

export class SendPath {
  readonly #instance: ClientInstance;
  readonly #s: SendSettings;
  /** topic → the producer's route view, kept fresh by the client instance. */
  readonly #publishInfo: Map<string, TopicPublishInfo>;
  readonly #fault: MQFaultStrategy;
  readonly #sendHeaderBase: SendHeaderBase;

  constructor(
    instance: ClientInstance,
    settings: SendSettings,
    publishInfo: Map<string, TopicPublishInfo>,
  ) {
    this.#instance = instance;
    this.#s = settings;
    this.#publishInfo = publishInfo;
    this.#fault = new MQFaultStrategy(settings.sendLatencyFaultEnable);
    this.#sendHeaderBase = {
      producerGroup: settings.producerGroup,
      defaultTopic: settings.createTopicKey,
      defaultTopicQueueNums: settings.defaultTopicQueueNums,
    };
  }

  /**
   * Sends one prepared message (or batch): to the queue `options` fix or select, else by the
   * retry loop. Resolves with the result, or the message id for oneway.
   */
  send(
    prepared: PreparedMessage,
    message: Message,
    mode: SendMode,
    options: SendOptions | undefined,
  ): Promise<SendResult | string> {
    const timeout = options?.timeoutMs ?? this.#s.sendMsgTimeoutMs;
    if (!(timeout > 0)) {
      return Promise.reject(
        new RangeError(`Cannot send message: timeoutMs ${timeout} is not positive`),
      );
    }
    if (options?.messageQueue !== undefined || options?.selector !== undefined) {
      return this.#sendToChosenQueue(prepared, message, mode, options, timeout);
    }
    return this.#sendDefault(prepared, mode, timeout);
  }

  /** The cached publish info, else a route fetch (with the TBW102 stand-in as a fallback). */
  findPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const info = this.#publishInfo.get(topic);
    if (info?.ok) return Promise.resolve(info);
    return this.#fetchPublishInfo(topic);
  }

  async #fetchPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const instance = this.#instance;
    if (!this.#publishInfo.has(topic)) this.#publishInfo.set(topic, new TopicPublishInfo());
    await instance.updateTopicRouteInfoFromNameServer(topic);
    const info = this.#publishInfo.get(topic) ?? new TopicPublishInfo();
    if (info.haveTopicRouterInfo || info.ok) return info;
    await instance.updateTopicRouteInfoFromNameServer(topic, {
      key: this.#s.createTopicKey,
      queueNums: this.#s.defaultTopicQueueNums,
    });
    return this.#publishInfo.get(topic) ?? info;
  }

  /** The retry loop of Java's sendDefaultImpl. */
  async #sendDefault(
    prepared: PreparedMessage,
    mode: SendMode,
    timeout: number,
  ): Promise<SendResult | string> {
    const begin = Date.now();
    const cached = this.#publishInfo.get(prepared.topic);
    const info = cached?.ok ? cached : await this.#fetchPublishInfo(prepared.topic);
    if (!info.ok) {
      throw new MQClientError(
        `Cannot send message: no route for topic ${prepared.topic} (is a broker serving it, or auto-creating topics?)`,
      );
    }
    const timesTotal = 1 +
      (mode === "sync"
        ? this.#s.retryTimesWhenSendFailed
        : mode === "async"
        ? this.#s.retryTimesWhenSendAsyncFailed
        : 0);
    const brokersSent: string[] = [];
    let mq: MessageQueue | undefined;
    let lastError: unknown;
    let lastResult: SendResult | undefined;
    let timedOut = false;
    let asyncBudget = 0;
    for (let times = 0; times < timesTotal; times++) {
      const selected = this.#fault.selectOneMessageQueue(info, mq?.brokerName);
      if (!selected) break;
      mq = selected;
      brokersSent.push(mq.brokerName);
      const start = Date.now();
      // Java: a sync send shares one timeout among its attempts; async attempts each get
      // what was left when the first one started.
      if (times === 0) asyncBudget = timeout - (start - begin);
      const left = mode === "async" ? asyncBudget : timeout - (start - begin);
      if (left <= 0) {
        timedOut = true;
        break;
      }
      try {
        const result = await this.#sendKernel(prepared, mq, mode, left);
        this.#fault.updateFaultItem(mq.brokerName, Date.now() - start, false);
        if (
          typeof result !== "string" && result.sendStatus !== SendStatus.SEND_OK &&
          mode === "sync" && this.#s.retryAnotherBrokerWhenNotStoreOK
        ) {
          lastResult = result;
          continue;
        }
        return result;
      } catch (e) {
        this.#fault.updateFaultItem(mq.brokerName, Date.now() - start, true);
        lastError = e;
        if (!this.#retriable(e, mode)) {
          if (lastResult) return lastResult;
          throw e;
        }
        log.debug("Send to {broker} failed, {left} attempts left: {error}", {
          broker: mq.brokerName,
          left: timesTotal - times - 1,
          error: errorMessage(e),
        });
      }
    }
    if (lastResult) return lastResult;
    const tried = brokersSent.length === 0 ? "no queue" : brokersSent.join(", ");
    const why = timedOut
      ? `timed out after ${Date.now() - begin} ms`
      : `failed ${brokersSent.length} time(s)`;
    throw new MQClientError(
      `Cannot send message to topic ${prepared.topic}: ${why} (brokers: ${tried})${
        lastError === undefined ? "" : `: ${errorMessage(lastError)}`
      }`,
      {
        cause: lastError,
        responseCode: lastError instanceof MQBrokerError ? lastError.code : undefined,
      },
    );
  }

  #retriable(e: unknown, mode: SendMode): boolean {
    if (mode === "oneway") return false;
    if (e instanceof RemotingError) return true;
    if (mode === "async") return false;
    if (e instanceof MQBrokerError) return isRetriableSendCode(e.code);
    return e instanceof MQClientError;
  }

  /** sendSelectImpl and send-to-queue: one queue, no other broker. */
  async #sendToChosenQueue(
    prepared: PreparedMessage,
    message: Message,
    mode: SendMode,
    options: SendOptions,
    timeout: number,
  ): Promise<SendResult | string> {
    const begin = Date.now();
    let mq = options.messageQueue;
    if (mq === undefined) {
      const info = await this.findPublishInfo(prepared.topic);
      if (!info.ok) {
        throw new MQClientError(`Cannot send message: no route for topic ${prepared.topic}`);
      }
      mq = options.selector!(info.messageQueueList, message, options.arg);
    }
    if (
      mq === null || typeof mq !== "object" || typeof mq.brokerName !== "string" ||
      !Number.isInteger(mq.queueId)
    ) {
      throw new TypeError("Cannot send message: the selector returned no message queue");
    }
    if (mq.topic !== prepared.topic) {
      throw new TypeError(
        `Cannot send message: queue topic ${mq.topic} differs from message topic ${prepared.topic}`,
      );
    }
    // Java retries an async send that could not reach the broker, on the same queue.
    const attempts = mode === "async" ? 1 + this.#s.retryTimesWhenSendAsyncFailed : 1;
    for (let i = 1;; i++) {
      const left = timeout - (Date.now() - begin);
      if (left <= 0) {
        throw new MQClientError(`Cannot send message to ${mq.brokerName}: timed out`);
      }
      try {
        return await this.#sendKernel(prepared, mq, mode, left);
      } catch (e) {
        if (i >= attempts || !(e instanceof RemotingError)) throw e;
      }
    }
  }

  /** One attempt on one queue (sendKernelImpl). */
  #sendKernel(
    prepared: PreparedMessage,
    mq: MessageQueue,
    mode: SendMode,
    timeout: number,
  ): Promise<SendResult | string> {
    const instance = this.#instance;
    const addr = instance.findBrokerAddressInPublish(mq.brokerName);
    if (addr === undefined) return this.#sendKernelSlow(prepared, mq, mode, timeout);
    const request = MQClientAPI.sendRequest(
      sendMessageHeader(this.#sendHeaderBase, prepared, mq, Date.now()),
      prepared.body,
      prepared.reply,
    );
    if (mode === "oneway") {
      return instance.api.sendMessageOneway(addr, request, timeout).then(() => prepared.msgId);
    }
    return instance.api.sendMessage(
      addr,
      mq.brokerName,
      request,
      prepared.msgId,
      prepared.topic,
      timeout,
    );
  }

  /** The broker is not in the address table yet: refresh the route once, then send. */
  async #sendKernelSlow(
    prepared: PreparedMessage,
    mq: MessageQueue,
    mode: SendMode,
    timeout: number,
  ): Promise<SendResult | string> {
    const instance = this.#instance;
    await this.#fetchPublishInfo(mq.topic);
    if (instance.findBrokerAddressInPublish(mq.brokerName) === undefined) {
      throw new MQClientError(`Cannot send message: broker ${mq.brokerName} is not in any route`);
    }
    return this.#sendKernel(prepared, mq, mode, timeout);
  }
}

/** The header fields every send of one producer shares. */
export interface SendHeaderBase {
  producerGroup: string;
  /** createTopicKey (`TBW102`). */
  defaultTopic: string;
  defaultTopicQueueNums: number;
}

/** The SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE header for one attempt (sendKernelImpl). */
export function sendMessageHeader(
  base: SendHeaderBase,
  prepared: PreparedMessage,
  mq: MessageQueue,
  bornTimestamp: number,
): SendMessageHeader {
  return {
    producerGroup: base.producerGroup,
    topic: prepared.topic,
    defaultTopic: base.defaultTopic,
    defaultTopicQueueNums: base.defaultTopicQueueNums,
    queueId: mq.queueId,
    sysFlag: prepared.sysFlag,
    bornTimestamp,
    flag: prepared.flag,
    properties: prepared.properties,
    reconsumeTimes: 0,
    unitMode: false,
    batch: prepared.batch,
    brokerName: mq.brokerName,
  };
}
