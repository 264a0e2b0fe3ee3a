/**
 * The machinery producers and consumers of one client id share (Java's MQClientInstance):
 * one RemotingClient, the name-server list, topic routes polled every 30 s, the broker address
 * table, and heartbeats to every broker every 30 s naming the producer and consumer groups.
 *
 * Producers and consumers register under their group and are called back when a route
 * changes. Push consumers are rebalanced every 20 s and at once when a broker sends
 * NOTIFY_CONSUMER_IDS_CHANGED; the requests brokers send consumers are answered by
 * client_remoting_processor.ts. Instances are shared by client id
 * (`<clientIP>@<instanceName>`); the default instance name is unique per client object, so
 * sharing only happens when asked for.
 *
 * One concept, Java's MQClientInstance: routes, brokers, heartbeats and rebalancing share its
 * timers and tables.
 */
import { ipv4Bytes } from "../common/address.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { UniqueKeyGenerator } from "../common/message/message_id.ts";
import type { Timer } from "../common/timer.ts";
import { RemotingClient } from "../remoting/client.ts";
import type { MessageQueue } from "../remoting/body/message_queue.ts";
import { MASTER_ID, type TopicRouteData } from "../remoting/body/topic_route_data.ts";
import {
  buildClientId,
  type ClientConfig,
  type ClientOptions,
  resolveClientConfig,
} from "./client_config.ts";
import {
  CLIENT_INNER_PRODUCER_GROUP,
  type HeartbeatData,
} from "../remoting/body/heartbeat_data.ts";
import type { ConsumerInner, ProducerInner } from "./client_inner.ts";
import { MQClientError } from "./errors.ts";
import { MQClientAPI } from "./mq_client_api.ts";
import { registerClientProcessors } from "./client_remoting_processor.ts";
import type { ReceivedMessage } from "./message_ext.ts";
import {
  defaultTopicRoute,
  routeFingerprint,
  topicRouteToPublishInfo,
  topicRouteToSubscribeInfo,
} from "./topic_route.ts";

const log = logger("client");

/** Java's first route poll runs 10 ms after start, the first heartbeat after 1 s. */
const FIRST_ROUTE_POLL_MS = 10;
const FIRST_HEARTBEAT_MS = 1000;
/** RebalanceService: every consumer re-splits its queues this often (waitInterval, 20 s). */
export const REBALANCE_INTERVAL_MS = 20_000;

/** A broker address picked for reads (findBrokerAddressInSubscribe). */
export interface FindBrokerResult {
  brokerAddr: string;
  slave: boolean;
}

/** How a stand-in route is built for a topic the broker will create on first send. */
export interface DefaultTopicOptions {
  /** The key topic whose route stands in (createTopicKey, `TBW102`). */
  key: string;
  /** Queues per broker (defaultTopicQueueNums, 4). */
  queueNums: number;
}

/**
 * Running instances by client id (Java's MQClientManager): producers and consumers created
 * with the same instanceName share one instance and its connections, as in Java. The one
 * table that is process-wide by design; nothing else in the client is.
 */
const INSTANCES = new Map<string, ClientInstance>();

/**
 * The instance of a producer or consumer (`who`) that must be running to do `what`; a
 * TypeError for one not started yet or shut down (or stopping).
 */
export function runningInstance(
  instance: ClientInstance | undefined,
  state: string,
  what: string,
  who: string,
): ClientInstance {
  if (state !== "running") {
    throw new TypeError(
      `Cannot ${what}: ${who} is ${
        state === "created" ? "not started (call start() first)" : "shut down"
      }`,
    );
  }
  return instance!;
}

export class ClientInstance implements AsyncDisposable {
  readonly clientId: string;
  readonly config: ClientConfig;
  readonly remoting: RemotingClient;
  readonly api: MQClientAPI;
  /** Makes UNIQ_KEY message ids: IP of this client, then pid, time and a counter. */
  readonly uniqueKeys: UniqueKeyGenerator;
  /** topic → last route fetched (with the stand-in applied for auto-create topics). */
  readonly topicRouteTable: Map<string, TopicRouteData> = new Map();
  /** brokerName → (brokerId → address). */
  readonly brokerAddrTable: Map<string, Map<number, string>> = new Map();
  /** brokerName → (address → version the broker reported in its heartbeat response). */
  readonly brokerVersionTable: Map<string, Map<string, number>> = new Map();
  /** Requests waiting for their reply (request-reply), by CORRELATION_ID. */
  readonly pendingRequests: Map<string, (reply: ReceivedMessage) => void> = new Map();

