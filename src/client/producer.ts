/**
 * The producer (Java's DefaultMQProducer and DefaultMQProducerImpl): validates and encodes
 * messages, picks a queue round robin from the topic's cached route, and sends with
 * SEND_MESSAGE_V2 (or SEND_BATCH_MESSAGE), retrying on another broker as Java does.
 *
 * Hot path: with the route cached, a send is a map lookup, a counter step, one header and one
 * request on the broker's connection; no await happens before the request is written, so
 * unawaited sends are pipelined on one connection.
 */
import { inflateSync } from "node:zlib";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { decodeMessageRecord, type MessageRecord } from "../common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../common/message/message_id.ts";
import { MessageSysFlag } from "../common/message/sys_flag.ts";
import type { MessageQueue } from "../remoting/body/message_queue.ts";
import { createTopicConfig } from "../remoting/body/topic_config.ts";
import { MASTER_ID } from "../remoting/body/topic_route_data.ts";
import { RemotingError } from "../remoting/errors.ts";
import { isRetriableSendCode } from "../remoting/response_code.ts";
import { ClientInstance, runningInstance } from "./client_instance.ts";
import {
  type ClientConfig,
  type ClientOptions,
  intOption,
  resolveClientConfig,
} from "./client_config.ts";
import { MQBrokerError, MQClientError } from "./errors.ts";
import {
  type Message,
  prepareBatch,
  type PreparedMessage,
  prepareMessage,
  type PrepareOptions,
} from "./message.ts";
import { MQFaultStrategy } from "./latency_fault_tolerance.ts";
import { MQClientAPI, type SendMessageHeader } from "./mq_client_api.ts";
import type { MessageQueueSelector } from "./queue_selector.ts";
import { type SendResult, SendStatus } from "./send_result.ts";
import { TopicPublishInfo } from "./topic_publish_info.ts";
import {
  AUTO_CREATE_TOPIC_KEY_TOPIC,
  checkGroup,
  checkTopic,
  DEFAULT_MAX_MESSAGE_SIZE,
} from "./validators.ts";

const log = logger("client", "producer");

const INSTANCE_OF = new WeakMap<Producer, ClientInstance>();

/**
 * The client instance a started producer runs on (routes, broker table, connections), for
 * code inside rmq (consumers, tests); not part of the public API.
 */
export function clientInstanceOf(producer: Producer): ClientInstance | undefined {
  return INSTANCE_OF.get(producer);
}

/**
 * The group Java refuses for real producers (MixAll.DEFAULT_PRODUCER_GROUP); so does this one.
 *
 * @example
 * ```ts
 * const group = name === DEFAULT_PRODUCER_GROUP ? "my_app" : name;
 * ```
 */
export const DEFAULT_PRODUCER_GROUP = "DEFAULT_PRODUCER";

/**
 * Producer settings: ClientOptions plus the producer's own; every default is Java's.
 *
 * @example
 * ```ts
 * const options: ProducerOptions = {
 *   namesrvAddr: "10.0.0.1:9876;10.0.0.2:9876",
 *   producerGroup: "order_service",
 *   sendMsgTimeoutMs: 5000,
 *   serializeType: "ROCKETMQ",
 * };
 * ```
 */
export interface ProducerOptions extends ClientOptions {
  /** Producer group: letters, digits, `%|_-`; not `DEFAULT_PRODUCER`. */
  producerGroup: string;
  /** Topic whose route stands in for topics the broker creates on first send (`TBW102`). */
  createTopicKey?: string;
  /** Queues per broker for an auto-created topic (4). */
  defaultTopicQueueNums?: number;
  /** Timeout of one send, retries included, ms (sendMsgTimeout, 3000). */
  sendMsgTimeoutMs?: number;
  /** Bodies of at least this many bytes are zlib-compressed (compressMsgBodyOverHowmuch, 4096). */
  compressMsgBodyOverHowmuch?: number;
  /** zlib level for compressed bodies (5). */
  compressLevel?: number;
  /** Extra attempts of a `send()` on another broker (retryTimesWhenSendFailed, 2). */
  retryTimesWhenSendFailed?: number;
  /** Extra attempts of a `sendAsync()` after a network failure (retryTimesWhenSendAsyncFailed, 2). */
  retryTimesWhenSendAsyncFailed?: number;
  /** Retry a `send()` whose status is not SEND_OK on another broker (false). */
  retryAnotherBrokerWhenNotStoreOK?: boolean;
  /** Largest body, and largest batch, in bytes (maxMessageSize, 4 MiB). */
  maxMessageSize?: number;
  /**
   * Skip brokers that failed or answered slowly for a while (sendLatencyFaultEnable, false).
   * Without it a retry still avoids the broker that just failed.
   */
  sendLatencyFaultEnable?: boolean;
}

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

