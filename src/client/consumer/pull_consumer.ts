/**
 * The simple pull consumer (Java's DefaultMQPullConsumer): the application picks queues and
 * offsets and pulls itself. Offsets it reports with updateConsumeOffset are kept in memory
 * and persisted to the brokers every 5 s and at shutdown (clustering); the group still
 * heartbeats, so brokers and admin tools see it.
 */
import { logger } from "../../common/log.ts";
import { PullSysFlag } from "../../common/message/sys_flag.ts";
import {
  ConsumeFromWhere as WireConsumeFromWhere,
  type ConsumerData,
  ConsumeType,
  type SubscriptionData,
} from "../../remoting/body/heartbeat_data.ts";
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import {
  type ClientConfig,
  type ClientOptions,
  intOption,
  resolveClientConfig,
} from "../client_config.ts";
import type { ConsumerInner } from "../client_inner.ts";
import { ClientInstance, runningInstance } from "../client_instance.ts";
import { MessageModel } from "./consumer_types.ts";
import { MQClientError } from "../errors.ts";
import { type MessageExt, ReceivedMessage, TopicHint } from "../message_ext.ts";
import { OFFSET_NONE, RemoteBrokerOffsetStore } from "./offset_store.ts";
import { PullAPIWrapper, type PullResult } from "./pull_api.ts";
import { sendMessageBack } from "./send_back.ts";
import { buildTagSubscription, tagFilterOf } from "./tag_expression.ts";
import { topicRouteToSubscribeInfo } from "../topic_route.ts";
import { checkGroup, checkTopic } from "../validators.ts";

const log = logger("client", "consumer");

/**
 * Pull consumer settings: ClientOptions plus the consumer's own (Java defaults).
 *
 * @example
 * ```ts
 * const options: PullConsumerOptions = { namesrvAddr: "127.0.0.1:9876", consumerGroup: "batch_job" };
 * ```
 */
export interface PullConsumerOptions extends ClientOptions {
  /** Consumer group: letters, digits, `%|_-`. */
  consumerGroup: string;
  /** Topics this consumer reads, announced in its heartbeat (registerTopics). */
  registerTopics?: readonly string[];
  /** Timeout of a pull that is not held, ms (consumerPullTimeoutMillis, 10000). */
  consumerPullTimeoutMillis?: number;
  /** How long pullBlockIfNotFound lets the broker hold a pull, ms (20000). */
  brokerSuspendMaxTimeMillis?: number;
  /** Timeout of a held pull, ms (consumerTimeoutMillisWhenSuspend, 30000). */
  consumerTimeoutMillisWhenSuspend?: number;
  /** Deliveries before sendMessageBack parks a message in the DLQ (maxReconsumeTimes, 16). */
  maxReconsumeTimes?: number;
  /** How often offsets are persisted, ms (persistConsumerOffsetInterval, 5000). */
  persistConsumerOffsetInterval?: number;
}

type State = "created" | "running" | "shutdown";

/**
 * Pulls messages on demand from queues the caller chooses.
 *
 * @example
 * ```ts
 * await using consumer = new PullConsumer({ namesrvAddr: "127.0.0.1:9876", consumerGroup: "g1" });
 * await consumer.start();
 * for (const mq of await consumer.fetchSubscribeMessageQueues("TopicTest")) {
 *   let offset = await consumer.fetchConsumeOffset(mq, true);
 *   if (offset < 0) offset = 0;
 *   const r = await consumer.pull(mq, "*", offset, 32);
 *   for (const m of r.msgFoundList) console.log(m.queueOffset, new TextDecoder().decode(m.body));
 *   consumer.updateConsumeOffset(mq, r.nextBeginOffset);
 * }
 * ```
 */
export class PullConsumer implements AsyncDisposable {
  readonly #clientConfig: ClientConfig;
  readonly #group: string;
  readonly #registerTopics: Set<string>;
  readonly #pullTimeoutMs: number;
  readonly #suspendMs: number;
  readonly #suspendTimeoutMs: number;
  readonly #maxReconsumeTimes: number;
  readonly #persistIntervalMs: number;
  readonly #subscriptions = new Map<string, SubscriptionData>();
  readonly #inner: ConsumerInner;
  #instance: ClientInstance | undefined;
  #offsetStore: RemoteBrokerOffsetStore | undefined;
  #pullApi: PullAPIWrapper | undefined;
  #persistTimer: ReturnType<typeof setTimeout> | undefined;
  #persisting: Promise<void> | undefined;
  #state: State = "created";

