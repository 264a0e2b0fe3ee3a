/**
 * The push consumer (Java's DefaultMQPushConsumer and DefaultMQPushConsumerImpl, with its
 * PullMessageService and ConsumeMessageConcurrentlyService folded in).
 *
 * Per assigned queue a pull loop long-polls the broker (PULL_MESSAGE with SUSPEND, held up to
 * 15 s, REMOTING.md §3.3) and puts what it gets into the queue's ProcessQueue; the next pull
 * leaves as soon as the previous answer is in, not when the listener is done, unless the
 * queue holds too much (flow control: more than pullThresholdForQueue messages or
 * pullThresholdSizeForQueue MiB unconsumed), in which case it waits until consumption makes
 * room. Each queue's messages go to the listener in order, one batch at a time; different
 * queues are consumed concurrently. A queue's offset only moves past messages that are done
 * (the lowest unfinished offset), is sent along with each pull (COMMIT_OFFSET) and persisted
 * every 5 s and at shutdown, so every message is delivered at least once.
 *
 * Failed messages go back to the broker (CONSUMER_SEND_MSG_BACK) and come again through the
 * group's retry topic, which a clustering consumer subscribes to; after maxReconsumeTimes
 * the broker parks them in the group's DLQ.
 *
 * Hot path: records are read in place from the pull body; a synchronous listener is called in
 * a loop with no promise or timer per message; timers only exist for delayed pulls.
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { PullSysFlag } from "../common/message/sys_flag.ts";
import {
  type ConsumerData,
  ConsumeType,
  type SubscriptionData,
} from "../remoting/body/heartbeat_data.ts";
import { type MessageQueue, messageQueueKey } from "../remoting/body/message_queue.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { isRetryTopic, retryTopic } from "../remoting/group_topics.ts";
import { ROCKETMQ_VERSION_NAME } from "../version.ts";
import {
  allocateMessageQueueAveragely,
  type AllocateMessageQueueStrategy,
} from "./allocate_strategy.ts";
import {
  type ClientConfig,
  type ClientOptions,
  intOption,
  resolveClientConfig,
} from "./client_config.ts";
import { ClientInstance, type ConsumerInner, runningInstance } from "./client_instance.ts";
import {
  CMResult,
  type ConsumeStatus,
  encodeConsumeMessageDirectlyResult,
  encodeConsumerRunningInfo,
  type ProcessQueueInfo,
  RunningInfoProp,
} from "./consumer_running_info.ts";
import {
  ACK_ALL,
  type ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  type MessageListener,
  MessageModel,
  parseConsumeTimestamp,
} from "./consumer_types.ts";
import { MQBrokerError, MQClientError } from "./errors.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { type ReceivedMessage, TopicHint } from "./message_ext.ts";
import {
  defaultLocalOffsetStoreDir,
  LocalFileOffsetStore,
  OFFSET_ERROR,
  type OffsetStore,
  RemoteBrokerOffsetStore,
} from "./offset_store.ts";
import type { ProcessQueue } from "./process_queue.ts";
import {
  PullAPIWrapper,
  type PullFilter,
  PullStatus,
  type ReceivedPullResult,
} from "./pull_api.ts";
import { Rebalancer } from "./rebalance.ts";
import { sendMessageBack } from "./send_back.ts";
import { buildSubscriptionData, tagFilterOf } from "./subscription.ts";
import { topicRouteToSubscribeInfo } from "./topic_route.ts";
import { checkGroup, checkTopic } from "./validators.ts";

const log = logger("client", "consumer");

/** How long a paused consumer waits before looking again (PULL_TIME_DELAY_MILLS_WHEN_SUSPEND). */
const PULL_DELAY_WHEN_SUSPENDED_MS = 1000;
/** A batch whose send-back failed is redelivered locally after this long (Java: 5 s). */
const LOCAL_REDELIVERY_DELAY_MS = 5000;
/** A run of pull failures of one queue is logged at warn level once per this many. */
const PULL_FAILURE_LOG_EVERY = 60;
/** The fewest ms between two heartbeats the pull path asks for (broker forgot the group). */
const HEARTBEAT_ON_ERROR_MIN_INTERVAL_MS = 1000;

/**
 * Push consumer settings: ClientOptions plus the consumer's own; every default is Java's
 * unless noted.
 *
 * @example
 * ```ts
 * const options: PushConsumerOptions = {
 *   namesrvAddr: "127.0.0.1:9876",
 *   consumerGroup: "order_service",
 *   consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
 *   consumeMessageBatchMaxSize: 32,
 * };
 * ```
 */
