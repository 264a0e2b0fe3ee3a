/**
 * The broker's configuration keys: RocketMQ's BrokerConfig, NettyServerConfig and the
 * MessageStoreConfig keys the store takes, with RocketMQ's spelling and defaults, so a
 * broker.conf translated to TOML line by line loads unchanged (keys rmq does not know are
 * warned about, not refused). Keys RocketMQ does not have are marked "ours" in their
 * description. config/broker.toml is rendered from this schema.
 */
import { bool, type ConfigOf, defaults, int, oneOf, str } from "../common/config.ts";
import { defaultLocalAddress } from "../common/address.ts";
import { expandHome } from "../common/home.ts";
import { configFilePath } from "../store/config_file.ts";
import { PermName } from "../remoting/body/topic_config.ts";
import { pickStoreConfig, STORE_CONFIG_SCHEMA, type StoreConfig } from "../store/store_config.ts";
import { ACL_CONFIG_SCHEMA } from "../acl/acl_settings.ts";
import { TLS_SERVER_CONFIG_SCHEMA } from "../remoting/tls/tls_settings.ts";

/** RocketMQ's ports: clients dial listenPort, old Java clients also listenPort − 2. */
export const DEFAULT_LISTEN_PORT = 10911;
/** Offset of the VIP ("fast") channel from listenPort. */
export const VIP_CHANNEL_PORT_OFFSET = -2;
/** Offset of the HA port from listenPort (advertised in haServerAddr). */
export const HA_PORT_OFFSET = 1;