  readonly #producers = new Map<string, ProducerInner>();
  readonly #consumers = new Map<string, ConsumerInner>();
  readonly #routeFingerprints = new Map<string, string>();
  readonly #routeUpdates = new Map<string, Promise<boolean>>();
  #routeTimer: Timer | undefined;
  #heartbeatTimer: Timer | undefined;
  #routePoll: Promise<void> | undefined;
  #heartbeat: Promise<void> | undefined;
  #rebalanceTimer: Timer | undefined;
  #rebalance: Promise<void> | undefined;
  #rebalanceAgain = false;
  #state: "created" | "running" | "shutdown" = "created";

  private constructor(config: ClientConfig) {
    this.config = config;
    this.clientId = buildClientId(config);
    this.remoting = new RemotingClient({
      serializeType: config.serializeType,
      connectTimeoutMs: config.mqClientApiTimeoutMs,
      name: "client",
      credentials: config.credentials,
      tls: config.tls,
    });
    this.api = new MQClientAPI(this.remoting, config.namesrvAddrs);
    this.uniqueKeys = new UniqueKeyGenerator(ipv4Bytes(config.clientIP) ?? undefined);
    registerClientProcessors(this);
  }

  /**
   * The instance for this client id, made if there is none (MQClientManager). Options are
   * resolved first (resolveClientConfig; TypeError or RangeError when bad); pass a resolved
   * config to keep one default instance name across calls.
   */
  static getOrCreate(options: ClientOptions | ClientConfig): ClientInstance {
    const config = "namesrvAddrs" in options ? options : resolveClientConfig(options);
    const id = buildClientId(config);
    let instance = INSTANCES.get(id);
    if (!instance || instance.#state === "shutdown") {
      instance = new ClientInstance(config);
      INSTANCES.set(id, instance);
    }
    return instance;
  }

  /** The running instance with this client id (`<clientIP>@<instanceName>`), if any. */
  static find(clientId: string): ClientInstance | undefined {
    const instance = INSTANCES.get(clientId);
    return instance && instance.#state !== "shutdown" ? instance : undefined;
  }

  get isRunning(): boolean {
    return this.#state === "running";
  }

