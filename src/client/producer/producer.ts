/**
 * The producer (Java's DefaultMQProducer): its options, lifecycle and API. It validates and
 * encodes messages (message.ts) and hands them to its send path (send_path.ts: route choice,
 * retries, fault avoidance); topic creation and message look-ups go through MQAdmin
 * (../mq_admin.ts), as Java's producer delegates them to MQAdminImpl. Request-reply (4.6+)
 * is part of the producer as in Java: request() waits for the reply a responder sends with
 * reply(). One concept, the producer's API: most of the file is its documented methods.
 */
import { logger } from "../../common/log.ts";
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import { ClientInstance, runningInstance } from "../client_instance.ts";
import type { ProducerInner, TransactionCheck } from "../client_inner.ts";
import type { MessageExt, ReceivedMessage } from "../message_ext.ts";
import { MQClientError } from "../errors.ts";
import { MessageConst, REPLY_MESSAGE_FLAG } from "../../common/message/message_const.ts";
import { setProperty } from "../../common/message/properties.ts";
import { replyTopic } from "../../remoting/group_topics.ts";
import {
  type ClientConfig,
  type ClientOptions,
  intOption,
  resolveClientConfig,
} from "../client_config.ts";
import {
  type Message,
  prepareBatch,
  type PreparedMessage,
  prepareMessage,
  type PrepareOptions,
} from "../message.ts";
import { MQAdmin, type ViewedMessage } from "../mq_admin.ts";
import { type SendOptions, SendPath, type SendSettings } from "./send_path.ts";
import type { SendResult } from "./send_result.ts";
import type { TopicPublishInfo } from "./topic_publish_info.ts";
import {
  AUTO_CREATE_TOPIC_KEY_TOPIC,
  checkGroup,
  checkTopic,
  DEFAULT_MAX_MESSAGE_SIZE,
} from "../validators.ts";

export type { SendOptions } from "./send_path.ts";
export type { ViewedMessage } from "../mq_admin.ts";

