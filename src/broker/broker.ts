/**
 * The broker: a message store, a topic table and request processors behind a remoting server
 * (and the VIP channel on listenPort − 2), registered with every name server.
 *
 * This is where the broker is wired: start() opens the store, builds every service
 * (BrokerServices), hands each processor set the context and the services it uses, and runs
 * the services' lifecycles with the broker's. Nothing is registered from elsewhere. One
 * concept, the wiring, kept in one file so the whole of it reads in one place.
 *
 * @example
 * ```ts
 * await using broker = new BrokerController({
 *   listenPort: 0,
 *   bindAddress: "127.0.0.1",
 *   namesrvAddr: "127.0.0.1:9876",
 *   storePathRootDir: "/tmp/store",
 * });
 * const { port } = await broker.start();
 * ```
 */
import { isLoopbackBind, parseAddrList } from "../common/address.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { type SocketAddress, socketAddressOf } from "../common/message/socket_address.ts";
import { RemotingClient } from "../remoting/client.ts";
import {
  type DataVersion,
  newDataVersion,
  nextDataVersion,
} from "../remoting/body/data_version.ts";
import {
  isReadable,
  isWriteable,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
} from "../remoting/body/topic_config.ts";
import { MASTER_ID } from "../remoting/body/topic_route_data.ts";
import { RequestCode } from "../remoting/request_code.ts";
import type { Channel } from "../remoting/channel.ts";
import { type Processor, RemotingServer } from "../remoting/server.ts";
import { configFilePath } from "../store/config_file.ts";
import { MessageStore } from "../store/message_store.ts";
import {
  aclFileOf,
  type BrokerConfig,
  defaultBrokerConfig,
  HA_PORT_OFFSET,
  registerPeriod,
  resolveBrokerIP1,
  resolveBrokerName,
  roleProblem,
  storeConfigOf,
  VIP_CHANNEL_PORT_OFFSET,
} from "./broker_config.ts";
import type { BrokerContext, BrokerService, BrokerServices } from "./broker_context.ts";
import { notifyConsumerIdsChanged } from "./broker_to_client.ts";
import { clientScanInterval, ConsumerManager } from "./consumer_manager.ts";
import { ConsumerOffsetManager } from "./consumer_offset_manager.ts";
import { SubscriptionCache } from "./consumer_subscription.ts";
import { checkMetadata, type LoadedMetadata } from "./metadata_check.ts";
import { deadLetterOfRetry } from "./retry_policy.ts";
import { SendFlowControl } from "./flow_control.ts";
import { NamesrvRegistrar } from "./namesrv_register.ts";
import { SlaveSynchronize } from "./slave_synchronize.ts";
import { BrokerStatsManager } from "./broker_stats.ts";
import { TransactionalMessageService } from "./transaction/transaction_service.ts";
import { endTransactionProcessors } from "./processors/end_transaction_processor.ts";
import { SLAVE_ACK_TIMEOUT_MS } from "../store/ha/ha_service.ts";
import { adminProcessors } from "./processors/admin_processor.ts";
import { aclProcessors } from "./processors/acl_processor.ts";
import { BrokerMetrics } from "./metrics/broker_metrics.ts";
import { MetricsServer } from "./metrics/metrics_server.ts";
import { brokerAccess } from "../acl/access_validator.ts";
import { AclConfigStore } from "../acl/acl_config_store.ts";
import { AclGuard } from "../acl/acl_guard.ts";
import {
  loadTlsClient,
  loadTlsServer,
  type TlsServerMaterial,
} from "../remoting/tls/tls_settings.ts";
import { brokerStatsProcessors } from "./processors/broker_stats_processor.ts";
import { clientManageProcessors } from "./processors/client_manage_processor.ts";
import { consumerAdminProcessors } from "./processors/consumer_admin_processor.ts";
import { consumerManageProcessors } from "./processors/consumer_manage_processor.ts";
import { offsetProcessors } from "./processors/offset_processor.ts";
import { pullProcessors } from "./processors/pull_processor.ts";
import { queryProcessors } from "./processors/query_processor.ts";
import { sendBackProcessors } from "./processors/send_back_processor.ts";
import { sendProcessors } from "./processors/send_processor.ts";
import { ProducerManager } from "./producer_manager.ts";
import { PullRequestHoldService } from "./pull_request_hold_service.ts";
import { RebalanceLockManager } from "./rebalance_lock_manager.ts";
import { ScheduleMessageService } from "./schedule_message_service.ts";
import { SubscriptionGroupManager } from "./subscription_group_manager.ts";
import { TopicConfigManager } from "./topic_config_manager.ts";
import { SystemTopics } from "./topic_validator.ts";