export interface PushConsumerOptions extends ClientOptions {
  /** Consumer group: letters, digits, `%|_-`. */
  consumerGroup: string;
  /** CLUSTERING (default) or BROADCASTING. */
  messageModel?: MessageModel;
  /** Where a queue without a committed offset starts (CONSUME_FROM_LAST_OFFSET). */
  consumeFromWhere?: ConsumeFromWhere;
  /**
   * Start time for CONSUME_FROM_TIMESTAMP: ms since the epoch, a Date, or Java's
   * `yyyyMMddHHmmss` (default 30 minutes before start).
   */
  consumeTimestamp?: number | Date | string;
  /** How the group splits queues (allocateMessageQueueAveragely). */
  allocateMessageQueueStrategy?: AllocateMessageQueueStrategy;
  /** Most messages per listener call (consumeMessageBatchMaxSize, 1). */
  consumeMessageBatchMaxSize?: number;
  /** Most messages per pull (pullBatchSize, 32; brokers cap it, 32 by default). */
  pullBatchSize?: number;
  /** Pause between pulls of one queue, ms (pullInterval, 0). */
  pullInterval?: number;
  /** Unconsumed messages per queue above which pulling that queue pauses (1000). */
  pullThresholdForQueue?: number;
  /** Unconsumed body MiB per queue above which pulling that queue pauses (100). */
  pullThresholdSizeForQueue?: number;
  /** Offset span of unconsumed messages per queue above which pulling pauses (2000). */
  consumeConcurrentlyMaxSpan?: number;
  /** Deliveries before a failing message goes to the DLQ (maxReconsumeTimes, 16). */
  maxReconsumeTimes?: number;
  /** How long the broker may hold a pull that finds nothing, ms (15000). */
  brokerSuspendMaxTimeMillis?: number;
  /** Timeout of a held pull, ms (consumerTimeoutMillisWhenSuspend, 30000). */
  consumerTimeoutMillisWhenSuspend?: number;
  /** Pause before pulling a queue again after a failed pull, ms (1000). */
  pullTimeDelayMillsWhenException?: number;
  /** How often offsets are persisted, ms (persistConsumerOffsetInterval, 5000). */
  persistConsumerOffsetInterval?: number;
  /** Send the subscription with every pull (postSubscriptionWhenPull, false). */
  postSubscriptionWhenPull?: boolean;
  /**
   * BROADCASTING only: directory of the local offset files (Java's
   * `rocketmq.client.localOffsetStoreDir`, default `~/.rocketmq_offsets`).
   */
  localOffsetStoreDir?: string;
  /**
   * How long shutdown() waits for listener calls in flight before it persists offsets, ms
   * (rmq: 30000; messages of calls still running then are delivered again later).
   */
  awaitTerminationMillisWhenShutdown?: number;
}

/** One queue's pull loop (Java's PullRequest). */
interface PullRequest {
  readonly mq: MessageQueue;
  readonly pq: ProcessQueue;
  readonly key: string;
  readonly topicHint: TopicHint;
  nextOffset: number;
  /** Consecutive failed pulls. */
  failures: number;
}

interface TopicStats {
  pulls: number;
  pullRtMs: number;
  consumeOk: number;
  consumeFailed: number;
  consumeRtMs: number;
  consumeCalls: number;
}

type State = "created" | "running" | "stopping" | "shutdown";

/**
 * Receives messages as they arrive: subscribe to topics, register a listener, start. Like
 * Java's DefaultMQPushConsumer (concurrent listener), with in-order delivery per queue.
 *
 * @example
 * ```ts
 * await using consumer = new PushConsumer({ namesrvAddr: "127.0.0.1:9876", consumerGroup: "g1" });
 * consumer.subscribe("TopicTest", "TagA || TagB");
 * consumer.registerMessageListener((msgs) => {
 *   for (const m of msgs) console.log(m.msgId, new TextDecoder().decode(m.body));
 * });
 * await consumer.start();
 * ```
 */
export class PushConsumer implements AsyncDisposable {
  readonly #clientConfig: ClientConfig;
  readonly #group: string;
  readonly #model: MessageModel;
  readonly #fromWhere: ConsumeFromWhere;
  readonly #consumeTimestamp: number;
  readonly #strategy: AllocateMessageQueueStrategy;
  readonly #batchMax: number;
  readonly #pullBatchSize: number;
  readonly #pullInterval: number;
  readonly #thresholdCount: number;
  readonly #thresholdBytes: number;
  readonly #maxSpan: number;
  readonly #maxReconsumeTimes: number;
  readonly #suspendMs: number;
  readonly #pullTimeoutMs: number;
  readonly #pullDelayOnErrorMs: number;
  readonly #persistIntervalMs: number;
  readonly #postSubscription: boolean;
  readonly #offsetDir: string;
  readonly #awaitTerminationMs: number;
  /** topic → subscription; the retry topic's joins at start (clustering). */
  readonly #subscriptions = new Map<string, SubscriptionData>();
  /** topic → exact tags to keep (absent: all). */
  readonly #tagFilters = new Map<string, ReadonlySet<string> | undefined>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #stats = new Map<string, TopicStats>();
  readonly #idleWaiters: (() => void)[] = [];
  #listener: MessageListener | undefined;
  #instance: ClientInstance | undefined;
  #rebalancer: Rebalancer | undefined;
  #offsetStore: OffsetStore | undefined;
  #pullApi: PullAPIWrapper | undefined;
  #persistTimer: ReturnType<typeof setTimeout> | undefined;
  #persisting: Promise<void> | undefined;
  #shutdownPromise: Promise<void> | undefined;
  #state: State = "created";
  #paused = false;
  #inflight = 0;
  #startTimestamp = 0;
  #lastHeartbeatOnError = 0;
  /** The heartbeat the pull path last asked for (resolves once sent; never rejects). */
  #heartbeatOnError: Promise<void> | undefined;
  readonly #inner: ConsumerInner;

