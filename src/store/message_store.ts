/**
 * The message store (RocketMQ's DefaultMessageStore): commit log, consume queues, key index,
 * checkpoint, recovery, retention. It knows nothing of the network: puts and reads return
 * status values that the broker turns into response codes.
 *
 * This file is the facade and the lifecycle (open, recover, start, close, idle housekeeping);
 * the write side is put_path.ts, the read side get_path.ts, the counters store_stats.ts. One
 * concept: most of its length is the documented public surface, each method a delegation.
 *
 * Layout under storePathRootDir (RocketMQ's):
 *   commitlog/<20-digit offset>               commit-log segments
 *   consumequeue/<topic>/<queueId>/<offset>   consume-queue files
 *   index/<yyyyMMddHHmmssSSS>                 index files
 *   checkpoint                                 4 KiB checkpoint
 *   abort                                      present while running (absent: clean shutdown)
 *   lock                                       held while open
 *   config/*.json                              the broker's metadata (config_file.ts)
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { collectGarbage } from "../common/memory.ts";
import { CheckpointFile } from "./checkpoint.ts";
import { CleanService } from "./clean_service.ts";
import { CommitLog } from "./commit_log.ts";
import { ConsumeQueueTable } from "./consume_queue_table.ts";
import { parseDelayLevels, SCHEDULE_TOPIC } from "./delay_levels.ts";
import { Dispatcher, type QueueGrowListener } from "./dispatch.ts";
import { FileHandles } from "./file_handles.ts";
import { FlushService } from "./flush_service.ts";
import { HAClient } from "./ha/ha_client.ts";
import type { TlsClientSettings, TlsServerMaterial } from "../remoting/tls/tls_settings.ts";

/** TLS for the replication link (absent: plain TCP, as RocketMQ's HA always is). */
export interface HATls {
  /** A master serves slaves with this (permissive also admits plain slaves). */
  server?: TlsServerMaterial;
  /** A slave connects to its master with this. */
  client?: TlsClientSettings;
}
import { HAService } from "./ha/ha_service.ts";
import { ReputService } from "./ha/reput.ts";
import { GetPath, MAX_PULL_MSG_SIZE } from "./get_path.ts";
import { IndexService } from "./index_service.ts";
import { PutPath } from "./put_path.ts";
import { rebuildLostQueues, type RebuiltQueue } from "./queue_rebuild.ts";
import { decodeQueueTable, queueTableFile } from "./queue_table_file.ts";
import type { AtomicFile } from "../common/atomic_file.ts";
import { recover, type RecoveryResult } from "./recovery.ts";
import { resolveStoreConfig, type StoreConfig } from "./store_config.ts";
import { StoreCounters } from "./store_stats.ts";
import type {
  GetResult,
  MessageFilter,
  MessageInput,
  PutResult,
  QueryResult,
  QueueEntry,
  StoreStats,
} from "./store_types.ts";

export type {
  AppendMessageResult,
  GetResult,
  MessageFilter,
  MessageInput,
  PutResult,
  QueryResult,
  QueueEntry,
  StoreStats,
} from "./store_types.ts";
export { GetStatus } from "./get_status.ts";
export { PutStatus } from "./put_status.ts";
export { DEFAULT_STORE_CONFIG, type StoreConfig } from "./store_config.ts";
export type { QueueGrowListener } from "./dispatch.ts";
export { SCHEDULE_TOPIC } from "./delay_levels.ts";
export { FILLER_SIZE } from "./consume_queue.ts";

const log = logger("store");

/** Java keeps the transaction op queue whatever the topic table says (cleanUnusedTopic). */
const TRANS_OP_HALF_TOPIC = "RMQ_SYS_TRANS_OP_HALF_TOPIC";

/** How often idle memory is looked at and the rate counters sampled, ms. */
const HOUSEKEEPING_INTERVAL = 1000;
/** Assumed physical memory when the process may not ask (the in-memory window is 40 % of it). */
const FALLBACK_TOTAL_MEMORY = 8 * 1024 * 1024 * 1024;

function totalMemory(): number {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return FALLBACK_TOTAL_MEMORY; // No permission to ask: assume a modest machine.
  }
}

/** The parts a store is made of, opened and recovered by MessageStore.open(). */
interface StoreParts {
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService | undefined;
  dispatcher: Dispatcher;
  checkpoint: CheckpointFile;
  lock: Deno.FsFile;
  delayLevels: number[];
  recovery: RecoveryResult;
  queueTable: AtomicFile;
  rebuilt: RebuiltQueue[];
  /** A master's replication service, or a slave's client. */
  ha: HAService | HAClient;
}

