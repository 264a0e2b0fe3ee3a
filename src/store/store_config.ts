/**
 * The store's settings: one schema with RocketMQ's key names and defaults (MessageStoreConfig)
 * wherever RocketMQ has the key, so a broker.conf translated to TOML maps onto it unchanged.
 * The broker's schema includes it whole; config/broker.toml is rendered from both. Keys
 * RocketMQ does not have say "Ours" in their description.
 */
import { bool, type ConfigOf, defaults, int, type KeySpec, oneOf, str } from "../common/config.ts";
import { expandHome } from "../common/home.ts";
import { CQ_STORE_UNIT_SIZE } from "./consume_queue.ts";
import { parseDelayLevels } from "./delay_levels.ts";

export const STORE_CONFIG_SCHEMA = {
  storePathRootDir: str(
    "~/store",
    "Root of the store: commit log, queues, index, config/ (~ is the home directory)",
  ),
  mappedFileSizeCommitLog: int(1024 * 1024 * 1024, "Size of one commit-log file, bytes", {
    min: 4096,
  }),
  mappedFileSizeConsumeQueue: int(
    300_000 * CQ_STORE_UNIT_SIZE,
    "Size of one consume-queue file, bytes (20 per message; rounded up to whole entries)",
    { min: CQ_STORE_UNIT_SIZE },
  ),
  flushDiskType: oneOf(
    ["ASYNC_FLUSH", "SYNC_FLUSH"] as const,
    "ASYNC_FLUSH",
    "ASYNC_FLUSH: answer once written to the OS; SYNC_FLUSH: once on disk",
  ),
  flushIntervalCommitLog: int(500, "ASYNC_FLUSH: sync period (ms)", { min: 1 }),
  flushCommitLogLeastPages: int(
    4,
    "ASYNC_FLUSH: sync only when this many 4 KiB pages are dirty...",
    { min: 0 },
  ),
  flushCommitLogThoroughInterval: int(
    10_000,
    "...or when this long (ms) has passed since the last sync",
    { min: 0 },
  ),
  flushIntervalConsumeQueue: int(1000, "Consume-queue sync period (ms)", { min: 1 }),
  flushConsumeQueueLeastPages: int(
    2,
    "Sync a consume queue only when this many 4 KiB pages are dirty...",
    { min: 0 },
  ),
  flushConsumeQueueThoroughInterval: int(
    60_000,
    "...or when this long (ms) has passed; the checkpoint is written then",
    { min: 0 },
  ),
  syncFlushTimeout: int(
    5000,
    "SYNC_FLUSH: a send not on disk within this (ms) gets FLUSH_DISK_TIMEOUT",
    { min: 1 },
  ),
  fileReservedTime: int(72, "Hours commit-log files are kept", { min: 0 }),
  deleteWhen: str("04", "Hours of the day (;-separated) expired files are deleted"),
  diskMaxUsedSpaceRatio: int(
    75,
    "Above this disk use (%) expired files are deleted at any hour",
    { min: 0, max: 100 },
  ),
  diskSpaceCleanForciblyRatio: int(
    85,
    "Above this disk use (%) files are deleted before they expire",
    { min: 0, max: 100 },
  ),
  diskSpaceWarningLevelRatio: int(90, "Above this disk use (%) sends are refused", {
    min: 0,
    max: 100,
  }),
  cleanFileForciblyEnable: bool(
    true,
    "Allow deleting unexpired files when the disk is nearly full",
  ),
  cleanResourceInterval: int(10_000, "How often (ms) retention is checked", { min: 1 }),
  maxMessageSize: int(4 * 1024 * 1024, "Largest message body accepted, bytes", { min: 1 }),
  checkCRCOnRecover: bool(true, "Verify body CRCs when recovering after a crash"),
  messageIndexEnable: bool(true, "Index messages by KEYS and UNIQ_KEY"),
  maxHashSlotNum: int(
    1_000_000,
    "Hash slots per index file (RocketMQ: 5000000; a Java broker reading these files needs ours)",
    { min: 1 },
  ),
  maxIndexNum: int(4_000_000, "Entries per index file (RocketMQ: 20000000)", { min: 2 }),
  maxMsgsNumBatch: int(64, "Most messages one key query returns", { min: 1 }),
  defaultQueryMaxNum: int(32, "Most messages a query by UNIQ_KEY returns", { min: 1 }),
  accessMessageInMemoryMaxRatio: int(
    40,
    "Data within this share (%) of RAM from the end of the log counts as in memory",
    { min: 0, max: 100 },
  ),
  maxTransferBytesOnMessageInMemory: int(256 * 1024, "Most bytes one pull returns from memory", {
    min: 1,
  }),
  maxTransferCountOnMessageInMemory: int(32, "Most messages one pull returns from memory", {
    min: 1,
  }),
  maxTransferBytesOnMessageInDisk: int(64 * 1024, "Most bytes one pull returns from disk", {
    min: 1,
  }),
  maxTransferCountOnMessageInDisk: int(8, "Most messages one pull returns from disk", { min: 1 }),
  messageDelayLevel: str(
    "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h",
    "Delay of each level 1..n (units s, m, h, d; ms is rmq only, for tests)",
  ),
  brokerRole: oneOf(
    ["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"] as const,
    "ASYNC_MASTER",
    "ASYNC_MASTER: answer sends before slaves have them; SYNC_MASTER: once a slave acked; SLAVE: follow the master",
  ),
  haListenPort: int(
    10912,
    "Set by the broker, as Java's does: slaves replicate from listenPort + 1 (any free port when listenPort is 0)",
    { min: 0, max: 65535 },
  ),
  haMasterAddress: str(
    "",
    "Slave: the master's HA address HOST:PORT; empty: the one the name server names (haServerAddr)",
  ),
  haSendHeartbeatInterval: int(
    5000,
    "Master and slave: heartbeat (master) and offset report (slave) period when idle, ms",
    { min: 1 },
  ),
  haHousekeepingInterval: int(
    20_000,
    "An HA connection silent this long (ms) is closed",
    { min: 1 },
  ),
  haTransferBatchSize: int(32 * 1024, "Master: most commit-log bytes per HA frame", { min: 1 }),
  haSlaveFallbehindMax: int(
    256 * 1024 * 1024,
    "SYNC_MASTER: a slave further behind than this (bytes) makes sends SLAVE_NOT_AVAILABLE",
    { min: 0 },
  ),
  offsetCheckInSlave: bool(
    false,
    "Slave: correct a pull's offset (OFFSET_MOVED) as a master does, instead of retrying",
  ),
  commitLogCacheSize: int(
    16 * 1024 * 1024,
    "Ours: bytes of the newest commit log kept in memory for reads",
    { min: 0 },
  ),
  commitLogCacheChunkSize: int(
    2 * 1024 * 1024,
    "Ours: the commit-log cache grows in chunks of this many bytes",
    { min: 4096 },
  ),
  maxPendingWriteBytes: int(
    64 * 1024 * 1024,
    "Ours: beyond this many unwritten bytes sends get SYSTEM_BUSY [PC_SYNCHRONIZED]",
    { min: 1 },
  ),
  asyncAckPendingBytes: int(
    0,
    "Ours: ASYNC_FLUSH answers before the OS write while at most this many bytes wait (0: never)",
    { min: 0 },
  ),
  memoryReleaseIdleInterval: int(60_000, "Ours: caches idle this long (ms) are released", {
    min: 1,
  }),
};