  /**
   * Makes a consumer; nothing connects until start().
   *
   * @param options Name server, group and tuning; see PushConsumerOptions for defaults.
   * @throws TypeError or RangeError for an invalid option.
   */
  constructor(options: PushConsumerOptions) {
    const what = "push consumer";
    this.#group = options.consumerGroup;
    checkGroup(this.#group, `create ${what}`);
    this.#model = options.messageModel ?? MessageModel.CLUSTERING;
    if (this.#model !== MessageModel.CLUSTERING && this.#model !== MessageModel.BROADCASTING) {
      throw new TypeError(`Cannot create ${what}: messageModel ${String(this.#model)} is unknown`);
    }
    const config = resolveClientConfig(options);
    // Java keeps a broadcasting consumer's instance name (default DEFAULT), so its local
    // offset file path is the same on every run.
    if (
      this.#model === MessageModel.BROADCASTING &&
      (options.instanceName === undefined || options.instanceName === "DEFAULT")
    ) {
      config.instanceName = "DEFAULT";
    }
    this.#clientConfig = config;
    this.#fromWhere = options.consumeFromWhere ?? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET;
    if (!Object.values(ConsumeFromWhere).includes(this.#fromWhere)) {
      throw new TypeError(
        `Cannot create ${what}: consumeFromWhere ${String(this.#fromWhere)} is unknown`,
      );
    }
    this.#consumeTimestamp = parseConsumeTimestamp(options.consumeTimestamp, Date.now());
    this.#strategy = options.allocateMessageQueueStrategy ?? allocateMessageQueueAveragely;
    this.#batchMax = intOption(options, "consumeMessageBatchMaxSize", 1, 1, what);
    this.#pullBatchSize = intOption(options, "pullBatchSize", 32, 1, what);
    this.#pullInterval = intOption(options, "pullInterval", 0, 0, what);
    this.#thresholdCount = intOption(options, "pullThresholdForQueue", 1000, 1, what);
    this.#thresholdBytes = intOption(options, "pullThresholdSizeForQueue", 100, 1, what) *
      1024 * 1024;
    this.#maxSpan = intOption(options, "consumeConcurrentlyMaxSpan", 2000, 1, what);
    const maxRe = intOption(options, "maxReconsumeTimes", 16, -1, what);
    this.#maxReconsumeTimes = maxRe === -1 ? 16 : maxRe;
    this.#suspendMs = intOption(options, "brokerSuspendMaxTimeMillis", 15_000, 0, what);
    this.#pullTimeoutMs = intOption(options, "consumerTimeoutMillisWhenSuspend", 30_000, 1, what);
    if (this.#pullTimeoutMs <= this.#suspendMs) {
      throw new RangeError(
        `Cannot create ${what}: consumerTimeoutMillisWhenSuspend must exceed brokerSuspendMaxTimeMillis`,
      );
    }
    this.#pullDelayOnErrorMs = intOption(options, "pullTimeDelayMillsWhenException", 1000, 0, what);
    this.#persistIntervalMs = intOption(options, "persistConsumerOffsetInterval", 5000, 1, what);
    this.#awaitTerminationMs = intOption(
      options,
      "awaitTerminationMillisWhenShutdown",
      30_000,
      0,
      what,
    );
    this.#postSubscription = options.postSubscriptionWhenPull ?? false;
    this.#offsetDir = options.localOffsetStoreDir ?? defaultLocalOffsetStoreDir();
    this.#inner = {
      groupName: this.#group,
      consumerData: () => this.#consumerData(),
      subscriptionTopics: () => this.#subscriptions.keys(),
      isSubscribeTopicNeedUpdate: (topic) =>
        this.#subscriptions.has(topic) &&
        !(this.#rebalancer?.topicSubscribeInfo.get(topic)?.length),
      updateTopicSubscribeInfo: (topic, queues) => {
        if (this.#subscriptions.has(topic)) this.#rebalancer?.topicSubscribeInfo.set(topic, queues);
      },
      doRebalance: () => this.#doRebalance(),
      resetOffset: (topic, offsets) => this.#resetOffset(topic, offsets),
      consumerRunningInfo: () => this.#runningInfo(),
      consumeMessageDirectly: (msg) => this.#consumeMessageDirectly(msg),
    };
  }

  /** The consumer group. */
  get groupName(): string {
    return this.#group;
  }

  /** `<clientIP>@<instanceName>` once started. */
  get clientId(): string | undefined {
    return this.#instance?.clientId;
  }

  /** CLUSTERING or BROADCASTING. */
  get messageModel(): MessageModel {
    return this.#model;
  }

  /**
   * Subscribes to a topic with a TAG expression (`*`, `TagA`, `TagA || TagB`); subscribing
   * again replaces the expression. Allowed before and after start().
   *
   * @param topic The topic.
   * @param expression Tags to receive, `||`-separated; `*` (default) for every message.
   * @throws TypeError for an invalid topic, SyntaxError for an expression naming no tag.
   * @example
   * ```ts
   * consumer.subscribe("TopicTest", "TagA || TagB");
   * ```
   */
  subscribe(topic: string, expression = "*"): void {
    checkTopic(topic, "subscribe");
    if (this.#state === "stopping" || this.#state === "shutdown") {
      throw new TypeError(`Cannot subscribe: consumer ${this.#group} is shut down`);
    }
    const data = buildSubscriptionData(topic, expression);
    this.#subscriptions.set(topic, data);
    this.#tagFilters.set(topic, tagFilterOf(data));
    if (this.#state === "running") this.#subscriptionChanged(topic);
  }

  /**
   * Stops reading a topic; its queues are given up at the next rebalance (at once when
   * running).
   *
   * @param topic The topic.
   * @example
   * ```ts
   * consumer.unsubscribe("TopicTest");
   * ```
   */
  unsubscribe(topic: string): void {
    this.#subscriptions.delete(topic);
    this.#tagFilters.delete(topic);
    if (this.#state === "running") {
      void this.#instance!.sendHeartbeatToAllBrokers();
      void this.#instance!.rebalanceImmediately();
    }
  }

  /**
   * Sets the function that handles received messages (required before start()).
   *
   * @param listener Called with batches of one queue's messages, in queue order.
   * @example
   * ```ts
   * consumer.registerMessageListener(async (msgs) => {
   *   for (const m of msgs) await save(m);
   * });
   * ```
   */
  registerMessageListener(listener: MessageListener): void {
    if (typeof listener !== "function") {
      throw new TypeError("Cannot register message listener: it is not a function");
    }
    this.#listener = listener;
  }

  /**
   * Joins the group: fetches routes, sends heartbeats, takes its share of the queues and
   * starts pulling them.
   *
   * @returns Once the first rebalance is done (messages may already be flowing).
   * @throws TypeError when there is no listener, when started twice or after shutdown, or
   *   when the group already has a consumer in a shared client instance.
   * @example
   * ```ts
   * consumer.subscribe("TopicTest");
   * consumer.registerMessageListener((msgs) => console.log(msgs.length));
   * await consumer.start();
   * ```
   */
  async start(): Promise<void> {
    if (this.#state !== "created") {
      const why = this.#state === "running" ? "it is already running" : "it was shut down";
      throw new TypeError(`Cannot start consumer ${this.#group}: ${why}`);
    }
    if (!this.#listener) {
      throw new TypeError(
        `Cannot start consumer ${this.#group}: no message listener (call registerMessageListener)`,
      );
    }
    const instance = ClientInstance.getOrCreate(this.#clientConfig);
    if (!instance.registerConsumer(this.#inner)) {
      throw new TypeError(
        `Cannot start consumer: group ${this.#group} already has a consumer in client ${instance.clientId}`,
      );
    }
    this.#instance = instance;
    this.#state = "running";
    this.#startTimestamp = Date.now();
    try {
      if (this.#model === MessageModel.CLUSTERING) {
        const retry = retryTopic(this.#group);
        this.#subscriptions.set(retry, buildSubscriptionData(retry, "*"));
        this.#tagFilters.set(retry, undefined);
      }
      this.#offsetStore = this.#model === MessageModel.CLUSTERING
        ? new RemoteBrokerOffsetStore(instance, this.#group)
        : new LocalFileOffsetStore(this.#offsetDir, instance.clientId, this.#group);
      await this.#offsetStore.load();
      this.#pullApi = new PullAPIWrapper(instance);
      this.#rebalancer = new Rebalancer(
        this.#group,
        this.#model === MessageModel.BROADCASTING,
        this.#strategy,
        instance,
        this.#subscriptions,
        {
          computePullFromWhere: (mq) => this.#computePullFromWhere(mq),
          dispatchPullRequest: (mq, pq, offset) => this.#dispatchPullRequest(mq, pq, offset),
          removeUnnecessaryMessageQueue: (mq, pq) => this.#removeUnnecessaryMessageQueue(mq, pq),
        },
      );
      instance.start();
      const topics = [...this.#subscriptions.keys()];
      await Promise.all(topics.map((t) => instance.updateTopicRouteInfoFromNameServer(t)));
      await instance.sendHeartbeatToAllBrokers();
      // The heartbeat creates the retry topic; its route exists now.
      await Promise.all(
        topics.filter((t) => this.#inner.isSubscribeTopicNeedUpdate(t)).map((t) =>
          instance.updateTopicRouteInfoFromNameServer(t)
        ),
      );
      this.#schedulePersist();
      await instance.rebalanceImmediately();
    } catch (e) {
      await this.shutdown();
      throw e;
    }
    log.info("Consumer {group} started as {clientId} ({model})", {
      group: this.#group,
      clientId: instance.clientId,
      model: this.#model,
    });
  }

  /**
   * Stops at once handing messages to the listener and pulling, waits for listener calls in
   * flight (up to awaitTerminationMillisWhenShutdown), persists offsets, leaves the group
   * (UNREGISTER_CLIENT; the rest of the group rebalances) and closes connections unless other
   * clients share them. Safe to call twice; the second call waits for the first.
   *
   * @returns Once everything is persisted and closed.
   * @example
   * ```ts
   * await consumer.shutdown();
   * ```
   */
  shutdown(): Promise<void> {
    if (this.#state === "created") {
      this.#state = "shutdown";
      return Promise.resolve();
    }
    if (this.#shutdownPromise) return this.#shutdownPromise;
    this.#state = "stopping";
    this.#shutdownPromise = this.#doShutdown();
    return this.#shutdownPromise;
  }

  /** Same as shutdown(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /**
   * Pauses pulling (messages already pulled are still delivered).
   *
   * @example
   * ```ts
   * consumer.suspend();
   * ```
   */
  suspend(): void {
    this.#paused = true;
  }

  /**
   * Resumes pulling after suspend().
   *
   * @example
   * ```ts
   * consumer.resume();
   * ```
   */
  resume(): void {
    this.#paused = false;
  }

  /**
   * The queues this consumer reads now (its share after the last rebalance).
   *
   * @returns The queues, retry-topic queues included.
   * @example
   * ```ts
   * console.log(consumer.assignedMessageQueues().map((q) => `${q.brokerName}:${q.queueId}`));
   * ```
   */
  assignedMessageQueues(): MessageQueue[] {
    return this.#rebalancer?.assignedQueues() ?? [];
  }

  /**
   * The readable queues of a topic, from the name server.
   *
   * @param topic The topic.
   * @returns Every readable queue of every broker serving it.
   * @throws TypeError when not running; MQClientError when the name server knows no route.
   * @example
   * ```ts
   * const queues = await consumer.fetchSubscribeMessageQueues("TopicTest");
   * ```
   */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    const instance = this.#running("fetch queues");
    const route = await instance.api.getTopicRouteInfoFromNameServer(
      topic,
      instance.config.mqClientApiTimeoutMs,
    );
    const queues = route ? topicRouteToSubscribeInfo(topic, route) : [];
    if (queues.length === 0) {
      throw new MQClientError(`Cannot find message queues of topic ${topic}`);
    }
    return queues;
  }

  /**
   * Persists every assigned queue's offset now (it also happens every
   * persistConsumerOffsetInterval and at shutdown).
   *
   * @returns Once the brokers (or the local file) have the offsets; failures are logged.
   * @example
   * ```ts
   * await consumer.persistConsumerOffset();
   * ```
   */
  async persistConsumerOffset(): Promise<void> {
    if (!this.#offsetStore || !this.#rebalancer) return;
    await this.#offsetStore.persistAll(this.#rebalancer.assignedQueues());
  }

  // ---- internals ----

  #running(what: string): ClientInstance {
    return runningInstance(this.#instance, this.#state, what, `consumer ${this.#group}`);
  }

  #consumerData(): ConsumerData {
    return {
      groupName: this.#group,
      consumeType: ConsumeType.CONSUME_PASSIVELY,
      messageModel: this.#model,
      consumeFromWhere: this.#fromWhere,
      subscriptionDataSet: [...this.#subscriptions.values()],
      unitMode: false,
    };
  }

  #subscriptionChanged(topic: string): void {
    const instance = this.#instance!;
    void (async () => {
      await instance.updateTopicRouteInfoFromNameServer(topic);
      await instance.sendHeartbeatToAllBrokers();
      await instance.rebalanceImmediately();
    })();
  }

  async #doShutdown(): Promise<void> {
    clearTimeout(this.#persistTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#whenIdle(this.#awaitTerminationMs);
    await this.#persisting;
    const instance = this.#instance!;
    try {
      if (this.#rebalancer && this.#offsetStore) {
        const queues = this.#rebalancer.assignedQueues();
        for (const { pq } of this.#rebalancer.processQueues.values()) pq.dropped = true;
        await this.#offsetStore.persistAll(queues);
      }
    } finally {
      await instance.unregisterConsumer(this.#group);
      await instance.shutdown();
      this.#state = "shutdown";
    }
    log.info("Consumer {group} shut down", { group: this.#group });
  }

  /** Resolves when no listener call is in flight, or after `timeoutMs`. */
  #whenIdle(timeoutMs: number): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        log.warn("Consumer {group}: {n} listener call(s) still running at shutdown", {
          group: this.#group,
          n: this.#inflight,
        });
        resolve();
      }, timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #schedulePersist(): void {
    this.#persistTimer = setTimeout(() => {
      this.#persisting = this.persistConsumerOffset().finally(() => {
        this.#persisting = undefined;
        if (this.#state === "running") this.#schedulePersist();
      });
    }, this.#persistIntervalMs);
    Deno.unrefTimer(this.#persistTimer as unknown as number);
  }

  #later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #statsOf(topic: string): TopicStats {
    let s = this.#stats.get(topic);
    if (!s) {
      s = {
        pulls: 0,
        pullRtMs: 0,
        consumeOk: 0,
        consumeFailed: 0,
        consumeRtMs: 0,
        consumeCalls: 0,
      };
      this.#stats.set(topic, s);
    }
    return s;
  }

  // ---- rebalance hooks ----

  #doRebalance(): Promise<void> {
    if (this.#state !== "running" || !this.#rebalancer) return Promise.resolve();
    return this.#rebalancer.doRebalance();
  }

  /** The start offset of a newly assigned queue (computePullFromWhere, §8.7); −1: not now. */
  async #computePullFromWhere(mq: MessageQueue): Promise<number> {
    const store = this.#offsetStore!;
    store.removeOffset(mq);
    const last = await store.readOffsetFromStore(mq);
    if (last >= 0) return last;
    if (last === OFFSET_ERROR) return -1;
    try {
      switch (this.#fromWhere) {
        case ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET:
          return 0;
        case ConsumeFromWhere.CONSUME_FROM_TIMESTAMP:
          if (isRetryTopic(mq.topic)) return await this.#queueOffset(mq, "max");
          return await this.#queueOffset(mq, "search");
        default:
          if (isRetryTopic(mq.topic)) return 0;
          return await this.#queueOffset(mq, "max");
      }
    } catch (e) {
      log.warn("Cannot compute the start offset of {mq}: {error}", {
        mq: messageQueueKey(mq),
        error: errorMessage(e),
      });
      return -1;
    }
  }

  async #queueOffset(mq: MessageQueue, kind: "max" | "search"): Promise<number> {
    const instance = this.#instance!;
    const addr = await instance.masterAddressOf(mq);
    const timeout = instance.config.mqClientApiTimeoutMs;
    return kind === "max"
      ? await instance.api.getMaxOffset(addr, mq.topic, mq.queueId, timeout)
      : await instance.api.searchOffset(
        addr,
        mq.topic,
        mq.queueId,
        this.#consumeTimestamp,
        timeout,
      );
  }

  async #removeUnnecessaryMessageQueue(mq: MessageQueue, _pq: ProcessQueue): Promise<boolean> {
    const store = this.#offsetStore!;
    await store.persist(mq);
    store.removeOffset(mq);
    return true;
  }

  #dispatchPullRequest(mq: MessageQueue, pq: ProcessQueue, offset: number): void {
    const pr: PullRequest = {
      mq,
      pq,
      key: messageQueueKey(mq),
      topicHint: new TopicHint(mq.topic),
      nextOffset: offset,
      failures: 0,
    };
    this.#pullMessage(pr);
  }

  // ---- pulling ----

  #pullMessage(pr: PullRequest): void {
    const pq = pr.pq;
    if (pq.dropped || this.#state !== "running") return;
    pq.lastPullTimestamp = Date.now();
    if (this.#paused) {
      this.#later(() => this.#pullMessage(pr), PULL_DELAY_WHEN_SUSPENDED_MS);
      return;
    }
    if (this.#overLimits(pq)) {
      // Consumption calls this back once it has made room (no polling timer).
      pq.waitingPull = () => this.#pullMessage(pr);
      return;
    }
    const mq = pr.mq;
    const sub = this.#subscriptions.get(mq.topic);
    if (!sub) {
      this.#later(() => this.#pullMessage(pr), this.#pullDelayOnErrorMs);
      return;
    }
    let sysFlag = PullSysFlag.SUSPEND;
    let commitOffset = 0;
    if (this.#model === MessageModel.CLUSTERING) {
      commitOffset = this.#offsetStore!.readOffsetFromMemory(mq);
      if (commitOffset > 0) sysFlag |= PullSysFlag.COMMIT_OFFSET;
      else commitOffset = 0;
    }
    if (this.#postSubscription) sysFlag |= PullSysFlag.SUBSCRIPTION;
    const filter: PullFilter = {
      tags: this.#tagFilters.get(mq.topic),
      topicHint: pr.topicHint,
      restoreRetryTopic: this.#model === MessageModel.CLUSTERING && isRetryTopic(mq.topic)
        ? mq.topic
        : undefined,
    };
    const begin = Date.now();
    this.#pullApi!.pull(mq, {
      consumerGroup: this.#group,
      subExpression: sub.subString,
      subVersion: sub.subVersion,
      queueOffset: pr.nextOffset,
      maxMsgNums: this.#pullBatchSize,
      sysFlag,
      commitOffset,
      suspendTimeoutMillis: this.#suspendMs,
      timeoutMs: this.#pullTimeoutMs,
    }, filter).then(
      (r) => this.#onPullResult(pr, r, begin),
      (e) => this.#onPullError(pr, e),
    );
  }

  #overLimits(pq: ProcessQueue): boolean {
    return pq.msgCount > this.#thresholdCount || pq.msgSize > this.#thresholdBytes ||
      pq.maxSpan > this.#maxSpan;
  }