  /**
   * Makes a pull consumer; nothing connects until start().
   *
   * @param options Name server, group and tuning; see PullConsumerOptions.
   * @throws TypeError or RangeError for an invalid option.
   */
  constructor(options: PullConsumerOptions) {
    const what = "pull consumer";
    this.#group = options.consumerGroup;
    checkGroup(this.#group, `create ${what}`);
    this.#clientConfig = resolveClientConfig(options);
    this.#registerTopics = new Set(options.registerTopics ?? []);
    for (const t of this.#registerTopics) checkTopic(t, `create ${what}`);
    this.#pullTimeoutMs = intOption(options, "consumerPullTimeoutMillis", 10_000, 1, what);
    this.#suspendMs = intOption(options, "brokerSuspendMaxTimeMillis", 20_000, 0, what);
    this.#suspendTimeoutMs = intOption(
      options,
      "consumerTimeoutMillisWhenSuspend",
      30_000,
      1,
      what,
    );
    const maxRe = intOption(options, "maxReconsumeTimes", 16, -1, what);
    this.#maxReconsumeTimes = maxRe === -1 ? 16 : maxRe;
    this.#persistIntervalMs = intOption(options, "persistConsumerOffsetInterval", 5000, 1, what);
    for (const t of this.#registerTopics) this.#subscriptions.set(t, buildTagSubscription(t, "*"));
    this.#inner = {
      groupName: this.#group,
      consumerData: () => this.#consumerData(),
      subscriptionTopics: () => this.#subscriptions.keys(),
      isSubscribeTopicNeedUpdate: () => false,
      updateTopicSubscribeInfo: () => {},
    };
  }

  /** The consumer group. */
  get groupName(): string {
    return this.#group;
  }

  /**
   * Joins (or starts) the client instance and announces the group to the brokers.
   *
   * @returns Once the consumer can pull.
   * @throws TypeError when started twice, after shutdown, or when the group already has a
   *   consumer in a shared client instance.
   * @example
   * ```ts
   * await consumer.start();
   * ```
   */
  async start(): Promise<void> {
    if (this.#state !== "created") {
      const why = this.#state === "running" ? "it is already running" : "it was shut down";
      throw new TypeError(`Cannot start consumer ${this.#group}: ${why}`);
    }
    const instance = ClientInstance.getOrCreate(this.#clientConfig);
    if (!instance.registerConsumer(this.#inner)) {
      throw new TypeError(
        `Cannot start consumer: group ${this.#group} already has a consumer in client ${instance.clientId}`,
      );
    }
    this.#instance = instance;
    this.#offsetStore = new RemoteBrokerOffsetStore(instance, this.#group);
    this.#pullApi = new PullAPIWrapper(instance);
    this.#state = "running";
    instance.start();
    await Promise.all(
      [...this.#subscriptions.keys()].map((t) => instance.updateTopicRouteInfoFromNameServer(t)),
    );
    await instance.sendHeartbeatToAllBrokers();
    this.#schedulePersist();
  }

  /**
   * Persists the offsets reported with updateConsumeOffset, leaves the group and closes
   * connections (unless shared). Safe to call twice.
   *
   * @returns Once done.
   * @example
   * ```ts
   * await consumer.shutdown();
   * ```
   */
  async shutdown(): Promise<void> {
    if (this.#state !== "running") {
      this.#state = "shutdown";
      return;
    }
    this.#state = "shutdown";
    clearTimeout(this.#persistTimer);
    await this.#persisting;
    const instance = this.#instance!;
    try {
      await this.#persistAll();
    } finally {
      await instance.unregisterConsumer(this.#group);
      await instance.shutdown();
    }
  }

  /** Same as shutdown(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /**
   * The readable queues of a topic, from the name server.
   *
   * @param topic The topic.
   * @returns Every readable queue of every broker serving it.
   * @throws MQClientError when the topic has no route.
   * @example
   * ```ts
   * const queues = await consumer.fetchSubscribeMessageQueues("TopicTest");
   * ```
   */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    const instance = this.#running("fetch queues");
    this.#subscribeAutomatically(topic);
    await instance.updateTopicRouteInfoFromNameServer(topic);
    const route = instance.topicRouteTable.get(topic);
    const queues = route ? topicRouteToSubscribeInfo(topic, route) : [];
    if (queues.length === 0) {
      throw new MQClientError(`Cannot find message queues of topic ${topic}`);
    }
    return queues;
  }

  /**
   * Pulls up to `maxNums` messages from `offset` without waiting for new ones.
   *
   * @param mq The queue.
   * @param subExpression TAG expression (`*`, `TagA || TagB`).
   * @param offset The queue offset to read from.
   * @param maxNums Most messages wanted (brokers cap it, 32 by default).
   * @param timeoutMs Call timeout (consumerPullTimeoutMillis).
   * @returns The status, the messages and where to continue.
   * @throws SyntaxError for a bad expression; MQBrokerError for an error code.
   * @example
   * ```ts
   * const r = await consumer.pull(mq, "TagA", 0, 32);
   * ```
   */
  pull(
    mq: MessageQueue,
    subExpression: string,
    offset: number,
    maxNums: number,
    timeoutMs: number = this.#pullTimeoutMs,
  ): Promise<PullResult> {
    return this.#pull(mq, subExpression, offset, maxNums, false, timeoutMs);
  }

  /**
   * Like pull(), but when the queue has nothing at `offset` the broker holds the call until
   * a message arrives or brokerSuspendMaxTimeMillis passes (long polling).
   *
   * @param mq The queue.
   * @param subExpression TAG expression.
   * @param offset The queue offset to read from.
   * @param maxNums Most messages wanted.
   * @returns The status, the messages and where to continue.
   * @example
   * ```ts
   * const r = await consumer.pullBlockIfNotFound(mq, "*", next, 32);
   * ```
   */
  pullBlockIfNotFound(
    mq: MessageQueue,
    subExpression: string,
    offset: number,
    maxNums: number,
  ): Promise<PullResult> {
    return this.#pull(mq, subExpression, offset, maxNums, true, this.#suspendTimeoutMs);
  }

  /**
   * Records the next offset to consume for a queue (persisted within
   * persistConsumerOffsetInterval and at shutdown).
   *
   * @param mq The queue.
   * @param offset The next offset to consume.
   * @example
   * ```ts
   * consumer.updateConsumeOffset(mq, r.nextBeginOffset);
   * ```
   */
  updateConsumeOffset(mq: MessageQueue, offset: number): void {
    this.#running("update offset");
    this.#offsetStore!.updateOffset(mq, offset, false);
  }

  /**
   * The group's offset for a queue: from memory, or with `fromStore` from the broker.
   *
   * @param mq The queue.
   * @param fromStore Ask the broker (else memory first, then the broker).
   * @returns The offset; −1 when none is stored.
   * @example
   * ```ts
   * const offset = await consumer.fetchConsumeOffset(mq, true);
   * ```
   */
  async fetchConsumeOffset(mq: MessageQueue, fromStore: boolean): Promise<number> {
    this.#running("fetch offset");
    const store = this.#offsetStore!;
    if (!fromStore) {
      const mem = store.readOffsetFromMemory(mq);
      if (mem !== OFFSET_NONE) return mem;
    }
    const stored = await store.readOffsetFromStore(mq);
    return stored < 0 ? OFFSET_NONE : stored;
  }

  /**
   * The queue's next offset to be written (GET_MAX_OFFSET).
   *
   * @param mq The queue.
   * @returns The offset.
   * @example
   * ```ts
   * const lag = (await consumer.maxOffset(mq)) - committed;
   * ```
   */
  async maxOffset(mq: MessageQueue): Promise<number> {
    const [instance, addr] = await this.#brokerOf(mq);
    return instance.api.getMaxOffset(addr, mq.topic, mq.queueId, this.#apiTimeout());
  }

  /**
   * The queue's lowest stored offset (GET_MIN_OFFSET).
   *
   * @param mq The queue.
   * @returns The offset.
   * @example
   * ```ts
   * const first = await consumer.minOffset(mq);
   * ```
   */
  async minOffset(mq: MessageQueue): Promise<number> {
    const [instance, addr] = await this.#brokerOf(mq);
    return instance.api.getMinOffset(addr, mq.topic, mq.queueId, this.#apiTimeout());
  }

  /**
   * The offset of the message stored nearest a time (SEARCH_OFFSET_BY_TIMESTAMP).
   *
   * @param mq The queue.
   * @param timestamp ms since the epoch.
   * @returns The offset.
   * @example
   * ```ts
   * const offset = await consumer.searchOffset(mq, Date.now() - 3_600_000);
   * ```
   */
  async searchOffset(mq: MessageQueue, timestamp: number): Promise<number> {
    const [instance, addr] = await this.#brokerOf(mq);
    return instance.api.searchOffset(addr, mq.topic, mq.queueId, timestamp, this.#apiTimeout());
  }

  /**
   * Store time of the queue's oldest message (GET_EARLIEST_MSG_STORETIME).
   *
   * @param mq The queue.
   * @returns ms since the epoch.
   * @example
   * ```ts
   * const t = await consumer.earliestMsgStoreTime(mq);
   * ```
   */
  async earliestMsgStoreTime(mq: MessageQueue): Promise<number> {
    const [instance, addr] = await this.#brokerOf(mq);
    return instance.api.getEarliestMsgStoretime(addr, mq.topic, mq.queueId, this.#apiTimeout());
  }

  /**
   * Gives a message back for a later redelivery through the group's retry topic
   * (CONSUMER_SEND_MSG_BACK, falling back to a resend).
   *
   * @param msg A message this consumer pulled.
   * @param delayLevel 0 lets the broker pick 3 + reconsumeTimes; −1 parks it in the DLQ.
   * @returns Once the broker took it.
   * @throws MQBrokerError or MQClientError when neither way worked.
   * @example
   * ```ts
   * await consumer.sendMessageBack(msg, 0);
   * ```
   */
  async sendMessageBack(msg: MessageExt, delayLevel: number): Promise<void> {
    const instance = this.#running("send message back");
    if (!(msg instanceof ReceivedMessage)) {
      throw new TypeError("Cannot send message back: it was not received by an rmq consumer");
    }
    await sendMessageBack(instance, msg, {
      group: this.#group,
      delayLevel,
      maxReconsumeTimes: this.#maxReconsumeTimes,
    });
  }

  // ---- internals ----

  #running(what: string): ClientInstance {
    return runningInstance(this.#instance, this.#state, what, `consumer ${this.#group}`);
  }

  #apiTimeout(): number {
    return this.#clientConfig.mqClientApiTimeoutMs;
  }

  async #brokerOf(mq: MessageQueue): Promise<[ClientInstance, string]> {
    const instance = this.#running("query offsets");
    return [instance, await instance.masterAddressOf(mq)];
  }

  #subscribeAutomatically(topic: string): void {
    if (!this.#subscriptions.has(topic)) {
      this.#subscriptions.set(topic, buildTagSubscription(topic, "*"));
    }
  }

  async #pull(
    mq: MessageQueue,
    subExpression: string,
    offset: number,
    maxNums: number,
    block: boolean,
    timeoutMs: number,
  ): Promise<PullResult> {
    this.#running("pull");
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`Cannot pull: offset ${offset} is not a non-negative integer`);
    }
    if (!Number.isSafeInteger(maxNums) || maxNums <= 0) {
      throw new RangeError(`Cannot pull: maxNums ${maxNums} is not a positive integer`);
    }
    const sub = buildTagSubscription(mq.topic, subExpression);
    this.#subscribeAutomatically(mq.topic);
    return await this.#pullApi!.pull(mq, {
      consumerGroup: this.#group,
      subExpression: sub.subString,
      subVersion: 0,
      queueOffset: offset,
      maxMsgNums: maxNums,
      // DefaultMQPullConsumer always sends its expression, and holds only when asked.
      sysFlag: PullSysFlag.SUBSCRIPTION | (block ? PullSysFlag.SUSPEND : 0),
      commitOffset: 0,
      suspendTimeoutMillis: block ? this.#suspendMs : 0,
      timeoutMs,
    }, { tags: tagFilterOf(sub), topicHint: new TopicHint(mq.topic) });
  }

  #consumerData(): ConsumerData {
    return {
      groupName: this.#group,
      consumeType: ConsumeType.CONSUME_ACTIVELY,
      messageModel: MessageModel.CLUSTERING,
      consumeFromWhere: WireConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
      subscriptionDataSet: [...this.#subscriptions.values()],
      unitMode: false,
    };
  }

  async #persistAll(): Promise<void> {
    const store = this.#offsetStore;
    if (!store) return;
    await store.persistAll(store.offsets().map(([mq]) => mq));
  }

  #schedulePersist(): void {
    this.#persistTimer = setTimeout(() => {
      this.#persisting = this.#persistAll().catch((e) => {
        log.warn("Cannot persist offsets of {group}: {error}", { group: this.#group, error: e });
      }).finally(() => {
        this.#persisting = undefined;
        if (this.#state === "running") this.#schedulePersist();
      });
    }, this.#persistIntervalMs);
    Deno.unrefTimer(this.#persistTimer as unknown as number);
  }
}
