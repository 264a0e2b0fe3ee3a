/**
 * The push consumer (Java's DefaultMQPushConsumer): its API and lifecycle. It subscribes,
 * joins the group through a client instance (heartbeats, rebalancing: rebalance.ts), and for
 * each queue it is given runs a pull loop (pull_loop.ts) that feeds the consume service
 * (consume_service.ts); offsets are kept by an offset store (offset_store.ts) and persisted
 * every 5 s and at shutdown, so every message is delivered at least once. Options and their
 * defaults: push_consumer_options.ts; figures and running info: consumer_stats.ts.
 *
 * One concept, the consumer's API and lifecycle: half of the file is the public methods' docs
 * with examples.
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import {
  type ConsumerData,
  ConsumeType,
  type SubscriptionData,
} from "../../remoting/body/heartbeat_data.ts";
import { type MessageQueue, messageQueueKey } from "../../remoting/body/message_queue.ts";
import { isRetryTopic, retryTopic } from "../../remoting/group_topics.ts";
import type { ConsumerInner } from "../client_inner.ts";
import { ClientInstance, runningInstance } from "../client_instance.ts";
import { MQClientError } from "../errors.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { topicRouteToSubscribeInfo } from "../topic_route.ts";
import { checkTopic } from "../validators.ts";
import { ConsumeMessageConcurrentlyService } from "./consume_service.ts";
import { ConsumerStats, pushConsumerRunningInfo } from "./consumer_stats.ts";
import { ConsumeFromWhere, type MessageListener, MessageModel } from "./consumer_types.ts";
import {
  LocalFileOffsetStore,
  OFFSET_ERROR,
  type OffsetStore,
  RemoteBrokerOffsetStore,
} from "./offset_store.ts";
import type { ProcessQueue } from "./process_queue.ts";
import { PullAPIWrapper } from "./pull_api.ts";
import { PullLoops } from "./pull_loop.ts";
import {
  type PushConsumerOptions,
  type PushConsumerSettings,
  resolvePushConsumerOptions,
} from "./push_consumer_options.ts";
import { Rebalancer } from "./rebalance.ts";
import { buildTagSubscription, tagFilterOf } from "./tag_expression.ts";
import { type MessageSelector, subscriptionFor } from "./message_selector.ts";
import { isTagType } from "../../remoting/filter_api.ts";

export type { PushConsumerOptions } from "./push_consumer_options.ts";

const log = logger("client", "consumer");

type State = "created" | "running" | "stopping" | "shutdown";

/** What a started consumer runs on. */
interface Running {
  readonly instance: ClientInstance;
  readonly offsetStore: OffsetStore;
  readonly rebalancer: Rebalancer;
  readonly pulls: PullLoops;
  readonly consume: ConsumeMessageConcurrentlyService;
}

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
  readonly #s: PushConsumerSettings;
  /** topic → subscription; the retry topic's joins at start (clustering). */
  readonly #subscriptions = new Map<string, SubscriptionData>();
  /** topic → exact tags to keep (absent: all). */
  readonly #tagFilters = new Map<string, ReadonlySet<string> | undefined>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #stats = new ConsumerStats();
  readonly #inner: ConsumerInner;
  #listener: MessageListener | undefined;
  #run: Running | undefined;
  #persistTimer: ReturnType<typeof setTimeout> | undefined;
  #persisting: Promise<void> | undefined;
  #shutdownPromise: Promise<void> | undefined;
  #state: State = "created";
  #paused = false;
  #startTimestamp = 0;

  /**
   * Makes a consumer; nothing connects until start().
   *
   * @param options Name server, group and tuning; see PushConsumerOptions for defaults.
   * @throws TypeError or RangeError for an invalid option.
   */
  constructor(options: PushConsumerOptions) {
    this.#s = resolvePushConsumerOptions(options);
    this.#inner = {
      groupName: this.#s.group,
      consumerData: () => this.#consumerData(),
      subscriptionTopics: () => this.#subscriptions.keys(),
      isSubscribeTopicNeedUpdate: (topic) =>
        this.#subscriptions.has(topic) &&
        !(this.#run?.rebalancer.topicSubscribeInfo.get(topic)?.length),
      updateTopicSubscribeInfo: (topic, queues) => {
        if (this.#subscriptions.has(topic)) {
          this.#run?.rebalancer.topicSubscribeInfo.set(topic, queues);
        }
      },
      doRebalance: () => this.#doRebalance(),
      resetOffset: (topic, offsets) => this.#resetOffset(topic, offsets),
      consumerRunningInfo: () => this.#runningInfo(),
      consumeMessageDirectly: (msg) => this.#run!.consume.consumeMessageDirectly(msg),
    };
  }

  /** The consumer group. */
  get groupName(): string {
    return this.#s.group;
  }

  /** `<clientIP>@<instanceName>` once started. */
  get clientId(): string | undefined {
    return this.#run?.instance.clientId;
  }

  /** CLUSTERING or BROADCASTING. */
  get messageModel(): MessageModel {
    return this.#s.model;
  }

  /**
   * Subscribes to a topic with a TAG expression (`*`, `TagA`, `TagA || TagB`) or a selector
   * (`MessageSelector.bySql("a > 5")`, filtered by the broker); subscribing again replaces it.
   * Allowed before and after start(); SQL92 is checked with the brokers at start.
   *
   * @param topic The topic.
   * @param expression Tags to receive, `||`-separated; `*` (default) for every message.
   * @throws TypeError for an invalid topic, SyntaxError for an expression naming no tag.
   * @example
   * ```ts
   * consumer.subscribe("TopicTest", "TagA || TagB");
   * consumer.subscribe("Orders", MessageSelector.bySql("amount > 100 AND region = 'eu'"));
   * ```
   */
  subscribe(topic: string, expression: string | MessageSelector = "*"): void {
    checkTopic(topic, "subscribe");
    if (this.#state === "stopping" || this.#state === "shutdown") {
      throw new TypeError(`Cannot subscribe: consumer ${this.#s.group} is shut down`);
    }
    const data = subscriptionFor(topic, expression);
    this.#subscriptions.set(topic, data);
    this.#tagFilters.set(topic, tagFilterOf(data));
    if (this.#state === "running") this.#subscriptionChanged(topic);
  }

  /**
   * Java's checkClientInBroker: a SQL92 subscription is refused at start, with the broker's
   * reason, when the broker cannot filter with it or it does not parse.
   */
  async #checkClientInBroker(instance: ClientInstance): Promise<void> {
    for (const [topic, sub] of this.#subscriptions) {
      if (isTagType(sub.expressionType)) continue;
      const addr = instance.findBrokerAddrByTopic(topic);
      if (addr === undefined) continue;
      const res = await instance.api.checkClientConfig(addr, {
        clientId: instance.clientId,
        group: this.#s.group,
        subscriptionData: sub,
      }, instance.config.mqClientApiTimeoutMs);
      if (res.code !== ResponseCode.SUCCESS) {
        throw new MQClientError(
          `Check client in broker error, maybe because you use ${sub.expressionType} to filter ` +
            `message, but server has not been upgraded to support! ${res.remark ?? ""}`.trim(),
        );
      }
    }
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
      void this.#run!.instance.sendHeartbeatToAllBrokers();
      void this.#run!.instance.rebalanceImmediately();
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
      throw new TypeError(`Cannot start consumer ${this.#s.group}: ${why}`);
    }
    if (!this.#listener) {
      throw new TypeError(
        `Cannot start consumer ${this.#s.group}: no message listener (call registerMessageListener)`,
      );
    }
    const instance = ClientInstance.getOrCreate(this.#s.clientConfig);
    if (!instance.registerConsumer(this.#inner)) {
      throw new TypeError(
        `Cannot start consumer: group ${this.#s.group} already has a consumer in client ${instance.clientId}`,
      );
    }
    const clustering = this.#s.model === MessageModel.CLUSTERING;
    if (clustering) {
      const retry = retryTopic(this.#s.group);
      this.#subscriptions.set(retry, buildTagSubscription(retry, "*"));
      this.#tagFilters.set(retry, undefined);
    }
    const offsetStore = clustering
      ? new RemoteBrokerOffsetStore(instance, this.#s.group)
      : new LocalFileOffsetStore(this.#s.offsetDir, instance.clientId, this.#s.group);
    this.#run = this.#wire(instance, offsetStore);
    this.#state = "running";
    this.#startTimestamp = Date.now();
    try {
      await offsetStore.load();
      instance.start();
      const topics = [...this.#subscriptions.keys()];
      await Promise.all(topics.map((t) => instance.updateTopicRouteInfoFromNameServer(t)));
      await this.#checkClientInBroker(instance);
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
      group: this.#s.group,
      clientId: instance.clientId,
      model: this.#s.model,
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
    return this.#run?.rebalancer.assignedQueues() ?? [];
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
    const run = this.#run;
    if (!run) return;
    await run.offsetStore.persistAll(run.rebalancer.assignedQueues());
  }

  // ---- internals ----

  /** The parts of a started consumer, each given what it needs. */
  #wire(instance: ClientInstance, offsetStore: OffsetStore): Running {
    const later = (fn: () => void, ms: number) => this.#later(fn, ms);
    const isRunning = () => this.#state === "running";
    const listener = () => this.#listener!;
    const consume: ConsumeMessageConcurrentlyService = new ConsumeMessageConcurrentlyService({
      settings: this.#s,
      get listener() {
        return listener(); // Read at each call: a listener registered again is used at once.
      },
      instance,
      offsetStore,
      stats: this.#stats,
      isRunning,
      later,
      resumePull: (pq) => pulls.resume(pq),
    });
    const pulls: PullLoops = new PullLoops({
      settings: this.#s,
      offsetStore,
      pullApi: new PullAPIWrapper(instance),
      stats: this.#stats,
      isRunning,
      isPaused: () => this.#paused,
      subscription: (topic) => this.#subscriptions.get(topic),
      tagFilter: (topic) => this.#tagFilters.get(topic),
      consume: (mq, pq) => consume.submit(mq, pq),
      releaseQueue: (key, pq) => this.#releaseQueue(key, pq),
      heartbeat: () => instance.sendHeartbeatToAllBrokers(),
      later,
    });
    const rebalancer = new Rebalancer(
      this.#s.group,
      this.#s.model === MessageModel.BROADCASTING,
      this.#s.strategy,
      instance,
      this.#subscriptions,
      {
        computePullFromWhere: (mq) => this.#computePullFromWhere(mq),
        dispatchPullRequest: (mq, pq, offset) => pulls.start(mq, pq, offset),
        removeUnnecessaryMessageQueue: (mq) => this.#removeUnnecessaryMessageQueue(mq),
        running: () => this.#state === "running",
      },
    );
    return { instance, offsetStore, rebalancer, pulls, consume };
  }

  #running(what: string): ClientInstance {
    return runningInstance(this.#run?.instance, this.#state, what, `consumer ${this.#s.group}`);
  }

  #consumerData(): ConsumerData {
    return {
      groupName: this.#s.group,
      consumeType: ConsumeType.CONSUME_PASSIVELY,
      messageModel: this.#s.model,
      consumeFromWhere: this.#s.fromWhere,
      subscriptionDataSet: [...this.#subscriptions.values()],
      unitMode: false,
    };
  }

  #subscriptionChanged(topic: string): void {
    const instance = this.#run!.instance;
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
    const run = this.#run!;
    await run.consume.whenIdle(this.#s.awaitTerminationMs);
    await this.#persisting;
    try {
      const queues = run.rebalancer.assignedQueues();
      for (const { pq } of run.rebalancer.processQueues.values()) pq.dropped = true;
      await run.offsetStore.persistAll(queues);
    } finally {
      await run.instance.unregisterConsumer(this.#s.group);
      await run.instance.shutdown();
      this.#state = "shutdown";
    }
    log.info("Consumer {group} shut down", { group: this.#s.group });
  }

  #schedulePersist(): void {
    this.#persistTimer = setTimeout(() => {
      this.#persisting = this.persistConsumerOffset().finally(() => {
        this.#persisting = undefined;
        if (this.#state === "running") this.#schedulePersist();
      });
    }, this.#s.persistIntervalMs);
    Deno.unrefTimer(this.#persistTimer as unknown as number);
  }

  #later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  /** A queue whose offset the broker called illegal: forget it so a rebalance takes it again. */
  #releaseQueue(key: string, pq: ProcessQueue): void {
    const run = this.#run!;
    const table = run.rebalancer.processQueues;
    if (table.get(key)?.pq === pq) table.delete(key);
    if (this.#state === "running") void run.instance.rebalanceImmediately();
  }

  // ---- rebalance hooks ----

  #doRebalance(): Promise<void> {
    if (this.#state !== "running" || !this.#run) return Promise.resolve();
    return this.#run.rebalancer.doRebalance();
  }

  /** The start offset of a newly assigned queue (computePullFromWhere, §8.7); −1: not now. */
  async #computePullFromWhere(mq: MessageQueue): Promise<number> {
    const store = this.#run!.offsetStore;
    store.removeOffset(mq);
    const last = await store.readOffsetFromStore(mq);
    if (last >= 0) return last;
    if (last === OFFSET_ERROR) return -1;
    try {
      switch (this.#s.fromWhere) {
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
    const instance = this.#run!.instance;
    const addr = await instance.masterAddressOf(mq);
    const timeout = instance.config.mqClientApiTimeoutMs;
    return kind === "max"
      ? await instance.api.getMaxOffset(addr, mq.topic, mq.queueId, timeout)
      : await instance.api.searchOffset(
        addr,
        mq.topic,
        mq.queueId,
        this.#s.consumeTimestamp,
        timeout,
      );
  }

  async #removeUnnecessaryMessageQueue(mq: MessageQueue): Promise<boolean> {
    const store = this.#run!.offsetStore;
    await store.persist(mq);
    store.removeOffset(mq);
    return true;
  }

  // ---- broker requests ----

  async #resetOffset(topic: string, offsets: readonly [MessageQueue, number][]): Promise<void> {
    if (this.#state !== "running") return;
    const run = this.#run!;
    const table = run.rebalancer.processQueues;
    for (const [key, { mq, pq }] of table) {
      if (mq.topic !== topic) continue;
      pq.dropped = true;
      pq.clear();
      table.delete(key);
    }
    await Promise.all(offsets.map(async ([mq, offset]) => {
      run.offsetStore.updateOffset(mq, offset, false);
      await run.offsetStore.persist(mq);
    }));
    log.info("Consumer {group} reset {n} offset(s) of {topic}", {
      group: this.#s.group,
      n: offsets.length,
      topic,
    });
    await run.instance.rebalanceImmediately();
  }

  #runningInfo(): Uint8Array {
    const run = this.#run;
    return pushConsumerRunningInfo({
      settings: this.#s,
      startTimestamp: this.#startTimestamp,
      subscriptions: this.#subscriptions.values(),
      queues: run?.rebalancer.processQueues.values() ?? [],
      commitOffset: (mq) => run?.offsetStore.readOffsetFromMemory(mq) ?? -1,
      stats: this.#stats,
    });
  }
}