  #onPullResult(pr: PullRequest, r: ReceivedPullResult, begin: number): void {
    const pq = pr.pq;
    if (pq.dropped || this.#state !== "running") return;
    pr.failures = 0;
    const mq = pr.mq;
    const stats = this.#statsOf(mq.topic);
    stats.pulls++;
    stats.pullRtMs += Date.now() - begin;
    switch (r.pullStatus) {
      case PullStatus.FOUND: {
        pr.nextOffset = r.nextBeginOffset;
        const msgs = r.msgFoundList;
        if (msgs.length > 0) {
          pq.putMessages(msgs);
          this.#consume(mq, pq);
        } else if (pq.msgCount === 0) {
          // Everything was filtered out client-side: nothing pending, so the offset moves on.
          this.#offsetStore!.updateOffset(mq, pr.nextOffset, true);
        }
        if (this.#pullInterval > 0 && msgs.length > 0) {
          this.#later(() => this.#pullMessage(pr), this.#pullInterval);
        } else this.#pullMessage(pr);
        return;
      }
      case PullStatus.NO_NEW_MSG:
      case PullStatus.NO_MATCHED_MSG:
        pr.nextOffset = r.nextBeginOffset;
        // correctTagsOffset: nothing pending, so the offset may follow the pull.
        if (pq.msgCount === 0) this.#offsetStore!.updateOffset(mq, pr.nextOffset, true);
        this.#pullMessage(pr);
        return;
      case PullStatus.OFFSET_ILLEGAL:
        log.warn("Offset {offset} of {mq} is illegal; continuing from {next}", {
          offset: pr.nextOffset,
          mq: pr.key,
          next: r.nextBeginOffset,
        });
        void this.#correctIllegalOffset(pr, r.nextBeginOffset);
        return;
    }
  }

