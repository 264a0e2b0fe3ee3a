/**
 * The store's settings, with RocketMQ's key names and defaults (MessageStoreConfig) wherever
 * RocketMQ has the key, so a broker config translated from broker.conf maps onto it unchanged.
 * Keys RocketMQ does not have are marked "ours".
 */

export type FlushDiskType = "ASYNC_FLUSH" | "SYNC_FLUSH";

export interface StoreConfig {
  /** Root of everything the store writes (RocketMQ default `~/store`). */
  storePathRootDir: string;
  /** Size of one commit-log segment in bytes. */
  mappedFileSizeCommitLog: number;
  /** Size of one consume-queue file in bytes; rounded up to whole 20-byte entries. */
  mappedFileSizeConsumeQueue: number;
  flushDiskType: FlushDiskType;
  /** ASYNC_FLUSH: how often the commit log is synced, ms. */
  flushIntervalCommitLog: number;
  /** ASYNC_FLUSH: sync only when at least this many 4 KiB pages are dirty... */
  flushCommitLogLeastPages: number;
  /** ...or when this long has passed since the last sync, ms. */
  flushCommitLogThoroughInterval: number;
  /** How often consume-queue files are synced, ms. */
  flushIntervalConsumeQueue: number;
  /** Sync a consume-queue file only when this many 4 KiB pages are dirty... */
  flushConsumeQueueLeastPages: number;
  /** ...or when this long has passed; the checkpoint is written then, ms. */
  flushConsumeQueueThoroughInterval: number;
  /** SYNC_FLUSH: how long a put waits for its bytes to be durable, ms. */
  syncFlushTimeout: number;
  /** Commit-log segments untouched for this many hours may be deleted. */
  fileReservedTime: number;
  /** Hours of the day (`;`-separated, `04` = 4 a.m.) when expired segments are deleted. */
  deleteWhen: string;
  /** Above this disk use (percent) expired segments are deleted at any hour. */
  diskMaxUsedSpaceRatio: number;
  /** Above this disk use (percent) segments are deleted even before they expire. */
  diskSpaceCleanForciblyRatio: number;
  /** Above this disk use (percent) puts are refused (SERVICE_NOT_AVAILABLE). */
  diskSpaceWarningLevelRatio: number;
  /** Whether forced deletion (above diskSpaceCleanForciblyRatio) may delete unexpired files. */
  cleanFileForciblyEnable: boolean;
  /** How often retention and disk use are checked, ms. */
  cleanResourceInterval: number;
  /** Largest message body accepted, bytes. */
  maxMessageSize: number;
  /** Verify each record's body CRC while recovering. */
  checkCRCOnRecover: boolean;
  messageIndexEnable: boolean;
  /**
   * Hash slots per index file. RocketMQ's default is 5,000,000 (a 20 MB slot table); ours is
   * smaller so the writable file's table costs 4 MB of memory. A Java broker reading these
   * files must be given the same maxHashSlotNum and maxIndexNum.
   */
  maxHashSlotNum: number;
  /** Entries per index file (RocketMQ: 20,000,000; ours 4,000,000: an 80 MB file). */
  maxIndexNum: number;
  /** Most offsets one index query collects. */
  maxMsgsNumBatch: number;
  /** Data within this share (percent) of physical memory from the end counts as "in memory". */
  accessMessageInMemoryMaxRatio: number;
  maxTransferBytesOnMessageInMemory: number;
  maxTransferCountOnMessageInMemory: number;
  maxTransferBytesOnMessageInDisk: number;
  maxTransferCountOnMessageInDisk: number;
  /** Delay of each level, space-separated, units s, m, h, d (and ms, rmq only). */
  messageDelayLevel: string;
  defaultQueryMaxNum: number;
  /** Ours: bytes of the most recent commit log kept in memory to serve reads. */
  commitLogCacheSize: number;
  /** Ours: the cache grows and recycles in chunks of this size. */
  commitLogCacheChunkSize: number;
  /** Ours: appended-but-unwritten bytes beyond which puts answer OS_PAGECACHE_BUSY. */
  maxPendingWriteBytes: number;
  /**
   * Ours: under ASYNC_FLUSH (or WAIT=false) a put is answered as soon as it is appended while at
   * most this many bytes wait to be written, else once its bytes are handed to the OS. 0: always
   * once handed to the OS, so no answered put is lost when the process dies.
   */
  asyncAckPendingBytes: number;
  /** Ours: after this long without puts, caches and index slot tables are released, ms. */
  memoryReleaseIdleInterval: number;
}