const log = logger("broker");

const OPEN_DOOR_WARNING =
  "Listening on {addr} beyond loopback with the ACL off: anyone who can reach this port can " +
  "change topics, groups and offsets (set aclEnable; README: Securing a cluster)";

/** Codes the VIP channel does not serve (Java's fast server has no pull processor). */
const NOT_ON_VIP_CHANNEL: ReadonlySet<number> = new Set([RequestCode.PULL_MESSAGE]);

export class BrokerController implements BrokerContext, AsyncDisposable {
  readonly config: BrokerConfig;
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerIP1: string;
  readonly systemTopics: SystemTopics;
  readonly topicConfigManager: TopicConfigManager;
  readonly sendFlowControl: SendFlowControl;
  readonly bootTimestamp = Date.now();
  startAcceptSendRequestTimeStamp = 0;
  configDataVersion: DataVersion = newDataVersion();

  /**
   * To name servers and (a slave) the master; replaced at start by one that signs and speaks
   * TLS as configured (reading the CA file is asynchronous).
   */
  #client = new RemotingClient({ name: "broker" });
  #acl: AclGuard | undefined;
  #aclStore: AclConfigStore | undefined;
  #tls: TlsServerMaterial | undefined;
  #metrics: BrokerMetrics | undefined;
  #metricsServer: MetricsServer | undefined;
  #servers: RemotingServer[] = [];
  #store: MessageStore | undefined;
  #services: BrokerServices | undefined;
  /** Services with a lifecycle, in start order. */
  #lifecycle: BrokerService[] = [];
  /** Set once shutdown begins: membership changes are no longer announced. */
  #draining = false;
  #storeHost: SocketAddress | undefined;
  #port = 0;
  #registrar: NamesrvRegistrar | undefined;
  #slaveSync: SlaveSynchronize | undefined;
  #starting: Promise<Deno.NetAddr> | undefined;
  #stopping: Promise<void> | undefined;

  /** `config` overrides the defaults key by key (see broker_config.ts). */
  constructor(config: Partial<BrokerConfig> = {}) {
    this.config = { ...defaultBrokerConfig(), ...config };
    const c = this.config;
    const problem = roleProblem(c);
    if (problem) throw new RangeError(`Cannot start broker: ${problem}`);
    this.clusterName = c.brokerClusterName;
    this.brokerName = resolveBrokerName(c);
    // As Java's BrokerStartup does: a master is id 0 whatever the file says.
    this.brokerId = c.brokerRole === "SLAVE" ? c.brokerId : MASTER_ID;
    this.brokerIP1 = resolveBrokerIP1(c);
    this.systemTopics = new SystemTopics(this.clusterName, this.brokerName, c.msgTraceTopicName);
    this.topicConfigManager = new TopicConfigManager(
      configFilePath(storeConfigOf(c).storePathRootDir, "topics"),
      {
        brokerClusterName: this.clusterName,
        brokerName: this.brokerName,
        get autoCreateTopicEnable() {
          return c.autoCreateTopicEnable; // Live: UPDATE_BROKER_CONFIG changes `c` in place.
        },
        defaultTopicQueueNums: c.defaultTopicQueueNums,
        clusterTopicEnable: c.clusterTopicEnable,
        brokerTopicEnable: c.brokerTopicEnable,
        traceTopicEnable: c.traceTopicEnable,
        msgTraceTopicName: c.msgTraceTopicName,
      },
    );
    this.sendFlowControl = new SendFlowControl(
      c.sendThreadPoolQueueCapacity,
      this.#maxSendWaitMs(),
      c.brokerFastFailureEnable,
    );
  }