export type StoreConfig = ConfigOf<typeof STORE_CONFIG_SCHEMA>;
export type FlushDiskType = StoreConfig["flushDiskType"];
export type StoreConfigKey = keyof typeof STORE_CONFIG_SCHEMA;

export const DEFAULT_STORE_CONFIG: Readonly<StoreConfig> = defaults(STORE_CONFIG_SCHEMA);

/** The store's settings within a larger config (a broker's): every key the store has. */
export function pickStoreConfig(c: StoreConfig): StoreConfig {
  const out = {} as Record<StoreConfigKey, unknown>;
  for (const k of Object.keys(STORE_CONFIG_SCHEMA) as StoreConfigKey[]) out[k] = c[k];
  return out as StoreConfig;
}

/**
 * Fills in defaults, resolves `~` in storePathRootDir, rounds consume-queue files to whole
 * entries and rejects values the store cannot work with (RangeError), by the schema's ranges.
 */
export function resolveStoreConfig(
  config: Partial<StoreConfig> & { storePathRootDir: string },
): StoreConfig {
  const c = { ...DEFAULT_STORE_CONFIG } as Record<StoreConfigKey, unknown>;
  for (const [k, v] of Object.entries(config)) {
    if (v !== undefined && k in STORE_CONFIG_SCHEMA) c[k as StoreConfigKey] = v;
  }
  for (const [key, spec] of Object.entries(STORE_CONFIG_SCHEMA) as [string, KeySpec<unknown>][]) {
    checkValue(key, spec, c[key as StoreConfigKey]);
  }
  const resolved = c as StoreConfig;
  resolved.storePathRootDir = expandHome(resolved.storePathRootDir);
  resolved.mappedFileSizeConsumeQueue =
    Math.ceil(resolved.mappedFileSizeConsumeQueue / CQ_STORE_UNIT_SIZE) * CQ_STORE_UNIT_SIZE;
  parseDelayLevels(resolved.messageDelayLevel);
  return resolved;
}

function checkValue(key: string, spec: KeySpec<unknown>, v: unknown): void {
  if (spec.values) {
    if (!spec.values.includes(v as string)) {
      throw new RangeError(`Cannot open store: unknown ${key} ${String(v)}`);
    }
    return;
  }
  if (spec.kind !== "integer") return;
  if (typeof v !== "number" || !Number.isFinite(v) || (spec.min !== undefined && v < spec.min)) {
    throw new RangeError(`Cannot open store: ${key} is ${v} (minimum ${spec.min})`);
  }
  if (spec.max !== undefined && v > spec.max) {
    throw new RangeError(`Cannot open store: ${key} is ${v} (maximum ${spec.max})`);
  }
}