export const BROKER_CONFIG_SCHEMA = {
  // ---- identity and name servers (BrokerConfig) ----
  brokerClusterName: str("DefaultCluster", "Cluster this broker belongs to"),
  brokerName: str(
    "",
    "Broker group name (masters and slaves share it); empty: this machine's host name",
  ),
  brokerId: int(0, "0 for the master of the broker group; a slave's id (> 0) within its group", {
    min: 0,
  }),
  namesrvAddr: str(
    "",
    "Name servers to register with, `host:port` separated by ; (empty: env NAMESRV_ADDR)",
  ),
  brokerIP1: str(
    "",
    "Address clients reach, also written into message ids (set it in Docker or behind NAT); " +
      "empty: bindAddress, or the first non-loopback IPv4 address when binding 0.0.0.0",
  ),
  brokerIP2: str("", "Address advertised for HA (haServerAddr); empty: brokerIP1"),
  brokerPermission: int(
    PermName.PERM_READ | PermName.PERM_WRITE,
    "Broker permission bits: 4 read, 2 write (6 = read-write)",
    { min: 0, max: 15 },
  ),
  // ---- topics ----
  autoCreateTopicEnable: bool(
    true,
    "Create unknown topics on first send (through TBW102); turn off in production",
  ),
  defaultTopicQueueNums: int(8, "Queues of TBW102, the cap for auto-created topics", {
    min: 1,
    max: 1024,
  }),
  clusterTopicEnable: bool(true, "Make the topic named after the cluster readable and writable"),
  brokerTopicEnable: bool(true, "Make the topic named after the broker readable and writable"),
  traceTopicEnable: bool(false, "Create the message-trace topic (msgTraceTopicName)"),
  msgTraceTopicName: str("RMQ_SYS_TRACE_TOPIC", "Name of the message-trace topic"),
  validateSystemTopicWhenUpdateTopic: bool(
    true,
    "Refuse UPDATE_AND_CREATE_TOPIC for system topic names",
  ),
  // ---- registration ----
  registerNameServerPeriod: int(
    30_000,
    "How often (ms) to re-register with every name server (10000 to 60000)",
    { min: 1 },
  ),
  registerBrokerTimeoutMills: int(6000, "Timeout (ms) of one registration call", { min: 1 }),
  compressedRegister: bool(false, "Send REGISTER_BROKER bodies zlib-compressed"),
  // ---- sending ----
  regionId: str("DefaultRegion", "Region written into send responses (MSG_REGION)"),
  traceOn: bool(true, "Tell producers message tracing is allowed (TRACE_ON)"),
  brokerFastFailureEnable: bool(
    true,
    "Answer SYSTEM_BUSY at once when sends wait too long (waitTimeMillsInSendQueue)",
  ),
  sendThreadPoolQueueCapacity: int(
    10_000,
    "Sends waiting for the store beyond this are refused with SYSTEM_BUSY [OVERLOAD]",
    { min: 1 },
  ),
  waitTimeMillsInSendQueue: int(
    200,
    "When the oldest unanswered send has waited this long (ms), new sends get SYSTEM_BUSY",
    { min: 1 },
  ),
  storeReplyMessageEnable: bool(
    true,
    "Store replies (request-reply) in the reply topic as well as pushing them to the requester",
  ),
  // ---- transactions ----
  rejectTransactionMessage: bool(
    false,
    "Refuse transactional (half) messages with NO_PERMISSION",
  ),
  transactionTimeOut: int(
    6000,
    "A half message is first checked with its producer once this old (ms), unless it says otherwise",
    { min: 0 },
  ),
  transactionCheckMax: int(
    15,
    "After this many checks an unresolved half message goes to TRANS_CHECK_MAX_TIME_TOPIC",
    { min: 1 },
  ),
  transactionCheckInterval: int(
    60_000,
    "How often (ms) unresolved half messages are checked with their producers",
    { min: 1 },
  ),
  // ---- consuming ----
  longPollingEnable: bool(
    true,
    "Hold a pull that finds nothing until a message arrives or its suspend time (at most 15 s) passes",
  ),
  shortPollingTimeMills: int(
    1000,
    "With longPollingEnable off, how long (ms) a pull that finds nothing is held",
    { min: 0 },
  ),
  enablePropertyFilter: bool(
    true,
    "Filter pulls with SQL92 selectors on message properties (MessageSelector.bySql); " +
      "RocketMQ's default is false, rmq's true",
  ),
  autoCreateSubscriptionGroup: bool(
    true,
    "Create unknown consumer groups on first use (off: UPDATE_AND_CREATE_SUBSCRIPTIONGROUP first)",
  ),
  notifyConsumerIdsChangedEnable: bool(
    true,
    "Tell a group's consumers at once when a member joins or leaves, so they rebalance",
  ),
  channelExpiredTimeout: int(
    120_000,
    "Clients without a heartbeat for this long (ms) are dropped from the consumer and producer tables",
    { min: 1 },
  ),
  flushConsumerOffsetInterval: int(
    5000,
    "How often (ms) consumer offsets are written to config/consumerOffset.json",
    { min: 1 },
  ),
  flushDelayOffsetInterval: int(
    10_000,
    "How often (ms) delayed-delivery progress is written to config/delayOffset.json",
    { min: 1 },
  ),
  slaveReadEnable: bool(
    false,
    "Let consumers read from slaves: those that fall behind are pointed at whichBrokerWhenConsumeSlowly",
  ),
  // ---- network (NettyServerConfig) ----
  listenPort: int(DEFAULT_LISTEN_PORT, "TCP port for clients; 0 picks a free port", {
    min: 0,
    max: 65535,
  }),
  bindAddress: str(
    "0.0.0.0",
    "Address to bind: 0.0.0.0 for every interface, 127.0.0.1 for local only",
  ),
  vipChannelEnable: bool(
    true,
    "Ours: also listen on listenPort - 2 (the VIP channel Java clients up to 4.4 send to)",
  ),
  serverChannelMaxIdleTimeSeconds: int(
    120,
    "Connections with no traffic for this long (s) are closed",
    { min: 1 },
  ),
  maxConnections: int(
    0,
    "Ours: most client connections at once; past it a connection's first request is answered " +
      "SYSTEM_BUSY and it is closed (0: no limit, as RocketMQ's servers have none)",
    { min: 0 },
  ),
  // ---- security ----
  ...ACL_CONFIG_SCHEMA,
  accessKey: str(
    "",
    "Ours: the ACL account this broker signs its requests to name servers (and a slave's to its " +
      "master) with; empty: unsigned",
  ),
  secretKey: str("", "Ours: that account's secret key"),
  ...TLS_SERVER_CONFIG_SCHEMA,
  tlsEnable: bool(
    false,
    "Connect to name servers, and a slave to its master (replication included), over TLS " +
      "(Java's -Dtls.enable for the broker's client)",
  ),
  tlsClientTrustCertPath: str(
    "",
    "Ours: PEM CA certificate those TLS connections trust; empty: the system's roots",
  ),
  // ---- metrics (RocketMQ 5's keys) ----
  metricsExporterType: oneOf(
    ["DISABLE", "PROM"] as const,
    "DISABLE",
    "PROM: serve Prometheus text on http://metricsPromExporterHost:metricsPromExporterPort/metrics " +
      "(and /health); DISABLE: no HTTP port",
  ),
  metricsPromExporterHost: str("", "Address the metrics port binds; empty: bindAddress"),
  metricsPromExporterPort: int(5557, "Port of /metrics and /health; 0 picks a free port", {
    min: 0,
    max: 65535,
  }),
  // ---- store (MessageStoreConfig): the store's own schema ----
  ...STORE_CONFIG_SCHEMA,
};