  /** Starts route polling and heartbeats; a no-op when already running. */
  start(): void {
    if (this.#state === "running") return;
    if (this.#state === "shutdown") {
      throw new TypeError(`Cannot start client instance ${this.clientId}: it was shut down`);
    }
    this.#state = "running";
    this.#scheduleRoutePoll(FIRST_ROUTE_POLL_MS);
    this.#scheduleHeartbeat(Math.min(FIRST_HEARTBEAT_MS, this.config.heartbeatBrokerIntervalMs));
    this.#scheduleRebalance();
    log.debug("Client instance {clientId} started", { clientId: this.clientId });
  }

  /**
   * Stops timers and closes every connection, unless a producer or consumer is still
   * registered (then it stays up for them, as in Java).
   */
  async shutdown(): Promise<void> {
    if (this.#state === "shutdown") return;
    if (this.#producers.size > 0 || this.#consumers.size > 0) return;
    this.#state = "shutdown";
    if (INSTANCES.get(this.clientId) === this) INSTANCES.delete(this.clientId);
    clearTimeout(this.#routeTimer);
    clearTimeout(this.#heartbeatTimer);
    clearTimeout(this.#rebalanceTimer);
    // Let a poll, heartbeat or rebalance in flight finish (each settles within the API timeout).
    await Promise.allSettled([
      this.#routePoll,
      this.#heartbeat,
      this.#rebalance,
      ...this.#routeUpdates.values(),
    ]);
    await this.remoting.close();
    log.debug("Client instance {clientId} shut down", { clientId: this.clientId });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  // ---- registration ----

  /** Registers a producer; false when the group already has one in this instance. */
  registerProducer(producer: ProducerInner): boolean {
    if (this.#producers.has(producer.groupName)) return false;
    this.#producers.set(producer.groupName, producer);
    return true;
  }

  /** Removes a producer and tells every broker (UNREGISTER_CLIENT). */
  async unregisterProducer(group: string): Promise<void> {
    if (!this.#producers.delete(group)) return;
    await this.#unregisterClient({ producerGroup: group });
  }

  /** Registers a consumer; false when the group already has one in this instance. */
  registerConsumer(consumer: ConsumerInner): boolean {
    if (this.#consumers.has(consumer.groupName)) return false;
    this.#consumers.set(consumer.groupName, consumer);
    return true;
  }

  /** Removes a consumer and tells every broker (UNREGISTER_CLIENT). */
  async unregisterConsumer(group: string): Promise<void> {
    if (!this.#consumers.delete(group)) return;
    await this.#unregisterClient({ consumerGroup: group });
  }

  get producers(): ReadonlyMap<string, ProducerInner> {
    return this.#producers;
  }

  get consumers(): ReadonlyMap<string, ConsumerInner> {
    return this.#consumers;
  }

  async #unregisterClient(groups: { producerGroup?: string; consumerGroup?: string }) {
    const calls: Promise<void>[] = [];
    for (const addrs of this.brokerAddrTable.values()) {
      for (const addr of addrs.values()) {
        calls.push(
          this.api.unregisterClient(addr, this.clientId, groups, this.config.mqClientApiTimeoutMs)
            .catch((e) => {
              // A broker that is gone forgets the client when the connection drops anyway.
              log.warn("Cannot unregister {clientId} from {addr}: {error}", {
                clientId: this.clientId,
                addr,
                error: errorMessage(e),
              });
            }),
        );
      }
    }
    await Promise.all(calls);
  }

  // ---- routes ----

  /**
   * Fetches one topic's route and, when it changed (or a client still lacks queues for the
   * topic), updates the broker table and every producer's and consumer's view of the topic.
   * With `defaultTopic`, the route of the key topic stands in (auto-create, §8.2). Concurrent
   * calls for the same topic share one request. Resolves whether anything was updated; never
   * rejects (failures are logged).
   */
  updateTopicRouteInfoFromNameServer(
    topic: string,
    defaultTopic?: DefaultTopicOptions,
  ): Promise<boolean> {
    const key = defaultTopic ? `${topic}\u0000${defaultTopic.key}` : topic;
    let p = this.#routeUpdates.get(key);
    if (!p) {
      p = this.#updateRoute(topic, defaultTopic).finally(() => this.#routeUpdates.delete(key));
      this.#routeUpdates.set(key, p);
    }
    return p;
  }

  async #updateRoute(topic: string, defaultTopic?: DefaultTopicOptions): Promise<boolean> {
    let route: TopicRouteData | undefined;
    const timeout = this.config.mqClientApiTimeoutMs;
    try {
      if (defaultTopic) {
        const keyRoute = await this.api.getTopicRouteInfoFromNameServer(defaultTopic.key, timeout);
        if (keyRoute) route = defaultTopicRoute(keyRoute, defaultTopic.queueNums);
      } else {
        route = await this.api.getTopicRouteInfoFromNameServer(topic, timeout);
      }
    } catch (e) {
      log.warn("Cannot update route of topic {topic}: {error}", { topic, error: errorMessage(e) });
      return false;
    }
    if (this.#state === "shutdown") return false;
    if (!route) {
      log.debug("Name server has no route for {topic}", { topic: defaultTopic?.key ?? topic });
      return false;
    }
    const fingerprint = routeFingerprint(route);
    const changed = this.#routeFingerprints.get(topic) !== fingerprint ||
      this.#needsUpdate(topic);
    if (!changed) return false;
    for (const bd of route.brokerDatas) this.brokerAddrTable.set(bd.brokerName, bd.brokerAddrs);
    if (this.#producers.size > 0) {
      const info = topicRouteToPublishInfo(topic, route);
      for (const p of this.#producers.values()) p.updateTopicPublishInfo(topic, info);
    }
    if (this.#consumers.size > 0) {
      const queues = topicRouteToSubscribeInfo(topic, route);
      for (const c of this.#consumers.values()) c.updateTopicSubscribeInfo(topic, queues);
    }
    this.topicRouteTable.set(topic, route);
    this.#routeFingerprints.set(topic, fingerprint);
    log.debug("Route of {topic} updated: {brokers}", {
      topic,
      brokers: route.queueDatas.map((q) => `${q.brokerName}:${q.writeQueueNums}`).join(" "),
    });
    return true;
  }

  #needsUpdate(topic: string): boolean {
    for (const p of this.#producers.values()) if (p.isPublishTopicNeedUpdate(topic)) return true;
    for (const c of this.#consumers.values()) if (c.isSubscribeTopicNeedUpdate(topic)) return true;
    return false;
  }

  /** Refreshes the route of every topic a registered producer or consumer uses. */
  async updateAllTopicRouteInfo(): Promise<void> {
    const topics = new Set<string>();
    for (const c of this.#consumers.values()) for (const t of c.subscriptionTopics()) topics.add(t);
    for (const p of this.#producers.values()) for (const t of p.publishTopics()) topics.add(t);
    await Promise.all([...topics].map((t) => this.updateTopicRouteInfoFromNameServer(t)));
  }

  #scheduleRoutePoll(delayMs: number): void {
    this.#routeTimer = setTimeout(() => {
      this.#routePoll = this.updateAllTopicRouteInfo().finally(() => {
        this.#routePoll = undefined;
        if (this.#state === "running") {
          this.#scheduleRoutePoll(this.config.pollNameServerIntervalMs);
        }
      });
    }, delayMs);
    Deno.unrefTimer(this.#routeTimer as unknown as number);
  }

  // ---- brokers ----

  /** The master's address of a broker group, for sends. */
  findBrokerAddressInPublish(brokerName: string): string | undefined {
    return this.brokerAddrTable.get(brokerName)?.get(MASTER_ID);
  }

  /**
   * The master's address of a queue's broker group, fetching the topic's route once when it
   * is unknown; an MQClientError when it stays unknown.
   */
  async masterAddressOf(mq: MessageQueue): Promise<string> {
    let addr = this.findBrokerAddressInPublish(mq.brokerName);
    if (addr === undefined) {
      await this.updateTopicRouteInfoFromNameServer(mq.topic);
      addr = this.findBrokerAddressInPublish(mq.brokerName);
    }
    if (addr === undefined) {
      throw new MQClientError(`Cannot find broker ${mq.brokerName}: it is in no route`);
    }
    return addr;
  }

  /**
   * The broker of a queue's group for offsets (findBrokerAddressInAdmin): the master, or a
   * slave while the master is away (a slave answers offset queries and updates; the offsets
   * reach the master again once the consumer persists to it). Fetches the route once when the
   * group is unknown; an MQClientError when it stays unknown.
   */
  async adminAddressOf(mq: MessageQueue): Promise<string> {
    let found = this.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, false);
    if (!found) {
      await this.updateTopicRouteInfoFromNameServer(mq.topic);
      found = this.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, false);
    }
    if (!found) throw new MQClientError(`Cannot find broker ${mq.brokerName}: it is in no route`);
    return found.brokerAddr;
  }

  /**
   * An address of a broker group for reads: `brokerId` if known, else (unless
   * `onlyThisBroker`) any other member, master first.
   */
  findBrokerAddressInSubscribe(
    brokerName: string,
    brokerId: number,
    onlyThisBroker: boolean,
  ): FindBrokerResult | undefined {
    const addrs = this.brokerAddrTable.get(brokerName);
    if (!addrs || addrs.size === 0) return undefined;
    const exact = addrs.get(brokerId);
    if (exact !== undefined) return { brokerAddr: exact, slave: brokerId !== MASTER_ID };
    if (onlyThisBroker) return undefined;
    const master = addrs.get(MASTER_ID);
    if (master !== undefined) return { brokerAddr: master, slave: false };
    const [id, addr] = addrs.entries().next().value!;
    return { brokerAddr: addr, slave: id !== MASTER_ID };
  }

  /**
   * A broker address serving `topic`, for group-wide queries (findBrokerAddrByTopic): a random
   * broker group of the route, its master when it has one.
   */
  findBrokerAddrByTopic(topic: string): string | undefined {
    const route = this.topicRouteTable.get(topic);
    if (!route || route.brokerDatas.length === 0) return undefined;
    const bd = route.brokerDatas[Math.floor(Math.random() * route.brokerDatas.length)];
    return bd.brokerAddrs.get(MASTER_ID) ?? bd.brokerAddrs.values().next().value;
  }

  /** Forgets broker addresses that no known route lists any more (cleanOfflineBroker). */
  cleanOfflineBroker(): void {
    const live = new Set<string>();
    for (const route of this.topicRouteTable.values()) {
      for (const bd of route.brokerDatas) for (const a of bd.brokerAddrs.values()) live.add(a);
    }
    for (const [name, addrs] of this.brokerAddrTable) {
      const kept = new Map([...addrs].filter(([, a]) => live.has(a)));
      if (kept.size === 0) {
        this.brokerAddrTable.delete(name);
        this.brokerVersionTable.delete(name);
        log.info("Broker {name} is offline; forgotten", { name });
      } else if (kept.size !== addrs.size) this.brokerAddrTable.set(name, kept);
    }
  }

  // ---- heartbeats ----

  /** The HEART_BEAT body: this client's id, producer groups and consumer data. */
  heartbeatData(): HeartbeatData {
    const producerDataSet = [...this.#producers.keys()].map((groupName) => ({ groupName }));
    // Java clients always list their internal producer too (§3.5).
    if (producerDataSet.length > 0 || this.#consumers.size > 0) {
      producerDataSet.push({ groupName: CLIENT_INNER_PRODUCER_GROUP });
    }
    return {
      clientID: this.clientId,
      producerDataSet,
      consumerDataSet: [...this.#consumers.values()].map((c) => c.consumerData()),
    };
  }

  /**
   * Sends a heartbeat to every known broker: masters only while there are no consumers, every
   * member otherwise. Failures are logged; the call never rejects.
   */
  sendHeartbeatToAllBrokers(): Promise<void> {
    if (this.#state === "shutdown") return Promise.resolve();
    const data = this.heartbeatData();
    if (this.#producers.size === 0 && this.#consumers.size === 0) return Promise.resolve();
    const mastersOnly = data.consumerDataSet.length === 0;
    const calls: Promise<void>[] = [];
    for (const [brokerName, addrs] of this.brokerAddrTable) {
      for (const [id, addr] of addrs) {
        if (mastersOnly && id !== MASTER_ID) continue;
        calls.push(
          this.api.sendHeartbeat(addr, data, this.config.mqClientApiTimeoutMs).then(
            (version) => {
              let versions = this.brokerVersionTable.get(brokerName);
              if (!versions) this.brokerVersionTable.set(brokerName, versions = new Map());
              versions.set(addr, version);
            },
            (e) => {
              log.warn("Cannot send heartbeat to {brokerName} at {addr}: {error}", {
                brokerName,
                addr,
                error: errorMessage(e),
              });
            },
          ),
        );
      }
    }
    return Promise.all(calls).then(() => undefined);
  }

  // ---- rebalance (RebalanceService) ----

  /**
   * Rebalances every consumer now (NOTIFY_CONSUMER_IDS_CHANGED, a consumer starting). Calls
   * during a round run one more round after it; resolves when the rounds are done. Never
   * rejects (a consumer's failure is logged).
   */
  rebalanceImmediately(): Promise<void> {
    if (this.#state !== "running") return Promise.resolve();
    if (this.#rebalance) {
      this.#rebalanceAgain = true;
      return this.#rebalance;
    }
    this.#rebalance = this.#runRebalance().finally(() => this.#rebalance = undefined);
    return this.#rebalance;
  }

  async #runRebalance(): Promise<void> {
    do {
      this.#rebalanceAgain = false;
      for (const c of [...this.#consumers.values()]) {
        if (!c.doRebalance || this.#state !== "running") continue;
        try {
          await c.doRebalance();
        } catch (e) {
          log.warn("Rebalance of {group} failed: {error}", {
            group: c.groupName,
            error: errorMessage(e),
          });
        }
      }
    } while (this.#rebalanceAgain && this.#state === "running");
  }

  #scheduleRebalance(): void {
    this.#rebalanceTimer = setTimeout(() => {
      this.rebalanceImmediately().finally(() => {
        if (this.#state === "running") this.#scheduleRebalance();
      });
    }, REBALANCE_INTERVAL_MS);
    Deno.unrefTimer(this.#rebalanceTimer as unknown as number);
  }

  #scheduleHeartbeat(delayMs: number): void {
    this.#heartbeatTimer = setTimeout(() => {
      this.cleanOfflineBroker();
      this.#heartbeat = this.sendHeartbeatToAllBrokers().finally(() => {
        this.#heartbeat = undefined;
        if (this.#state === "running") {
          this.#scheduleHeartbeat(this.config.heartbeatBrokerIntervalMs);
        }
      });
    }, delayMs);
    Deno.unrefTimer(this.#heartbeatTimer as unknown as number);
  }
}