  /** Drops the queue, stores the broker's offset and lets a rebalance take the queue again. */
  async #correctIllegalOffset(pr: PullRequest, next: number): Promise<void> {
    const store = this.#offsetStore!;
    pr.pq.dropped = true;
    store.updateOffset(pr.mq, next, false);
    await store.persist(pr.mq);
    const table = this.#rebalancer!.processQueues;
    if (table.get(pr.key)?.pq === pr.pq) table.delete(pr.key);
    if (this.#state === "running") void this.#instance!.rebalanceImmediately();
  }

  #onPullError(pr: PullRequest, e: unknown): void {
    if (pr.pq.dropped || this.#state !== "running") return;
    pr.failures++;
    const level = pr.failures === 1 || pr.failures % PULL_FAILURE_LOG_EVERY === 0
      ? "warn"
      : "debug";
    log[level]("Pull of {mq} failed ({n} in a row): {error}", {
      mq: pr.key,
      n: pr.failures,
      error: errorMessage(e),
    });
    if (
      e instanceof MQBrokerError &&
      (e.code === ResponseCode.SUBSCRIPTION_NOT_EXIST ||
        e.code === ResponseCode.SUBSCRIPTION_NOT_LATEST ||
        e.code === ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST)
    ) {
      // The broker lost the group (it restarted): tell it again now, not in 30 s, and pull
      // again as soon as it knows.
      // Queues failing in the same instant share that heartbeat; later failures wait as usual.
      const now = Date.now();
      if (now - this.#lastHeartbeatOnError >= HEARTBEAT_ON_ERROR_MIN_INTERVAL_MS) {
        this.#lastHeartbeatOnError = now;
        this.#heartbeatOnError = this.#instance!.sendHeartbeatToAllBrokers();
      }
      if (now === this.#lastHeartbeatOnError && this.#heartbeatOnError) {
        void this.#heartbeatOnError.then(() => this.#pullMessage(pr));
        return;
      }
    }
    this.#later(() => this.#pullMessage(pr), this.#pullDelayOnErrorMs);
  }

