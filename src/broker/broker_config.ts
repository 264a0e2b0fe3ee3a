/**
 * The broker's configuration keys: RocketMQ's BrokerConfig, NettyServerConfig and the
 * MessageStoreConfig keys the store takes, with RocketMQ's spelling and defaults, so a
 * broker.conf translated to TOML line by line loads unchanged (keys rmq does not know are
 * warned about, not refused). Keys RocketMQ does not have are marked "ours" in their
 * description. config/broker.toml is rendered from this schema.
 */
import { bool, type ConfigOf, defaults, int, oneOf, str } from "../common/config.ts";
import { defaultLocalAddress } from "../common/address.ts";
import { DEFAULT_STORE_CONFIG, type StoreConfig } from "../store/message_store.ts";
import { PermName } from "../remoting/body/topic_config.ts";

const S = DEFAULT_STORE_CONFIG;

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
  brokerId: int(0, "0 for the master of the broker group (rmq runs masters only)", { min: 0 }),
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
  // ---- store (MessageStoreConfig) ----
  storePathRootDir: str("~/store", "Root of the store: commit log, queues, index, config/"),
  mappedFileSizeCommitLog: int(S.mappedFileSizeCommitLog, "Size of one commit-log file, bytes", {
    min: 4096,
  }),
  mappedFileSizeConsumeQueue: int(
    S.mappedFileSizeConsumeQueue,
    "Size of one consume-queue file, bytes (20 per message)",
    { min: 20 },
  ),
  flushDiskType: oneOf(
    ["ASYNC_FLUSH", "SYNC_FLUSH"] as const,
    S.flushDiskType,
    "ASYNC_FLUSH: answer once written to the OS; SYNC_FLUSH: once on disk",
  ),
  flushIntervalCommitLog: int(S.flushIntervalCommitLog, "ASYNC_FLUSH: sync period (ms)", {
    min: 1,
  }),
  flushCommitLogLeastPages: int(
    S.flushCommitLogLeastPages,
    "ASYNC_FLUSH: sync only when this many 4 KiB pages are dirty...",
    { min: 0 },
  ),
  flushCommitLogThoroughInterval: int(
    S.flushCommitLogThoroughInterval,
    "...or when this long (ms) has passed since the last sync",
    { min: 0 },
  ),
  flushIntervalConsumeQueue: int(S.flushIntervalConsumeQueue, "Consume-queue sync period (ms)", {
    min: 1,
  }),
  flushConsumeQueueLeastPages: int(
    S.flushConsumeQueueLeastPages,
    "Sync a consume queue only when this many 4 KiB pages are dirty...",
    { min: 0 },
  ),
  flushConsumeQueueThoroughInterval: int(
    S.flushConsumeQueueThoroughInterval,
    "...or when this long (ms) has passed; the checkpoint is written then",
    { min: 0 },
  ),
  syncFlushTimeout: int(
    S.syncFlushTimeout,
    "SYNC_FLUSH: a send not on disk within this (ms) gets FLUSH_DISK_TIMEOUT",
    { min: 1 },
  ),
  fileReservedTime: int(S.fileReservedTime, "Hours commit-log files are kept", { min: 0 }),
  deleteWhen: str(S.deleteWhen, "Hours of the day (;-separated) expired files are deleted"),
  diskMaxUsedSpaceRatio: int(
    S.diskMaxUsedSpaceRatio,
    "Above this disk use (%) expired files are deleted at any hour",
    { min: 10, max: 95 },
  ),
  diskSpaceCleanForciblyRatio: int(
    S.diskSpaceCleanForciblyRatio,
    "Above this disk use (%) files are deleted before they expire",
    { min: 1, max: 100 },
  ),
  diskSpaceWarningLevelRatio: int(
    S.diskSpaceWarningLevelRatio,
    "Above this disk use (%) sends are refused",
    { min: 1, max: 100 },
  ),
  cleanFileForciblyEnable: bool(
    S.cleanFileForciblyEnable,
    "Allow deleting unexpired files when the disk is nearly full",
  ),
  cleanResourceInterval: int(S.cleanResourceInterval, "How often (ms) retention is checked", {
    min: 1,
  }),
  maxMessageSize: int(S.maxMessageSize, "Largest message body accepted, bytes", { min: 1 }),
  checkCRCOnRecover: bool(S.checkCRCOnRecover, "Verify body CRCs when recovering after a crash"),
  messageIndexEnable: bool(S.messageIndexEnable, "Index messages by KEYS and UNIQ_KEY"),
  maxHashSlotNum: int(
    S.maxHashSlotNum,
    "Hash slots per index file (RocketMQ: 5000000; a Java broker reading these files needs ours)",
    { min: 1 },
  ),
  maxIndexNum: int(S.maxIndexNum, "Entries per index file (RocketMQ: 20000000)", { min: 2 }),
  maxMsgsNumBatch: int(S.maxMsgsNumBatch, "Most messages one key query returns", { min: 1 }),
  defaultQueryMaxNum: int(S.defaultQueryMaxNum, "Most messages a query by UNIQ_KEY returns", {
    min: 1,
  }),
  accessMessageInMemoryMaxRatio: int(
    S.accessMessageInMemoryMaxRatio,
    "Data within this share (%) of RAM from the end of the log counts as in memory",
    { min: 0, max: 100 },
  ),
  maxTransferBytesOnMessageInMemory: int(
    S.maxTransferBytesOnMessageInMemory,
    "Most bytes one pull returns from memory",
    { min: 1 },
  ),
  maxTransferCountOnMessageInMemory: int(
    S.maxTransferCountOnMessageInMemory,
    "Most messages one pull returns from memory",
    { min: 1 },
  ),
  maxTransferBytesOnMessageInDisk: int(
    S.maxTransferBytesOnMessageInDisk,
    "Most bytes one pull returns from disk",
    { min: 1 },
  ),
  maxTransferCountOnMessageInDisk: int(
    S.maxTransferCountOnMessageInDisk,
    "Most messages one pull returns from disk",
    { min: 1 },
  ),
  messageDelayLevel: str(
    S.messageDelayLevel,
    "Delay of each level 1..n (units s, m, h, d; ms is rmq only, for tests)",
  ),
  commitLogCacheSize: int(
    S.commitLogCacheSize,
    "Ours: bytes of the newest commit log kept in memory for reads",
    { min: 0 },
  ),
  commitLogCacheChunkSize: int(
    S.commitLogCacheChunkSize,
    "Ours: the commit-log cache grows in chunks of this many bytes",
    { min: 4096 },
  ),
  maxPendingWriteBytes: int(
    S.maxPendingWriteBytes,
    "Ours: beyond this many unwritten bytes sends get SYSTEM_BUSY [PC_SYNCHRONIZED]",
    { min: 1 },
  ),
  asyncAckPendingBytes: int(
    S.asyncAckPendingBytes,
    "Ours: ASYNC_FLUSH answers before the OS write while at most this many bytes wait (0: never)",
    { min: 0 },
  ),
  memoryReleaseIdleInterval: int(
    S.memoryReleaseIdleInterval,
    "Ours: caches idle this long (ms) are released",
    { min: 1 },
  ),
};