  get store(): MessageStore {
    if (!this.#store) throw new Error("Broker is not started");
    return this.#store;
  }

  /** The broker's services (after start): consumer groups, offsets, clients, long polling … */
  get services(): BrokerServices {
    if (!this.#services) throw new Error("Broker is not started");
    return this.#services;
  }

  get storeHost(): SocketAddress {
    if (!this.#storeHost) throw new Error("Broker is not listening");
    return this.#storeHost;
  }

  /** The bound address of the main server (after start). */
  get addr(): Deno.NetAddr {
    const s = this.#servers[0];
    if (!s) throw new Error("Broker is not listening");
    return s.addr;
  }

  /** The bound VIP channel address, if it listens. */
  get vipAddr(): Deno.NetAddr | undefined {
    return this.#servers[1]?.addr;
  }

  get brokerAddr(): string {
    return `${this.brokerIP1}:${this.#port}`;
  }

  /** The name servers this broker registers with. */
  get namesrvAddrs(): readonly string[] {
    return parseAddrList(this.config.namesrvAddr);
  }

  registerSoon(changed?: readonly TopicConfig[]): Promise<void> {
    return this.#registrar?.registerSoon(changed) ?? Promise.resolve();
  }

  /**
   * The configs of topics that were created or changed, for an incremental registration;
   * undefined (register everything) when one was deleted or none is named.
   */
  #changedTopics(names: readonly string[]): TopicConfig[] | undefined {
    const out: TopicConfig[] = [];
    for (const name of names) {
      const tc = this.topicConfigManager.get(name);
      if (!tc) return undefined;
      out.push(tc);
    }
    return out.length > 0 ? out : undefined;
  }

  updateConfig(changes: Partial<BrokerConfig>): void {
    const permBefore = this.config.brokerPermission;
    Object.assign(this.config, changes);
    this.configDataVersion = nextDataVersion(this.configDataVersion);
    this.sendFlowControl.update(this.#maxSendWaitMs(), this.config.brokerFastFailureEnable);
    // The new permission reaches the name servers with the topics (a new DataVersion).
    if (this.config.brokerPermission !== permBefore) this.topicConfigManager.touch();
  }

  /**
   * Under SYNC_FLUSH a send also waits for the disk, which has its own syncFlushTimeout; under
   * SYNC_MASTER for a slave, which has SLAVE_ACK_TIMEOUT_MS.
   */
  #maxSendWaitMs(): number {
    const c = this.config;
    return c.waitTimeMillsInSendQueue +
      (c.flushDiskType === "SYNC_FLUSH" ? c.syncFlushTimeout : 0) +
      (c.brokerRole === "SYNC_MASTER" ? SLAVE_ACK_TIMEOUT_MS : 0);
  }

  /**
   * Opens the store, loads the topic table, listens, and registers with every name server
   * (waiting for the first round); resolves with the bound address.
   */
  start(): Promise<Deno.NetAddr> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<Deno.NetAddr> {
    const c = this.config;
    try {
      const clientTls = c.tlsEnable ? await loadTlsClient(c.tlsClientTrustCertPath) : undefined;
      this.#client = new RemotingClient({
        name: "broker",
        credentials: c.accessKey ? { accessKey: c.accessKey, secretKey: c.secretKey } : undefined,
        tls: clientTls,
      });
      this.#tls = await loadTlsServer(c);
      if (c.aclEnable) {
        this.#aclStore = await AclConfigStore.open(aclFileOf(c));
        this.#acl = new AclGuard(this.#aclStore, brokerAccess, "broker");
      }
      this.#store = await MessageStore.open(storeConfigOf(c), {
        server: this.#tls,
        client: clientTls,
      });
      const found: LoadedMetadata = {
        topics: await this.topicConfigManager.load(),
        consumerOffsets: false,
        subscriptionGroups: false,
        delayOffsets: false,
      };
      const services = this.#services = this.#createServices(this.#store);
      if (c.metricsExporterType === "PROM") {
        this.#metrics = new BrokerMetrics({
          ctx: this,
          services,
          lastRegisteredAt: () => this.#registrar?.lastAcceptedAt ?? 0,
        });
      }
      if (c.brokerRole === "SLAVE") {
        this.#slaveSync = new SlaveSynchronize(
          this.#client,
          { topics: this.topicConfigManager, services },
          c.registerBrokerTimeoutMills,
        );
      }
      this.#lifecycle = this.#lifecycleOf(services, found);
      const processors = this.#processors(services);
      for (const s of this.#lifecycle) await s.load?.();
      await checkMetadata(this.#store, this.topicConfigManager, services, found);
      const main = this.#newServer(c.listenPort, processors);
      this.#servers.push(main);
      const addr = listenOrExplain(main, c.bindAddress, c.listenPort);
      this.#port = addr.port;
      this.#storeHost = socketAddressOf(this.brokerIP1, addr.port);
      if (c.vipChannelEnable) this.#listenVip(addr.port, processors);
      const haPort = this.#startReplication(addr.port);
      for (const s of this.#lifecycle) await s.start?.();
      this.#registrar = new NamesrvRegistrar({
        client: this.#client,
        namesrvAddrs: this.namesrvAddrs,
        identity: {
          clusterName: this.clusterName,
          brokerName: this.brokerName,
          brokerId: this.brokerId,
          brokerAddr: this.brokerAddr,
          haServerAddr: `${c.brokerIP2 || this.brokerIP1}:${haPort}`,
        },
        topicConfig: (changed) => this.#registrationTopics(changed),
        compressed: c.compressedRegister,
        timeoutMs: c.registerBrokerTimeoutMills,
        periodMs: registerPeriod(c),
        onRegistered: (r) => this.#followMaster(r),
      });
      this.topicConfigManager.onChange((names) =>
        void this.registerSoon(this.#changedTopics(names))
      );
      this.startAcceptSendRequestTimeStamp = Date.now();
      await this.#registrar.start();
      if (this.#metrics) this.#listenMetrics(this.#metrics);
      if (!c.aclEnable && !isLoopbackBind(c.bindAddress)) {
        log.warn(OPEN_DOOR_WARNING, { addr: c.bindAddress });
      }
      log.info("Broker {name} ({cluster}) listening on {addr}, advertised as {brokerAddr}", {
        name: this.brokerName,
        cluster: this.clusterName,
        addr: `${addr.hostname}:${addr.port}`,
        brokerAddr: this.brokerAddr,
      });
      return addr;
    } catch (e) {
      await this.#abortStart();
      throw e;
    }
  }

  /**
   * A master listens for slaves on listenPort + 1 (any free port when listenPort is 0); a
   * slave follows haMasterAddress, or the master the name server names. Returns the HA port
   * to advertise.
   *
   * A busy HA port costs an ERROR line, not the broker (Java's would not start): most rmq
   * brokers have no slaves, and a SYNC_MASTER's sends then say SLAVE_NOT_AVAILABLE.
   */
  #startReplication(port: number): number {
    const ha = this.store.haService;
    const haPort = port + HA_PORT_OFFSET;
    if (!ha) return haPort;
    try {
      return ha.listen(this.config.bindAddress, this.config.listenPort === 0 ? 0 : haPort);
    } catch (e) {
      log.error("Cannot listen for slaves on {host}:{port}, so none can replicate: {error}", {
        host: this.config.bindAddress,
        port: haPort,
        error: errorMessage(e),
      });
      return haPort;
    }
  }

  /** A slave learns its master's addresses from the name servers' answer to registration. */
  #followMaster(r: { masterAddr?: string; haServerAddr?: string }): void {
    if (this.config.brokerRole !== "SLAVE") return;
    if (!this.config.haMasterAddress && r.haServerAddr) {
      this.store.haClient?.setMasterAddress(r.haServerAddr);
    }
    if (this.#slaveSync && this.#slaveSync.masterAddr !== r.masterAddr) {
      log.info("Master of {name} is {master}", {
        name: this.brokerName,
        master: r.masterAddr ?? "gone",
      });
      this.#slaveSync.masterAddr = r.masterAddr;
    }
  }

  /** Every service of the broker, wired to what it needs. */
  #createServices(store: MessageStore): BrokerServices {
    const c = this.config;
    const root = store.config.storePathRootDir;
    const consumerOffsets = new ConsumerOffsetManager(
      configFilePath(root, "consumerOffset"),
      (topic, queueId) => store.getMaxOffsetInQueue(topic, queueId),
    );
    const producers = new ProducerManager();
    return {
      subscriptionGroups: new SubscriptionGroupManager(
        configFilePath(root, "subscriptionGroup"),
        () => c.autoCreateSubscriptionGroup,
      ),
      consumerOffsets,
      consumers: new ConsumerManager((group, channels) => {
        if (c.notifyConsumerIdsChangedEnable && !this.#draining) {
          notifyConsumerIdsChanged(group, channels);
        }
      }),
      producers,
      transactions: new TransactionalMessageService(
        store,
        this.topicConfigManager,
        consumerOffsets,
        producers,
        () => c, // Live: UPDATE_BROKER_CONFIG changes `c` in place.
        () => this.storeHost,
      ),
      locks: new RebalanceLockManager(),
      holds: new PullRequestHoldService(store),
      schedule: new ScheduleMessageService(
        store,
        configFilePath(root, "delayOffset"),
        store.delayLevels,
        c.flushDelayOffsetInterval,
        (msg) => deadLetterOfRetry(msg, this.topicConfigManager),
      ),
      subscriptions: new SubscriptionCache(),
      stats: new BrokerStatsManager(
        () => {
          const st = store.stats;
          return { put: st.putMessageTimesTotal, get: st.getMessageTransferedMsgCount };
        },
        // The metrics exist once the services do; until then (and with them off) no one hears.
        (topic, messages, bytes) => this.#metrics?.observeMessages(topic, messages, bytes),
      ),
    };
  }

  /**
   * The services' lifecycles, in start order (they stop in reverse); loads record in `found`
   * which metadata files were there.
   */
  #lifecycleOf(s: BrokerServices, found: LoadedMetadata): BrokerService[] {
    let scanTimer: ReturnType<typeof setInterval> | undefined;
    const slave = this.config.brokerRole === "SLAVE";
    const slaveSync = this.#slaveSync;
    let unknownTopics: (() => void) | undefined;
    return [
      ...(slaveSync
        ? [{
          name: "slave synchronize",
          start: () => {
            slaveSync.start();
            unknownTopics = this.store.onQueueGrow((topic) => {
              if (!this.topicConfigManager.get(topic)) slaveSync.syncSoon();
            });
          },
          shutdown: () => {
            unknownTopics?.();
            return slaveSync.stop();
          },
        }]
        : []),
      {
        name: "subscription groups",
        load: async () => {
          found.subscriptionGroups = await s.subscriptionGroups.load();
        },
        shutdown: async () => {
          await s.subscriptionGroups.persist();
          await s.subscriptionGroups.flush();
        },
      },
      {
        name: "consumer offsets",
        load: async () => {
          found.consumerOffsets = await s.consumerOffsets.load();
        },
        start: () => s.consumerOffsets.start(this.config.flushConsumerOffsetInterval),
        shutdown: () => s.consumerOffsets.shutdown(),
      },
      {
        name: "delayed delivery",
        load: async () => {
          found.delayOffsets = await s.schedule.load();
        },
        // A slave's delayed messages are delivered by its master, and replicated.
        start: () => slave ? undefined : s.schedule.start(),
        shutdown: () => s.schedule.shutdown(),
      },
      {
        name: "statistics",
        start: () => s.stats.start(),
        shutdown: () => {
          s.stats.stop();
          return Promise.resolve();
        },
      },
      {
        name: "transaction checks",
        // A slave's half messages are checked by its master.
        start: () => slave ? undefined : s.transactions.start(),
        shutdown: () => s.transactions.stop(),
      },
      {
        name: "client housekeeping",
        start: () => {
          const expired = () => this.config.channelExpiredTimeout;
          scanTimer = setInterval(() => {
            s.consumers.scanNotActiveChannel(expired());
            s.producers.scanNotActiveChannel(expired());
          }, clientScanInterval(expired()));
        },
        shutdown: () => {
          if (scanTimer !== undefined) clearInterval(scanTimer);
          scanTimer = undefined;
          return Promise.resolve();
        },
      },
      {
        name: "long polling",
        start: () => s.holds.start(),
        beforeDrain: () => {
          this.#draining = true;
          return s.holds.answerAll();
        },
        shutdown: () => {
          s.holds.shutdown();
          return Promise.resolve();
        },
      },
    ];
  }

  /** /metrics and /health; a port in use stops the start, naming it. */
  #listenMetrics(metrics: BrokerMetrics): void {
    const c = this.config;
    const host = c.metricsPromExporterHost || c.bindAddress;
    try {
      this.#metricsServer = new MetricsServer(metrics, host, c.metricsPromExporterPort);
    } catch (e) {
      throw new Error(
        `Cannot serve metrics on ${host}:${c.metricsPromExporterPort}: ${errorMessage(e)}`,
        { cause: e },
      );
    }
  }

  /** The bound /metrics address, when metricsExporterType is PROM (after start). */
  get metricsAddr(): Deno.NetAddr | undefined {
    return this.#metricsServer?.addr;
  }

  /** Every request processor, by code. */
  #processors(s: BrokerServices): Map<number, Processor> {
    const sets = [
      sendProcessors(this, s),
      endTransactionProcessors(this, s, this.#acl),
      aclProcessors(this, this.#aclStore),
      adminProcessors(this, s),
      queryProcessors(this, s),
      brokerStatsProcessors(this, s),
      pullProcessors(this, s),
      clientManageProcessors(this, s),
      consumerManageProcessors(this, s),
      offsetProcessors(this),
      sendBackProcessors(this, s),
      consumerAdminProcessors(this, s),
    ];
    const processors = new Map<number, Processor>();
    const metrics = this.#metrics;
    for (const set of sets) {
      for (const [code, p] of Object.entries(set)) {
        processors.set(Number(code), metrics ? metrics.timed(p) : p);
      }
    }
    return processors;
  }

  /** Forgets a closed connection everywhere: client tables and held pulls. */
  #channelClosed(ch: Channel): void {
    const s = this.#services;
    if (!s) return;
    s.holds.channelClosed(ch);
    s.consumers.channelClosed(ch);
    s.producers.channelClosed(ch);
  }

  #newServer(port: number, processors: Map<number, Processor>, vip = false): RemotingServer {
    const acl = this.#acl;
    const server = new RemotingServer({
      hostname: this.config.bindAddress,
      port,
      idleTimeoutMs: this.config.serverChannelMaxIdleTimeSeconds * 1000,
      maxConnections: this.config.maxConnections,
      name: "broker",
      authorize: acl ? (req, ch) => acl.authorize(req, ch) : undefined,
      tls: this.#tls,
    });
    for (const [code, p] of processors) {
      if (!vip || !NOT_ON_VIP_CHANNEL.has(code)) server.registerProcessor(code, p);
    }
    server.onChannelClose((ch) => this.#channelClosed(ch));
    return server;
  }

  /** The VIP channel is a courtesy to old clients: a busy port costs a warning, not the broker. */
  #listenVip(port: number, processors: Map<number, Processor>): void {
    const vipPort = port + VIP_CHANNEL_PORT_OFFSET;
    if (vipPort <= 0) return;
    const vip = this.#newServer(vipPort, processors, true);
    try {
      vip.listen();
      this.#servers.push(vip);
    } catch (e) {
      const level = this.config.listenPort === 0 ? "debug" : "warn";
      log[level]("Not listening on VIP channel port {port}: {error}", {
        port: vipPort,
        error: errorMessage(e),
      });
    }
  }

  /** The topic table as registered: a broker without read or write permission lends it. */
  #registrationTopics(changed?: readonly TopicConfig[]): TopicConfigSerializeWrapper {
    const w = changed
      ? {
        topicConfigTable: new Map(changed.map((tc) => [tc.topicName, tc])),
        dataVersion: { ...this.topicConfigManager.dataVersion },
      }
      : this.topicConfigManager.wrapper();
    const perm = this.config.brokerPermission;
    if (isReadable(perm) && isWriteable(perm)) return w;
    for (const [name, tc] of w.topicConfigTable) w.topicConfigTable.set(name, { ...tc, perm });
    return w;
  }

  async #abortStart(): Promise<void> {
    await this.#metricsServer?.shutdown();
    this.#aclStore?.close();
    for (const s of this.#servers) s.close();
    this.#servers = [];
    await this.#registrar?.stop();
    await this.#store?.close();
    this.#store = undefined;
    await this.#client.close();
  }

  /**
   * Graceful stop: no new connections or registrations, in-flight requests answered (up to
   * `graceMs`), services shut down, the store flushed and closed, the topic table persisted,
   * then unregistered from every name server. Safe to call more than once.
   */
  shutdown(graceMs = 5000): Promise<void> {
    this.#stopping ??= this.#shutdown(graceMs);
    return this.#stopping;
  }

  async #shutdown(graceMs: number): Promise<void> {
    if (this.#starting) await this.#starting.catch(() => undefined);
    if (!this.#store) return; // Never started, or start failed and cleaned up.
    await this.#registrar?.stop();
    await this.#metricsServer?.shutdown();
    for (const s of this.#servers) s.stopAccepting();
    const services = [...this.#lifecycle].reverse();
    for (const s of services) await this.#guard(s, "beforeDrain", () => s.beforeDrain?.());
    await Promise.all(this.#servers.map((s) => s.shutdown(graceMs)));
    for (const s of services) await this.#guard(s, "shutdown", () => s.shutdown?.());
    await this.#store.close();
    await this.topicConfigManager.persist();
    await this.topicConfigManager.flush();
    await this.#registrar?.unregisterAll();
    await this.#client.close();
    this.#aclStore?.close();
    log.info("Broker {name} stopped", { name: this.brokerName });
  }

  async #guard(s: BrokerService, step: string, f: () => unknown): Promise<void> {
    try {
      await f();
    } catch (e) {
      // One service failing to stop must not keep the store from being flushed and closed.
      log.error("Service {name} failed in {step}: {error}", {
        name: s.name,
        step,
        error: errorMessage(e),
      });
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(1000);
  }
}

/** Binds, naming the address in the error when it cannot (a port in use is the usual case). */
export function listenOrExplain(server: RemotingServer, host: string, port: number): Deno.NetAddr {
  try {
    return server.listen();
  } catch (e) {
    throw new Error(`Cannot listen on ${host}:${port}: ${errorMessage(e)}`, { cause: e });
  }
}