  // ---- consuming ----

  /** Hands the queue's waiting messages to the listener, batch by batch, in order. */
  #consume(mq: MessageQueue, pq: ProcessQueue): void {
    const listener = this.#listener!;
    while (!pq.consuming && this.#state === "running" && !pq.dropped) {
      const batch = pq.takeBatch(this.#batchMax);
      if (batch === undefined) break;
      pq.consuming = true;
      this.#inflight++;
      const ctx: ConsumeConcurrentlyContext = {
        messageQueue: mq,
        delayLevelWhenNextConsume: 0,
        ackIndex: ACK_ALL,
      };
      const begin = Date.now();
      let result: unknown;
      let failed = false;
      try {
        result = listener(batch, ctx);
      } catch (e) {
        failed = true;
        logListenerError(this.#group, mq, e);
      }
      if (!failed && isThenable(result)) {
        result.then(
          (status) => this.#afterListener(mq, pq, batch, ctx, isFailure(status), begin, true),
          (e) => {
            logListenerError(this.#group, mq, e);
            this.#afterListener(mq, pq, batch, ctx, true, begin, true);
          },
        );
        return;
      }
      if (!this.#afterListener(mq, pq, batch, ctx, failed || isFailure(result), begin, false)) {
        return;
      }
    }
    this.#resumePull(pq);
  }

  /**
   * Settles one listener call (processConsumeResult). Returns true when done synchronously;
   * otherwise (send-backs in flight, or called from a promise) it continues the queue itself.
   */
  #afterListener(
    mq: MessageQueue,
    pq: ProcessQueue,
    batch: ReceivedMessage[],
    ctx: ConsumeConcurrentlyContext,
    failed: boolean,
    begin: number,
    async: boolean,
  ): boolean {
    const stats = this.#statsOf(mq.topic);
    stats.consumeCalls++;
    stats.consumeRtMs += Date.now() - begin;
    const ackIndex = failed ? -1 : Math.min(Math.max(ctx.ackIndex, -1), batch.length - 1);
    stats.consumeOk += ackIndex + 1;
    stats.consumeFailed += batch.length - ackIndex - 1;
    if (ackIndex < batch.length - 1 && this.#model === MessageModel.CLUSTERING && !pq.dropped) {
      void this.#sendBack(mq, pq, batch, ackIndex, ctx.delayLevelWhenNextConsume);
      return false;
    }
    // A dropped queue's failures need no send-back: its offset stays before them.
    if (ackIndex < batch.length - 1 && !pq.dropped) {
      // Broadcasting: a failed message is dropped, as in Java.
      log.warn("Consumer {group} dropped {n} failed broadcast message(s) of {mq}", {
        group: this.#group,
        n: batch.length - ackIndex - 1,
        mq: messageQueueKey(mq),
      });
    }
    this.#finish(mq, pq, batch);
    if (async) this.#consume(mq, pq);
    return true;
  }

  /** Sends failed messages back; those that cannot be are redelivered here later. */
  async #sendBack(
    mq: MessageQueue,
    pq: ProcessQueue,
    batch: ReceivedMessage[],
    ackIndex: number,
    delayLevel: number,
  ): Promise<void> {
    const failed = batch.slice(ackIndex + 1);
    const results = await Promise.allSettled(failed.map((m) =>
      sendMessageBack(this.#instance!, m, {
        group: this.#group,
        delayLevel,
        maxReconsumeTimes: this.#maxReconsumeTimes,
      })
    ));
    const local: ReceivedMessage[] = [];
    results.forEach((r, i) => {
      if (r.status === "rejected") {
        const m = failed[i];
        m.reconsumeTimes++;
        local.push(m);
        log.warn("Cannot send {msgId} back; redelivering it locally: {error}", {
          msgId: m.msgId,
          error: errorMessage(r.reason),
        });
      }
    });
    const done = local.length === 0 ? batch : batch.filter((m) => !local.includes(m));
    this.#finish(mq, pq, done);
    if (local.length > 0) {
      this.#later(() => {
        if (pq.dropped) return;
        pq.requeue(local);
        this.#consume(mq, pq);
      }, LOCAL_REDELIVERY_DELAY_MS);
    }
    this.#consume(mq, pq);
  }

  /** Marks messages done, moves the offset, and lets shutdown or a paused pull go on. */
  #finish(mq: MessageQueue, pq: ProcessQueue, done: readonly ReceivedMessage[]): void {
    const offset = pq.removeMessages(done);
    if (offset >= 0 && !pq.dropped) this.#offsetStore!.updateOffset(mq, offset, true);
    pq.lastConsumeTimestamp = Date.now();
    pq.consuming = false;
    if (--this.#inflight === 0 && this.#idleWaiters.length > 0) {
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  #resumePull(pq: ProcessQueue): void {
    const waiting = pq.waitingPull;
    if (waiting && !this.#overLimits(pq)) {
      pq.waitingPull = undefined;
      waiting();
    }
  }

  // ---- broker requests ----

  async #resetOffset(topic: string, offsets: readonly [MessageQueue, number][]): Promise<void> {
    if (this.#state !== "running") return;
    const table = this.#rebalancer!.processQueues;
    const store = this.#offsetStore!;
    for (const [key, { mq, pq }] of table) {
      if (mq.topic !== topic) continue;
      pq.dropped = true;
      pq.clear();
      table.delete(key);
    }
    await Promise.all(offsets.map(async ([mq, offset]) => {
      store.updateOffset(mq, offset, false);
      await store.persist(mq);
    }));
    log.info("Consumer {group} reset {n} offset(s) of {topic}", {
      group: this.#group,
      n: offsets.length,
      topic,
    });
    await this.#instance!.rebalanceImmediately();
  }

  #runningInfo(): Uint8Array {
    const now = Date.now();
    const up = Math.max(1, (now - this.#startTimestamp) / 1000);
    const properties: Record<string, string> = {
      [RunningInfoProp.NAMESERVER_ADDR]: this.#clientConfig.namesrvAddrs.join(";"),
      [RunningInfoProp.THREADPOOL_CORE_SIZE]: "1",
      [RunningInfoProp.CONSUME_ORDERLY]: "false",
      [RunningInfoProp.CONSUME_TYPE]: ConsumeType.CONSUME_PASSIVELY,
      [RunningInfoProp.CLIENT_VERSION]: ROCKETMQ_VERSION_NAME,
      [RunningInfoProp.CONSUMER_START_TIMESTAMP]: String(this.#startTimestamp),
      consumerGroup: this.#group,
      messageModel: this.#model,
      consumeFromWhere: this.#fromWhere,
      consumeMessageBatchMaxSize: String(this.#batchMax),
      pullBatchSize: String(this.#pullBatchSize),
      pullThresholdForQueue: String(this.#thresholdCount),
      maxReconsumeTimes: String(this.#maxReconsumeTimes),
    };
    const mqTable: [MessageQueue, ProcessQueueInfo][] = [];
    for (const { mq, pq } of this.#rebalancer?.processQueues.values() ?? []) {
      mqTable.push([mq, {
        commitOffset: this.#offsetStore?.readOffsetFromMemory(mq) ?? -1,
        cachedMsgMinOffset: pq.minUnfinishedOffset,
        cachedMsgMaxOffset: pq.msgCount > 0 ? pq.maxOffset : -1,
        cachedMsgCount: pq.msgCount,
        cachedMsgSizeInMiB: Math.floor(pq.msgSize / (1024 * 1024)),
        transactionMsgMinOffset: 0,
        transactionMsgMaxOffset: 0,
        transactionMsgCount: 0,
        locked: false,
        tryUnlockTimes: 0,
        lastLockTimestamp: 0,
        droped: pq.dropped,
        lastPullTimestamp: pq.lastPullTimestamp,
        lastConsumeTimestamp: pq.lastConsumeTimestamp,
      }]);
    }
    const statusTable: Record<string, ConsumeStatus> = {};
    for (const [topic, s] of this.#stats) {
      statusTable[topic] = {
        pullRT: s.pulls > 0 ? s.pullRtMs / s.pulls : 0,
        pullTPS: s.pulls / up,
        consumeRT: s.consumeCalls > 0 ? s.consumeRtMs / s.consumeCalls : 0,
        consumeOKTPS: s.consumeOk / up,
        consumeFailedTPS: s.consumeFailed / up,
        consumeFailedMsgs: s.consumeFailed,
      };
    }
    return encodeConsumerRunningInfo({
      properties,
      subscriptionSet: [...this.#subscriptions.values()],
      mqTable,
      statusTable,
    });
  }

  async #consumeMessageDirectly(msg: ReceivedMessage): Promise<Uint8Array> {
    if (msg.topic === retryTopic(this.#group)) {
      const original = msg.getProperty(MessageConst.RETRY_TOPIC);
      if (original !== undefined) msg.topic = original;
    }
    const begin = Date.now();
    const ctx: ConsumeConcurrentlyContext = {
      messageQueue: { topic: msg.topic, brokerName: msg.brokerName, queueId: msg.queueId },
      delayLevelWhenNextConsume: 0,
      ackIndex: ACK_ALL,
    };
    let consumeResult: string = CMResult.CR_SUCCESS;
    let remark = "";
    try {
      const status = await this.#listener!([msg], ctx);
      if (isFailure(status)) consumeResult = CMResult.CR_LATER;
    } catch (e) {
      consumeResult = CMResult.CR_THROW_EXCEPTION;
      remark = errorMessage(e);
    }
    return encodeConsumeMessageDirectlyResult({
      order: false,
      autoCommit: true,
      consumeResult,
      remark,
      spentTimeMills: Date.now() - begin,
    });
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" &&
    typeof (v as { then?: unknown }).then === "function";
}

function isFailure(status: unknown): boolean {
  return status === ConsumeConcurrentlyStatus.RECONSUME_LATER;
}

function logListenerError(group: string, mq: MessageQueue, e: unknown): void {
  log.warn("Listener of {group} failed on {mq}; the messages go back for retry: {error}", {
    group,
    mq: messageQueueKey(mq),
    error: errorMessage(e),
  });
}