const log = logger("client", "producer");

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
  readonly #settings: SendSettings;
  readonly #prepare: PrepareOptions;
  /** topic → route view; the client instance keeps it fresh through #inner. */
  readonly #publishInfo = new Map<string, TopicPublishInfo>();
  readonly #inner: ProducerInner;
  #instance: ClientInstance | undefined;
  #sendPath: SendPath | undefined;
  #admin: MQAdmin | undefined;
  #state: "created" | "running" | "shutdown" = "created";

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
    this.#settings = {
      producerGroup: this.#group,
      createTopicKey: options.createTopicKey ?? AUTO_CREATE_TOPIC_KEY_TOPIC,
      defaultTopicQueueNums: intOption(options, "defaultTopicQueueNums", 4, 1, "producer"),
      sendMsgTimeoutMs: intOption(options, "sendMsgTimeoutMs", 3000, 1, "producer"),
      retryTimesWhenSendFailed: intOption(options, "retryTimesWhenSendFailed", 2, 0, "producer"),
      retryTimesWhenSendAsyncFailed: intOption(
        options,
        "retryTimesWhenSendAsyncFailed",
        2,
        0,
        "producer",
      ),
      retryAnotherBrokerWhenNotStoreOK: options.retryAnotherBrokerWhenNotStoreOK ?? false,
      sendLatencyFaultEnable: options.sendLatencyFaultEnable ?? false,
    };
    this.#prepare = {
      maxMessageSize: intOption(options, "maxMessageSize", DEFAULT_MAX_MESSAGE_SIZE, 1, "producer"),
      compressOver: intOption(options, "compressMsgBodyOverHowmuch", 4096, 1, "producer"),
      compressLevel: intOption(options, "compressLevel", 5, 0, "producer"),
    };
    if (this.#prepare.compressLevel > 9) {
      throw new RangeError(`Cannot create producer: compressLevel ${options.compressLevel} > 9`);
    }
    this.#inner = {
      groupName: this.#group,
      publishTopics: () => this.#publishInfo.keys(),
      isPublishTopicNeedUpdate: (topic) => !this.#publishInfo.get(topic)?.ok,
      updateTopicPublishInfo: (topic, info) => {
        this.#publishInfo.set(topic, info);
      },
      checkTransactionState: (addr, msg, check) => this.checkTransactionState(addr, msg, check),
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
    this.#sendPath = new SendPath(instance, this.#settings, this.#publishInfo);
    this.#admin = new MQAdmin(instance);
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
      return this.#sendPath!.send(prepared, messages[0], "sync", options) as Promise<SendResult>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Sends `message` and waits for a responder's reply (request-reply, RocketMQ 4.6+): the
   * message carries CORRELATION_ID, this client's id (REPLY_TO_CLIENT) and the timeout (TTL);
   * the responder's reply() reaches the broker, which pushes it straight to this client.
   *
   * @param message The request.
   * @param timeoutMs How long to wait for the reply, the send included (3000).
   * @returns The reply, as a consumer would see a message.
   * @throws As send(); MQClientError when no reply came in time.
   * @example
   * ```ts
   * const reply = await producer.request({ topic: "Quotes", body: "EURUSD" }, 5000);
   * console.log(new TextDecoder().decode(reply.body));
   * ```
   */
  async request(message: Message, timeoutMs = 3000): Promise<MessageExt> {
    const instance = this.#running("send request");
    const started = Date.now();
    if (!instance.topicRouteTable.has(message.topic)) {
      // The broker pushes the reply to this client's connection: it must know it first.
      await this.#sendPath!.findPublishInfo(message.topic);
      await instance.sendHeartbeatToAllBrokers();
    }
    const correlationId = crypto.randomUUID();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = new Promise<MessageExt>((resolve, reject) => {
      timer = setTimeout(() => {
        instance.pendingRequests.delete(correlationId);
        reject(
          new MQClientError(
            `request to ${message.topic} timed out after ${timeoutMs} ms: no reply came`,
          ),
        );
      }, Math.max(1, timeoutMs - (Date.now() - started)));
      instance.pendingRequests.set(correlationId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
    try {
      await this.sendAdjusted(message, (p) => {
        let props = setProperty(p.properties, MessageConst.CORRELATION_ID, correlationId);
        props = setProperty(props, MessageConst.REPLY_TO_CLIENT, instance.clientId);
        props = setProperty(props, MessageConst.TTL, String(timeoutMs));
        return { ...p, properties: props };
      }, { timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)) });
    } catch (e) {
      clearTimeout(timer);
      instance.pendingRequests.delete(correlationId);
      throw e;
    }
    return await reply;
  }

  /**
   * Answers a request a consumer received (MessageUtil.createReplyMessage + send): the reply
   * goes to the cluster's reply topic with the request's CORRELATION_ID, REPLY_TO_CLIENT and
   * TTL, and the broker pushes it to the requester.
   *
   * @param request The request message, as the consumer got it.
   * @param body The reply's body.
   * @returns The send result of the reply.
   * @throws MQClientError when `request` is not a request (no CLUSTER or REPLY_TO_CLIENT), or
   *   the requester could not be reached; as send() otherwise.
   * @example
   * ```ts
   * consumer.registerMessageListener(async (msgs) => {
   *   for (const m of msgs) await producer.reply(m, `quote for ${new TextDecoder().decode(m.body)}`);
   * });
   * ```
   */
  reply(
    request: MessageExt,
    body: Uint8Array | string,
    options?: SendOptions,
  ): Promise<SendResult> {
    const cluster = request.getProperty(MessageConst.CLUSTER);
    const replyTo = request.getProperty(MessageConst.REPLY_TO_CLIENT);
    if (!cluster || !replyTo) {
      return Promise.reject(
        new MQClientError(
          `Cannot reply to message ${request.msgId}: it is not a request (property ${
            cluster ? MessageConst.REPLY_TO_CLIENT : MessageConst.CLUSTER
          } is missing)`,
        ),
      );
    }
    return this.sendAdjusted({ topic: replyTopic(cluster), body }, (p) => {
      let props = setProperty(p.properties, MessageConst.MSG_TYPE, REPLY_MESSAGE_FLAG);
      props = setProperty(
        props,
        MessageConst.CORRELATION_ID,
        request.getProperty(MessageConst.CORRELATION_ID) ?? "",
      );
      props = setProperty(props, MessageConst.REPLY_TO_CLIENT, replyTo);
      props = setProperty(props, MessageConst.TTL, request.getProperty(MessageConst.TTL) ?? "");
      return { ...p, properties: props, reply: true };
    }, options);
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
    const info = await this.#sendPath!.findPublishInfo(topic);
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
  async createTopic(
    key: string,
    newTopic: string,
    queueNum: number,
    topicSysFlag = 0,
  ): Promise<void> {
    this.#running("create topic");
    await this.#admin!.createTopic(key, newTopic, queueNum, topicSysFlag);
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
  viewMessage(offsetMsgId: string): Promise<ViewedMessage> {
    try {
      this.#running("view message");
      return this.#admin!.viewMessage(offsetMsgId);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- for subclasses (transaction producer) ----

  /** A broker asks about a half message: only a transaction producer can answer. */
  protected checkTransactionState(
    brokerAddr: string,
    msg: ReceivedMessage,
    _check: TransactionCheck,
  ) {
    log.warn("Broker {addr} asks producer {group} about transaction {msgId}; it has none", {
      addr: brokerAddr,
      group: this.#group,
      msgId: msg.msgId,
    });
  }

  /** The running client instance; throws naming `what` when not started. */
  protected instanceFor(what: string): ClientInstance {
    return this.#running(what);
  }

  /** A sync send of `message`, its wire form changed by `adjust` (system properties, flags). */
  protected sendAdjusted(
    message: Message,
    adjust: (p: PreparedMessage) => PreparedMessage,
    options?: SendOptions,
  ): Promise<SendResult> {
    try {
      const instance = this.#running("send message");
      const prepared = adjust(prepareMessage(message, instance.uniqueKeys.next(), this.#prepare));
      return this.#sendPath!.send(prepared, message, "sync", options) as Promise<SendResult>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- internals ----

  #running(what: string): ClientInstance {
    return runningInstance(this.#instance, this.#state, what, `producer ${this.#group}`);
  }

  #sendMessage(
    message: Message,
    mode: "sync" | "async" | "oneway",
    options: SendOptions | undefined,
  ): Promise<SendResult | string> {
    try {
      const instance = this.#running("send message");
      const prepared = prepareMessage(message, instance.uniqueKeys.next(), this.#prepare);
      return this.#sendPath!.send(prepared, message, mode, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