export type BrokerConfig = ConfigOf<typeof BROKER_CONFIG_SCHEMA>;

export const BROKER_CONFIG_TITLE = "rmq broker configuration (rmq broker -c config/broker.toml)";

export function defaultBrokerConfig(): BrokerConfig {
  return defaults(BROKER_CONFIG_SCHEMA);
}

/** The store's settings taken from a broker config (`storePathRootDir` with ~ expanded). */
export function storeConfigOf(c: BrokerConfig): StoreConfig {
  const s = pickStoreConfig(c);
  s.storePathRootDir = expandHome(s.storePathRootDir);
  return s;
}

/** The ACL file: aclFile, or plain_acl.yml beside the broker's other config files. */
export function aclFileOf(c: BrokerConfig): string {
  return c.aclFile
    ? expandHome(c.aclFile)
    : configFilePath(storeConfigOf(c).storePathRootDir, "acl");
}

/** The address advertised to clients: brokerIP1, else the bind address, else a local one. */
export function resolveBrokerIP1(c: BrokerConfig): string {
  if (c.brokerIP1) return c.brokerIP1;
  const bind = c.bindAddress;
  if (bind && bind !== "0.0.0.0" && bind !== "::") return bind;
  return defaultLocalAddress();
}

/** brokerName, or this host's name as Java's default is. */
export function resolveBrokerName(c: BrokerConfig): string {
  if (c.brokerName) return c.brokerName;
  try {
    return Deno.hostname();
  } catch {
    return "broker-a"; // No permission to ask: a fixed name still works for one broker.
  }
}

/**
 * Why the role and id do not go together (a SLAVE needs brokerId > 0, as Java's BrokerStartup
 * insists), or undefined. A master's id is 0 whatever is configured, as with Java.
 */
export function roleProblem(c: BrokerConfig): string | undefined {
  if (c.brokerRole === "SLAVE" && c.brokerId <= 0) {
    return "a SLAVE needs brokerId > 0 (0 is the master's)";
  }
  return undefined;
}

/** registerNameServerPeriod clamped to 10–60 s, as Java clamps it. */
export function registerPeriod(c: BrokerConfig): number {
  return Math.max(10_000, Math.min(60_000, c.registerNameServerPeriod));
}

/**
 * Keys UPDATE_BROKER_CONFIG may change while the broker runs. The others (ports, paths,
 * identity, store sizes) are fixed at start: changing them is refused with a remark saying so,
 * since rmq does not rewrite the config file.
 */
export const LIVE_CONFIG_KEYS: ReadonlySet<string> = new Set<keyof BrokerConfig>([
  "brokerPermission",
  "autoCreateTopicEnable",
  "validateSystemTopicWhenUpdateTopic",
  "regionId",
  "traceOn",
  "brokerFastFailureEnable",
  "waitTimeMillsInSendQueue",
  "longPollingEnable",
  "shortPollingTimeMills",
  "autoCreateSubscriptionGroup",
  "notifyConsumerIdsChangedEnable",
  "channelExpiredTimeout",
]);