export const DEFAULT_STORE_CONFIG: StoreConfig = {
  storePathRootDir: "store",
  mappedFileSizeCommitLog: 1024 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 300_000 * 20,
  flushDiskType: "ASYNC_FLUSH",
  flushIntervalCommitLog: 500,
  flushCommitLogLeastPages: 4,
  flushCommitLogThoroughInterval: 10_000,
  flushIntervalConsumeQueue: 1000,
  flushConsumeQueueLeastPages: 2,
  flushConsumeQueueThoroughInterval: 60_000,
  syncFlushTimeout: 5000,
  fileReservedTime: 72,
  deleteWhen: "04",
  diskMaxUsedSpaceRatio: 75,
  diskSpaceCleanForciblyRatio: 85,
  diskSpaceWarningLevelRatio: 90,
  cleanFileForciblyEnable: true,
  cleanResourceInterval: 10_000,
  maxMessageSize: 4 * 1024 * 1024,
  checkCRCOnRecover: true,
  messageIndexEnable: true,
  maxHashSlotNum: 1_000_000,
  maxIndexNum: 4_000_000,
  maxMsgsNumBatch: 64,
  accessMessageInMemoryMaxRatio: 40,
  maxTransferBytesOnMessageInMemory: 256 * 1024,
  maxTransferCountOnMessageInMemory: 32,
  maxTransferBytesOnMessageInDisk: 64 * 1024,
  maxTransferCountOnMessageInDisk: 8,
  messageDelayLevel: "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h",
  defaultQueryMaxNum: 32,
  commitLogCacheSize: 16 * 1024 * 1024,
  commitLogCacheChunkSize: 2 * 1024 * 1024,
  maxPendingWriteBytes: 64 * 1024 * 1024,
  asyncAckPendingBytes: 0,
  memoryReleaseIdleInterval: 60_000,
};

/** Bytes of one consume-queue entry: commit-log offset (8), size (4), tags code (8). */
export const CQ_STORE_UNIT_SIZE = 20;

/** Fills in defaults and rejects values the store cannot work with (RangeError). */
export function resolveStoreConfig(
  config: Partial<StoreConfig> & { storePathRootDir: string },
): StoreConfig {
  const c: StoreConfig = { ...DEFAULT_STORE_CONFIG };
  for (const [k, v] of Object.entries(config)) {
    if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  }
  c.mappedFileSizeConsumeQueue = Math.ceil(c.mappedFileSizeConsumeQueue / CQ_STORE_UNIT_SIZE) *
    CQ_STORE_UNIT_SIZE;
  const atLeast = (key: keyof StoreConfig, min: number) => {
    const v = c[key] as number;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
      throw new RangeError(`Cannot open store: ${key} is ${v} (minimum ${min})`);
    }
  };
  atLeast("mappedFileSizeCommitLog", 4096);
  atLeast("mappedFileSizeConsumeQueue", CQ_STORE_UNIT_SIZE);
  atLeast("flushIntervalCommitLog", 1);
  atLeast("flushIntervalConsumeQueue", 1);
  atLeast("syncFlushTimeout", 1);
  atLeast("fileReservedTime", 0);
  atLeast("cleanResourceInterval", 1);
  atLeast("maxMessageSize", 1);
  atLeast("maxHashSlotNum", 1);
  atLeast("maxIndexNum", 2);
  atLeast("commitLogCacheChunkSize", 4096);
  atLeast("commitLogCacheSize", 0);
  atLeast("maxPendingWriteBytes", 1);
  atLeast("asyncAckPendingBytes", 0);
  if (c.flushDiskType !== "ASYNC_FLUSH" && c.flushDiskType !== "SYNC_FLUSH") {
    throw new RangeError(`Cannot open store: unknown flushDiskType ${c.flushDiskType}`);
  }
  parseDelayLevels(c.messageDelayLevel);
  return c;
}

const DELAY_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses `messageDelayLevel` into milliseconds per level: element 0 is level 1. Throws
 * RangeError on an item that is not a number followed by s, m, h or d (or, rmq only, ms: for
 * tests that cannot wait a second per retry).
 */
export function parseDelayLevels(s: string): number[] {
  const out: number[] = [];
  for (const item of s.trim().split(/\s+/)) {
    const m = /^(\d+)(ms|[smhd])$/.exec(item);
    if (!m) {
      throw new RangeError(`Cannot parse messageDelayLevel: bad level ${JSON.stringify(item)}`);
    }
    out.push(Number(m[1]) * DELAY_UNIT_MS[m[2]]);
  }
  return out;
}