export class MessageStore {
  readonly config: StoreConfig;
  /** What recovery did at open. */
  readonly recovery: RecoveryResult;
  /** Consume queues that had lost entries and were rebuilt from the commit log at open. */
  readonly rebuiltQueues: readonly RebuiltQueue[];
  /** ms per delay level, from messageDelayLevel: element 0 is level 1 (delay_levels.ts). */
  readonly delayLevels: readonly number[];
  readonly #commitLog: CommitLog;
  readonly #queues: ConsumeQueueTable;
  readonly #index: IndexService | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #checkpoint: CheckpointFile;
  readonly #flush: FlushService;
  readonly #clean: CleanService;
  readonly #lock: Deno.FsFile;
  readonly #counters = new StoreCounters();
  readonly #put: PutPath;
  readonly #get: GetPath;
  readonly #ha: HAService | HAClient;
  #housekeeping: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(config: StoreConfig, parts: StoreParts) {
    this.config = config;
    this.#commitLog = parts.commitLog;
    this.#queues = parts.queues;
    this.#index = parts.index;
    this.#dispatcher = parts.dispatcher;
    this.#checkpoint = parts.checkpoint;
    this.#lock = parts.lock;
    this.delayLevels = parts.delayLevels;
    this.recovery = parts.recovery;
    this.rebuiltQueues = parts.rebuilt;
    this.#ha = parts.ha;
    this.#flush = new FlushService({ config, ...parts });
    this.#clean = new CleanService({ config, ...parts });
    this.#put = new PutPath({
      config,
      ...parts,
      clean: this.#clean,
      counters: this.#counters,
      ha: parts.ha instanceof HAService ? parts.ha : undefined,
      isClosed: () => this.#closed,
    });
    this.#get = new GetPath({
      config,
      ...parts,
      counters: this.#counters,
      inMemoryBytes: totalMemory() * (config.accessMessageInMemoryMaxRatio / 100),
    });
  }

  /**
   * Opens (creating if needed) the store under `config.storePathRootDir` and recovers it.
   * Throws when another process holds it or the files disagree with the configured sizes.
   */
  /** `ha` carries TLS for replication: the master's listener, a slave's connection. */
  static async open(
    config: Partial<StoreConfig> & { storePathRootDir: string },
    haTls: HATls = {},
  ): Promise<MessageStore> {
    const c = resolveStoreConfig(config);
    const root = c.storePathRootDir;
    await Deno.mkdir(root, { recursive: true });
    const lock = Deno.openSync(`${root}/lock`, { read: true, write: true, create: true });
    if (!lock.tryLockSync(true)) {
      lock.close();
      throw new Error(`Cannot open store ${root}: it is open in another process (lock is held)`);
    }
    const opened: { close(): void }[] = [];
    try {
      const lastExitOK = !exists(`${root}/abort`);
      log.info("Opening store {root}; last shutdown was {how}", {
        root,
        how: lastExitOK ? "clean" : "abnormal",
      });
      const checkpoint = CheckpointFile.load(`${root}/checkpoint`);
      opened.push(checkpoint);
      const handles = new FileHandles();
      const queues = new ConsumeQueueTable(
        `${root}/consumequeue`,
        c.mappedFileSizeConsumeQueue,
        handles,
      );
      opened.push(queues);
      queues.load();
      const index = c.messageIndexEnable
        ? new IndexService(
          `${root}/index`,
          c.maxHashSlotNum,
          c.maxIndexNum,
          c.maxMsgsNumBatch,
          handles,
        )
        : undefined;
      if (index) {
        opened.push(index);
        index.load(lastExitOK);
      }
      const dispatcher = new Dispatcher(queues, index);
      let segmentFull = (_start: number) => {};
      // A slave finds its records in what the master sent; a master tells its slaves.
      let reput: ReputService | undefined;
      let haService: HAService | undefined;
      const commitLog = new CommitLog(
        `${root}/commitlog`,
        c,
        {
          onWritten: (end) => {
            reput?.queueUpTo(end);
            dispatcher.dispatchUpTo(end);
            haService?.notifyWritten();
          },
          onNewSegment: (start) => segmentFull(start),
        },
        handles,
      );
      opened.push({ close: () => commitLog.closeFiles() });
      commitLog.load();
      const delayLevels = parseDelayLevels(c.messageDelayLevel);
      const recovery = recover({
        config: c,
        commitLog,
        queues,
        index,
        dispatcher,
        checkpoint: checkpoint.value,
        delayLevels,
        lastExitOK,
      });
      const queueTable = queueTableFile(root);
      const rebuilt = rebuildLostQueues({
        config: c,
        commitLog,
        queues,
        table: (await queueTable.load(decodeQueueTable))?.value,
        delayLevels,
      });
      let ha: HAService | HAClient;
      if (c.brokerRole === "SLAVE") {
        reput = new ReputService(commitLog, dispatcher, delayLevels, commitLog.maxOffset);
        ha = new HAClient(commitLog, c, haTls.client);
      } else {
        ha = haService = new HAService(commitLog, c, haTls.server);
      }
      Deno.writeFileSync(`${root}/abort`, new Uint8Array(0));
      const store = new MessageStore(c, {
        commitLog,
        queues,
        index,
        dispatcher,
        checkpoint,
        lock,
        delayLevels,
        recovery,
        queueTable,
        rebuilt,
        ha,
      });
      store.#start();
      segmentFull = (start) => void store.#checkpointUpTo(start);
      // What recovery found is what the checkpoint vouches for from now on.
      await store.#flush.checkpointSoon();
      return store;
    } catch (e) {
      for (const o of opened) {
        try {
          o.close();
        } catch {
          // Already failing: the first error is the one to report.
        }
      }
      lock.close();
      throw e;
    }
  }

  /**
   * Checkpoints at a segment roll: one at once, vouching for what is durable now, and one once
   * the commit log is durable up to `end` (the start of the new segment), so crash recovery
   * replays at most the segment or two after it — more only while writes outrun the disk.
   */
  async #checkpointUpTo(end: number): Promise<void> {
    this.#commitLog.requestFlush();
    const now = this.#flush.checkpointSoon();
    await this.#commitLog.waitFlushed(end);
    await now;
    await this.#flush.checkpointSoon();
  }

  #start(): void {
    this.#clean.checkDisk();
    this.#commitLog.start();
    this.#flush.start();
    this.#clean.start();
    if (this.#ha instanceof HAClient) this.#ha.start();
    this.#housekeeping = setInterval(() => this.#housekeep(), HOUSEKEEPING_INTERVAL);
  }

  /** Writes and syncs everything, writes the checkpoint, removes the abort marker. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    if (this.#housekeeping !== undefined) clearInterval(this.#housekeeping);
    this.#clean.close();
    if (this.#ha instanceof HAClient) await this.#ha.close();
    else this.#ha.close();
    await this.#commitLog.close();
    await this.#flush.close();
    const clean = this.#commitLog.ioError === undefined &&
      this.#commitLog.flushedOffset === this.#commitLog.maxOffset;
    this.#queues.close();
    this.#index?.close();
    this.#checkpoint.close();
    const root = this.config.storePathRootDir;
    if (clean) {
      try {
        Deno.removeSync(`${root}/abort`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    } else {
      log.error("Store {root} closed with unwritten data; the next open will recover", { root });
    }
    this.#lock.close();
    log.info("Closed store {root}", { root });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------- replication (ha/)

  /**
   * A master's replication service: the broker starts it listening once it knows its port.
   * Undefined on a slave.
   */
  get haService(): HAService | undefined {
    return this.#ha instanceof HAService ? this.#ha : undefined;
  }

  /** A slave's replication client (its master's address is set by the broker); else undefined. */
  get haClient(): HAClient | undefined {
    return this.#ha instanceof HAClient ? this.#ha : undefined;
  }

  // ---------------------------------------------------------------- puts (put_path.ts)

  /**
   * Stores one message. Resolves once its bytes are handed to the OS, or under SYNC_FLUSH
   * (unless `waitStoreMsgOK` is false) once they are durable. Never rejects: failures are
   * statuses.
   */
  putMessage(msg: MessageInput): Promise<PutResult> {
    return this.#put.putMessage(msg);
  }

  /**
   * Stores a batch to one topic-queue as consecutive records with consecutive queue offsets.
   * Batches carry neither transactions nor delays (MESSAGE_ILLEGAL).
   */
  putMessages(batch: MessageInput[]): Promise<PutResult> {
    return this.#put.putMessages(batch);
  }

  // ---------------------------------------------------------------- reads (get_path.ts)

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  /**
   * Reads up to `maxMsgNums` records of one queue from `offset` (RocketMQ's getMessage):
   * status, where to read next, queue bounds, and the raw records. Synchronous inside, so a
   * read never interleaves with another or with the writer.
   */
  getMessage(
    group: string,
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxBytes: number = MAX_PULL_MSG_SIZE,
    filter?: MessageFilter,
  ): Promise<GetResult> {
    if (this.#closed) return Promise.reject(closedError());
    void group; // Kept for the broker's per-group statistics; the store reads the same for all.
    return Promise.resolve(
      this.#get.getMessage(topic, queueId, offset, maxMsgNums, maxBytes, filter),
    );
  }

  /** The raw record at a commit-log offset (view message by id), or undefined. */
  lookMessageByOffset(commitLogOffset: number): Promise<Uint8Array | undefined> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.#get.verifiedRecord(commitLogOffset));
  }

  /**
   * Records of `topic` stored under `key` (a KEYS entry or UNIQ_KEY) between `begin` and `end`
   * (ms), oldest first, at most min(maxNum, maxMsgsNumBatch).
   */
  queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<QueryResult> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.#get.queryMessage(topic, key, maxNum, begin, end));
  }

  /**
   * The queue offset whose message was stored at `timestamp`, or the nearer neighbour (the
   * earlier one on a tie). All older: the last offset; empty queue: 0.
   */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.#get.getOffsetInQueueByTime(topic, queueId, timestamp));
  }

  /** Next offset to be written in the queue (0 for an unknown queue). */
  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.get(topic, queueId)?.maxOffset ?? 0;
  }

  /** Whether the queue exists (has been written to or recovered). */
  hasConsumeQueue(topic: string, queueId: number): boolean {
    return this.#queues.get(topic, queueId) !== undefined;
  }

  /** First offset still readable in the queue (0 for an unknown queue). */
  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.get(topic, queueId)?.minOffset ?? 0;
  }

  /** Store time of the queue's first readable message, or -1. */
  getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    const cq = this.#queues.get(topic, queueId);
    return this.getMessageStoreTimeStamp(topic, queueId, cq?.minOffset ?? 0);
  }

  /** Store time of the message at a queue offset, or -1. */
  getMessageStoreTimeStamp(topic: string, queueId: number, offset: number): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    const e = this.#queues.get(topic, queueId)?.entry(offset);
    return Promise.resolve(this.#get.storeTimestampAt(e));
  }

  /** Commit-log offset of the message at a queue offset, or 0. */
  getCommitLogOffsetInQueue(topic: string, queueId: number, offset: number): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.#queues.get(topic, queueId)?.entry(offset)?.commitLogOffset ?? 0);
  }

  /** Raw consume-queue entries from `offset` (at most `max`, within one queue file). */
  readConsumeQueue(topic: string, queueId: number, offset: number, max: number): QueueEntry[] {
    this.#assertOpen();
    return this.#get.readConsumeQueue(topic, queueId, offset, max);
  }

  /**
   * Whether the message at a queue offset is far enough behind the end of the commit log to
   * be read from disk (more than accessMessageInMemoryMaxRatio of memory). False when there is
   * no such message.
   */
  checkInDiskByConsumeOffset(topic: string, queueId: number, offset: number): boolean {
    const e = this.#queues.get(topic, queueId)?.entry(offset);
    return e !== undefined && this.#get.inDisk(e.commitLogOffset, this.#commitLog.maxOffset);
  }

  /**
   * The negation of checkInDiskByConsumeOffset, as QUERY_CONSUMER_OFFSET uses it: true when
   * the message is still "in memory", and also when there is no such message.
   */
  checkInMemByConsumeOffset(topic: string, queueId: number, offset: number): boolean {
    return !this.checkInDiskByConsumeOffset(topic, queueId, offset);
  }

  /**
   * Deletes the consume queues of these topics (their records stay until retention), and
   * writes the checkpoint's queue table at once, so a crash does not bring them back.
   */
  async deleteTopics(topics: Iterable<string>): Promise<void> {
    for (const t of topics) {
      try {
        this.#queues.deleteTopic(t);
      } catch (e) {
        log.error("Cannot delete consume queues of {topic}: {error}", {
          topic: t,
          error: errorMessage(e),
        });
      }
      this.#put.forgetTopic(t);
    }
    await this.#flush.checkpointSoon();
  }

  /**
   * Deletes the consume queues of topics not in `keep` (CLEAN_UNUSED_TOPIC; the schedule and
   * transaction-op queues always stay, as on Java); returns how many topics went.
   */
  async cleanUnusedTopics(keep: ReadonlySet<string>): Promise<number> {
    const gone = this.topics().filter((t) =>
      !keep.has(t) && t !== SCHEDULE_TOPIC && t !== TRANS_OP_HALF_TOPIC
    );
    if (gone.length > 0) await this.deleteTopics(gone);
    return gone.length;
  }

  /**
   * Deletes consume queues whose every entry points below the first commit-log segment still
   * there (CLEAN_EXPIRED_CONSUMEQUEUE: their messages all expired); returns how many went.
   */
  async cleanExpiredConsumeQueues(): Promise<number> {
    const min = this.#commitLog.minOffset;
    let removed = 0;
    for (const topic of this.#queues.topics()) {
      if (topic === SCHEDULE_TOPIC) continue;
      for (const [queueId, cq] of [...(this.#queues.queuesOf(topic) ?? [])]) {
        if (cq.maxOffset === 0) continue; // created just now, nothing written yet
        // Expiry moves a queue's min offset to its max once no entry is readable.
        const last = cq.maxOffset > cq.minOffset ? cq.entry(cq.maxOffset - 1) : undefined;
        if (last && last.commitLogOffset >= min) continue;
        this.#queues.deleteQueue(topic, queueId);
        removed++;
      }
    }
    if (removed > 0) await this.#flush.checkpointSoon();
    return removed;
  }

  /** Topics that have consume queues. */
  topics(): string[] {
    return this.#queues.topics();
  }

  /** Every topic with consume queues, and how many it has (highest queue id + 1). */
  topicQueueNums(): Map<string, number> {
    return this.#queues.queueNums();
  }

  /** Calls `listener` after a dispatch pass grew a queue; returns its removal. */
  onQueueGrow(listener: QueueGrowListener): () => void {
    return this.#dispatcher.onQueueGrow(listener);
  }

  // ---------------------------------------------------------------- state

  /** Next commit-log offset to be assigned. */
  get maxPhyOffset(): number {
    return this.#commitLog.maxOffset;
  }

  /** First commit-log offset still on disk. */
  get minPhyOffset(): number {
    return this.#commitLog.minOffset;
  }

  /** Everything below this commit-log offset is durable. */
  get flushedPhyOffset(): number {
    return this.#commitLog.flushedOffset;
  }

  /** Commit-log bytes appended but not yet in the consume queues. */
  get dispatchBehindBytes(): number {
    return this.#commitLog.maxOffset - this.#dispatcher.dispatchedOffset;
  }

  /** Whether a put would be taken now. */
  get isWritable(): boolean {
    return this.#put.refusal() === undefined;
  }

  /** Disk use of the store's file system in percent at the last check (-1 if unknown). */
  get diskUsageRatio(): number {
    return this.#clean.diskUsage;
  }

  /** Bytes held by the commit-log cache. */
  get cacheBytes(): number {
    return this.#commitLog.cacheBytes;
  }

  get stats(): StoreStats {
    return this.#counters.snapshot(this.#commitLog.syncCount);
  }

  /** Store time of the first record in the commit log, or -1. */
  getEarliestCommitLogTime(): number {
    return this.#get.earliestCommitLogTime();
  }

  /** Runs one retention pass now; returns the number of commit-log segments deleted. */
  cleanExpiredFiles(now = Date.now()): number {
    return this.#clean.run(now);
  }

  /** Deletes expired files at any hour for the next passes (mqadmin deleteExpiredCommitLog). */
  executeDeleteFilesManually(): void {
    this.#clean.executeDeleteFilesManually();
  }

  /** Makes everything written so far durable, queues, index and checkpoint included. */
  async flush(): Promise<void> {
    this.#commitLog.requestFlush();
    await this.#commitLog.waitFlushed(this.#commitLog.writtenOffset);
    await this.#flush.flushAll(true);
  }

  /** Once a second: a stats sample, and caches idle for memoryReleaseIdleInterval released. */
  #housekeep(): void {
    const now = Date.now();
    this.#counters.sample(now);
    const idle = this.config.memoryReleaseIdleInterval;
    try {
      const before = this.#commitLog.cacheBytes;
      if (now - this.#commitLog.lastAppendAt > idle) this.#commitLog.releaseCache();
      if (this.#index && now - this.#index.lastPutAt > idle) this.#index.releaseMemory();
      for (const cq of this.#queues.all()) {
        if (now - cq.lastPutAt > idle) cq.releaseMemory();
      }
      // Released buffers leave the process only at a collection, which an idle broker never
      // triggers by itself.
      if (this.#commitLog.cacheBytes < before) void collectGarbage();
    } catch (e) {
      log.error("Releasing idle memory failed: {error}", { error: errorMessage(e) });
    }
  }
}

function closedError(): Error {
  return new Error("Cannot read: message store is closed");
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