type Mode = "sync" | "async" | "oneway";

/**
 * A stored message as VIEW_MESSAGE_BY_ID returns it (every field of the commit-log record),
 * body decompressed; `properties` is the raw property string.
 *
 * @example
 * ```ts
 * const m: ViewedMessage = await producer.viewMessage(result.offsetMsgId);
 * console.log(m.topic, m.queueId, m.queueOffset, new TextDecoder().decode(m.body));
 * ```
 */
export type ViewedMessage = MessageRecord;

/**
 * Sends messages to RocketMQ brokers found through the name server.
 *
 * @example
 * ```ts
 * await using producer = new Producer({ namesrvAddr: "127.0.0.1:9876", producerGroup: "pg" });
 * await producer.start();
 * const r = await producer.send({ topic: "TopicTest", tags: "TagA", body: "Hello" });
 * console.log(r.sendStatus, r.msgId);
 * ```
 */
export class Producer implements AsyncDisposable {
  readonly #clientConfig: ClientConfig;
  readonly #group: string;
  readonly #createTopicKey: string;
  readonly #defaultTopicQueueNums: number;
  readonly #sendMsgTimeoutMs: number;
  readonly #retrySync: number;
  readonly #retryAsync: number;
  readonly #retryAnotherBrokerWhenNotStoreOK: boolean;
  readonly #prepare: PrepareOptions;
  readonly #fault: MQFaultStrategy;
  readonly #sendHeaderBase: SendHeaderBase;
  readonly #publishInfo = new Map<string, TopicPublishInfo>();
  #instance: ClientInstance | undefined;
  #state: "created" | "running" | "shutdown" = "created";
  readonly #inner = {
    groupName: "",
    publishTopics: () => this.#publishInfo.keys(),
    isPublishTopicNeedUpdate: (topic: string) => !this.#publishInfo.get(topic)?.ok,
    updateTopicPublishInfo: (topic: string, info: TopicPublishInfo) => {
      this.#publishInfo.set(topic, info);
    },
  };

  /**
   * Makes a producer; nothing connects until start().
   *
   * @param options Name server, group and tuning; see ProducerOptions for defaults.
   * @throws TypeError or RangeError for an invalid option.
   */
  constructor(options: ProducerOptions) {
    this.#clientConfig = resolveClientConfig(options);
    this.#group = options.producerGroup;
    checkGroup(this.#group, "create producer");
    if (this.#group === DEFAULT_PRODUCER_GROUP) {
      throw new TypeError(
        `Cannot create producer: group ${DEFAULT_PRODUCER_GROUP} is reserved, name your own`,
      );
    }
    this.#inner.groupName = this.#group;
    this.#createTopicKey = options.createTopicKey ?? AUTO_CREATE_TOPIC_KEY_TOPIC;
    this.#defaultTopicQueueNums = intOption(options, "defaultTopicQueueNums", 4, 1, "producer");
    this.#sendMsgTimeoutMs = intOption(options, "sendMsgTimeoutMs", 3000, 1, "producer");
    this.#retrySync = intOption(options, "retryTimesWhenSendFailed", 2, 0, "producer");
    this.#retryAsync = intOption(options, "retryTimesWhenSendAsyncFailed", 2, 0, "producer");
    this.#retryAnotherBrokerWhenNotStoreOK = options.retryAnotherBrokerWhenNotStoreOK ?? false;
    this.#prepare = {
      maxMessageSize: intOption(options, "maxMessageSize", DEFAULT_MAX_MESSAGE_SIZE, 1, "producer"),
      compressOver: intOption(options, "compressMsgBodyOverHowmuch", 4096, 1, "producer"),
      compressLevel: intOption(options, "compressLevel", 5, 0, "producer"),
    };
    if (this.#prepare.compressLevel > 9) {
      throw new RangeError(`Cannot create producer: compressLevel ${options.compressLevel} > 9`);
    }
    this.#fault = new MQFaultStrategy(options.sendLatencyFaultEnable ?? false);
    this.#sendHeaderBase = {
      producerGroup: this.#group,
      defaultTopic: this.#createTopicKey,
      defaultTopicQueueNums: this.#defaultTopicQueueNums,
    };
  }

  /** The producer group. */
  get groupName(): string {
    return this.#group;
  }

  /** `<clientIP>@<instanceName>` once started. */
  get clientId(): string | undefined {
    return this.#instance?.clientId;
  }

  /**
   * Joins (or starts) the client instance: route polling and heartbeats begin. Routes are
   * fetched on first send.
   *
   * @returns Once the producer can send.
   * @throws TypeError when started twice, after shutdown, or when the group is already taken
   *   in a shared instance.
   * @example
   * ```ts
   * const producer = new Producer({ namesrvAddr: "127.0.0.1:9876", producerGroup: "pg" });
   * await producer.start();
   * ```
   */
  start(): Promise<void> {
    if (this.#state !== "created") {
      const why = this.#state === "running" ? "it is already running" : "it was shut down";
      return Promise.reject(new TypeError(`Cannot start producer ${this.#group}: ${why}`));
    }
    const instance = ClientInstance.getOrCreate(this.#clientConfig);
    if (!instance.registerProducer(this.#inner)) {
      return Promise.reject(
        new TypeError(
          `Cannot start producer: group ${this.#group} already has a producer in client ${instance.clientId}`,
        ),
      );
    }
    this.#instance = instance;
    INSTANCE_OF.set(this, instance);
    this.#state = "running";
    instance.start();
    // Brokers already known to a shared instance learn of this group at once.
    void instance.sendHeartbeatToAllBrokers();
    log.debug("Producer {group} started as {clientId}", {
      group: this.#group,
      clientId: instance.clientId,
    });
    return Promise.resolve();
  }

  /**
   * Unregisters from every broker (UNREGISTER_CLIENT), stops timers and closes connections
   * (unless other clients share the instance). Sends still in flight may fail; await them
   * first. Safe to call twice.
   *
   * @returns Once everything is closed.
   * @example
   * ```ts
   * await producer.shutdown();
   * ```
   */
  async shutdown(): Promise<void> {
    if (this.#state !== "running") {
      this.#state = "shutdown";
      return;
    }
    this.#state = "shutdown";
    const instance = this.#instance!;
    await instance.unregisterProducer(this.#group);
    await instance.shutdown();
    this.#publishInfo.clear();
    log.debug("Producer {group} shut down", { group: this.#group });
  }

  /** Same as shutdown(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /**
   * Sends one message and waits for the broker (Java's sync send): on a network failure or a
   * retriable code (TOPIC_NOT_EXIST, SERVICE_NOT_AVAILABLE, SYSTEM_ERROR, NO_PERMISSION …) it
   * retries up to retryTimesWhenSendFailed times, on another broker when there is one.
   * Unawaited calls run concurrently on one connection per broker.
   *
   * @param message The message; validated before anything is sent.
   * @param options Timeout, or a fixed queue / selector for ordered sends (no retry then).
   * @returns The send result (status, msgId, offsetMsgId, queue, queue offset).
   * @throws TypeError or RangeError for an invalid message; MQBrokerError for a broker code
   *   that is not retried; MQClientError when every attempt failed.
   * @example
   * ```ts
   * const r = await producer.send({ topic: "TopicTest", body: "hi", keys: ["k1"] });
   * ```
   */
  send(message: Message, options?: SendOptions): Promise<SendResult> {
    return this.#sendMessage(message, "sync", options) as Promise<SendResult>;
  }

  /**
   * Sends one message the way Java's async send does: failures to reach the broker are
   * retried (retryTimesWhenSendAsyncFailed) on another broker, broker error codes are not.
   * Meant for many sends in flight at once.
   *
   * @param message The message.
   * @param options Timeout, fixed queue or selector.
   * @returns The send result.
   * @throws As send().
   * @example
   * ```ts
   * const results = await Promise.all(msgs.map((m) => producer.sendAsync(m)));
   * ```
   */
  sendAsync(message: Message, options?: SendOptions): Promise<SendResult> {
    return this.#sendMessage(message, "async", options) as Promise<SendResult>;
  }

  /**
   * Sends one message without waiting for the broker (oneway): no result and no retry; the
   * broker never answers, so a refused message is lost silently.
   *
   * @param message The message.
   * @param options Timeout (for connecting), fixed queue or selector.
   * @returns The message's client id (UNIQ_KEY), once the request is queued on the connection.
   * @throws TypeError or RangeError for an invalid message; MQClientError when the broker
   *   cannot be reached.
   * @example
   * ```ts
   * await producer.sendOneway({ topic: "Logs", body: line });
   * ```
   */
  sendOneway(message: Message, options?: SendOptions): Promise<string> {
    return this.#sendMessage(message, "oneway", options) as Promise<string>;
  }

  /**
   * Sends several messages of one topic as one SEND_BATCH_MESSAGE (stored as consecutive
   * messages of one queue), with send()'s retries. No delay levels, no retry topics, one
   * waitStoreMsgOK value, never compressed, at most maxMessageSize in all.
   *
   * @param messages The messages, all of the same topic.
   * @param options Timeout, or a fixed queue / selector.
   * @returns One result: msgId and offsetMsgId list every message, comma-separated.
   * @throws As send().
   * @example
   * ```ts
   * const r = await producer.sendBatch([{ topic: "T", body: "a" }, { topic: "T", body: "b" }]);
   * ```
   */
  sendBatch(messages: readonly Message[], options?: SendOptions): Promise<SendResult> {
    try {
      const instance = this.#running("send batch");
      const prepared = prepareBatch(messages, () => instance.uniqueKeys.next(), this.#prepare);
      return this.#route(prepared, messages[0], "sync", options) as Promise<SendResult>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * The queues a send to `topic` may use, fetching the route if needed.
   *
   * @param topic The topic.
   * @returns Its writable queues (empty when the name server knows none).
   * @example
   * ```ts
   * const queues = await producer.fetchPublishMessageQueues("TopicTest");
   * ```
   */
  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.#running("fetch queues");
    checkTopic(topic, "fetch queues");
    const info = await this.#findPublishInfo(topic);
    return [...info.messageQueueList];
  }

  /**
   * Creates a topic on every broker that serves `key` (Java's createTopic, MQAdminImpl): each
   * master of the key topic's route gets UPDATE_AND_CREATE_TOPIC with `queueNum` read and write
   * queues, read-write permission. Brokers answer once the name servers know the topic.
   *
   * @param key A topic whose brokers should carry the new one, usually `TBW102`.
   * @param newTopic The topic to create.
   * @param queueNum Read and write queues on each broker.
   * @param topicSysFlag TopicSysFlag bits (0 unless unit topics are used).
   * @returns Once at least one broker has the topic.
   * @throws MQClientError when no broker could create it (each failure as the cause).
   * @example
   * ```ts
   * await producer.createTopic("TBW102", "Orders", 8);
   * ```
   */
  async createTopic(key: string, newTopic: string, queueNum: number, topicSysFlag = 0) {
    const instance = this.#running("create topic");
    checkTopic(newTopic, "create topic");
    if (!Number.isSafeInteger(queueNum) || queueNum < 1 || queueNum > 1024) {
      throw new RangeError(`Cannot create topic: queueNum ${queueNum} is not 1 to 1024`);
    }
    const route = await instance.api.getTopicRouteInfoFromNameServer(
      key,
      this.#clientConfig.mqClientApiTimeoutMs,
    );
    if (!route) {
      throw new MQClientError(`Cannot create topic ${newTopic}: no route for key topic ${key}`);
    }
    const config = createTopicConfig(newTopic, {
      readQueueNums: queueNum,
      writeQueueNums: queueNum,
      topicSysFlag,
    });
    const errors: unknown[] = [];
    let created = 0;
    for (const bd of route.brokerDatas) {
      const addr = bd.brokerAddrs.get(MASTER_ID);
      if (addr === undefined) continue;
      try {
        await instance.api.createTopic(addr, key, config, this.#clientConfig.mqClientApiTimeoutMs);
        created++;
      } catch (e) {
        errors.push(e);
      }
    }
    if (created === 0) {
      throw new MQClientError(
        `Cannot create topic ${newTopic}: no broker of ${key} created it${
          errors.length > 0 ? `: ${errorMessage(errors[0])}` : ""
        }`,
        { cause: errors[0] },
      );
    }
  }

  /**
   * Reads a stored message back by the broker's id for it (SendResult.offsetMsgId), with
   * VIEW_MESSAGE_BY_ID to the broker the id names.
   *
   * @param offsetMsgId A 32- (IPv4) or 56-character (IPv6) offset message id.
   * @returns The stored record, body decompressed when it was sent compressed.
   * @throws SyntaxError for a malformed id; MQBrokerError when the broker has no such message.
   * @example
   * ```ts
   * const stored = await producer.viewMessage(result.offsetMsgId);
   * ```
   */
  async viewMessage(offsetMsgId: string): Promise<ViewedMessage> {
    const instance = this.#running("view message");
    const { address, offset } = decodeOffsetMsgId(offsetMsgId);
    const bytes = await instance.api.viewMessage(
      address,
      offset,
      instance.config.mqClientApiTimeoutMs,
    );
    const record = decodeMessageRecord(bytes);
    if (record.sysFlag & MessageSysFlag.COMPRESSED) {
      const b = inflateSync(record.body);
      record.body = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    return record;
  }

  // ---- internals ----

  #running(what: string): ClientInstance {
    return runningInstance(this.#instance, this.#state, what, `producer ${this.#group}`);
  }

  #sendMessage(
    message: Message,
    mode: Mode,
    options: SendOptions | undefined,
  ): Promise<SendResult | string> {
    try {
      const instance = this.#running("send message");
      const prepared = prepareMessage(message, instance.uniqueKeys.next(), this.#prepare);
      return this.#route(prepared, message, mode, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #route(
    prepared: PreparedMessage,
    message: Message,
    mode: Mode,
    options: SendOptions | undefined,
  ): Promise<SendResult | string> {
    const timeout = options?.timeoutMs ?? this.#sendMsgTimeoutMs;
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
  #findPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const info = this.#publishInfo.get(topic);
    if (info?.ok) return Promise.resolve(info);
    return this.#fetchPublishInfo(topic);
  }

  async #fetchPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const instance = this.#instance!;
    if (!this.#publishInfo.has(topic)) this.#publishInfo.set(topic, new TopicPublishInfo());
    await instance.updateTopicRouteInfoFromNameServer(topic);
    const info = this.#publishInfo.get(topic) ?? new TopicPublishInfo();
    if (info.haveTopicRouterInfo || info.ok) return info;
    await instance.updateTopicRouteInfoFromNameServer(topic, {
      key: this.#createTopicKey,
      queueNums: this.#defaultTopicQueueNums,
    });
    return this.#publishInfo.get(topic) ?? info;
  }

  /** The retry loop of Java's sendDefaultImpl. */
  async #sendDefault(
    prepared: PreparedMessage,
    mode: Mode,
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
      (mode === "sync" ? this.#retrySync : mode === "async" ? this.#retryAsync : 0);
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
          mode === "sync" && this.#retryAnotherBrokerWhenNotStoreOK
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

  #retriable(e: unknown, mode: Mode): boolean {
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
    mode: Mode,
    options: SendOptions,
    timeout: number,
  ): Promise<SendResult | string> {
    const begin = Date.now();
    let mq = options.messageQueue;
    if (mq === undefined) {
      const info = await this.#findPublishInfo(prepared.topic);
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
    const attempts = mode === "async" ? 1 + this.#retryAsync : 1;
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
    mode: Mode,
    timeout: number,
  ): Promise<SendResult | string> {
    const instance = this.#instance!;
    const addr = instance.findBrokerAddressInPublish(mq.brokerName);
    if (addr === undefined) return this.#sendKernelSlow(prepared, mq, mode, timeout);
    const request = MQClientAPI.sendRequest(
      sendMessageHeader(this.#sendHeaderBase, prepared, mq, Date.now()),
      prepared.body,
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
    mode: Mode,
    timeout: number,
  ): Promise<SendResult | string> {
    const instance = this.#instance!;
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