export type BrokerConfig = ConfigOf<typeof BROKER_CONFIG_SCHEMA>;

export const BROKER_CONFIG_TITLE = "rmq broker configuration (rmq broker -c config/broker.toml)";

export function defaultBrokerConfig(): BrokerConfig {
  return defaults(BROKER_CONFIG_SCHEMA);
}

/** The store keys of the schema, in the store's own terms. */
export const STORE_KEYS = [
  "mappedFileSizeCommitLog",
  "mappedFileSizeConsumeQueue",
  "flushDiskType",
  "flushIntervalCommitLog",
  "flushCommitLogLeastPages",
  "flushCommitLogThoroughInterval",
  "flushIntervalConsumeQueue",
  "flushConsumeQueueLeastPages",
  "flushConsumeQueueThoroughInterval",
  "syncFlushTimeout",
  "fileReservedTime",
  "deleteWhen",
  "diskMaxUsedSpaceRatio",
  "diskSpaceCleanForciblyRatio",
  "diskSpaceWarningLevelRatio",
  "cleanFileForciblyEnable",
  "cleanResourceInterval",
  "maxMessageSize",
  "checkCRCOnRecover",
  "messageIndexEnable",
  "maxHashSlotNum",
  "maxIndexNum",
  "maxMsgsNumBatch",
  "accessMessageInMemoryMaxRatio",
  "maxTransferBytesOnMessageInMemory",
  "maxTransferCountOnMessageInMemory",
  "maxTransferBytesOnMessageInDisk",
  "maxTransferCountOnMessageInDisk",
  "messageDelayLevel",
  "defaultQueryMaxNum",
  "commitLogCacheSize",
  "commitLogCacheChunkSize",
  "maxPendingWriteBytes",
  "asyncAckPendingBytes",
  "memoryReleaseIdleInterval",
] as const satisfies readonly (keyof StoreConfig & keyof BrokerConfig)[];

/** The store's settings taken from a broker config (`storePathRootDir` with ~ expanded). */
export function storeConfigOf(c: BrokerConfig): StoreConfig {
  const out: Record<string, unknown> = { storePathRootDir: expandHome(c.storePathRootDir) };
  for (const k of STORE_KEYS) out[k] = c[k];
  return out as unknown as StoreConfig;
}

/** `~/x` → `$HOME/x`, as Java resolves `user.home` for its default paths. */
export function expandHome(path: string): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) throw new Error(`Cannot resolve ${path}: HOME is not set`);
  return home + path.slice(1);
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
