/**
 * The message store (RocketMQ's DefaultMessageStore): commit log, consume queues, key index,
 * checkpoint, recovery, retention. It knows nothing of the network: puts and reads return
 * status values that the broker turns into response codes.
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
import { textEncoder } from "../common/bytes.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import {
  decodeMessageRecord,
  MAX_PROPERTIES_BYTES,
  MAX_TOPIC_BYTES,
  recordSize,
  verifyRecordCrc,
} from "../common/message/message_codec.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty, setProperty } from "../common/message/properties.ts";
import { collectGarbage } from "../common/memory.ts";
import { MessageSysFlag, transactionType } from "../common/message/sys_flag.ts";
import { CheckpointFile } from "./checkpoint.ts";
import { CleanService } from "./clean_service.ts";
import { type AppendItem, CommitLog, isIntactRecord } from "./commit_log.ts";
import { type ConsumeQueue, FILLER_SIZE } from "./consume_queue.ts";
import { ConsumeQueueTable } from "./consume_queue_table.ts";
import {
  Dispatcher,
  isQueueDispatched,
  type QueueGrowListener,
  SCHEDULE_TOPIC,
  tagsCodeOf,
} from "./dispatch.ts";
import { encodeText, OffsetMsgIdFormatter } from "./fast_encode.ts";
import { FlushService } from "./flush_service.ts";
import { GetStatus } from "./get_status.ts";
import { IndexService } from "./index_service.ts";
import { PutStatus } from "./put_status.ts";
import { recover, type RecoveryResult } from "./recovery.ts";
import {
  CQ_STORE_UNIT_SIZE,
  parseDelayLevels,
  resolveStoreConfig,
  type StoreConfig,
} from "./store_config.ts";
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
export { SCHEDULE_TOPIC } from "./dispatch.ts";

const log = logger("store");

/** RocketMQ's MAX_PULL_MSG_SIZE: the byte cap of one read when the caller names none. */
const MAX_PULL_MSG_SIZE = 128 * 1024 * 1024;
/** CQ bytes one read may scan: max(16000, maxMsgNums × 20). */
const MAX_FILTER_SCAN_BYTES = 16000;
const SCAN_CHUNK_ENTRIES = 256;
const HOUSEKEEPING_INTERVAL = 1000;
/** RocketMQ's topic characters; anything else could not name a consume-queue directory. */
const TOPIC_CHARS = /^[%|a-zA-Z0-9_-]+$/;
const STATS_WINDOW_SECONDS = 10;

interface Refusal {
  status: PutStatus;
  remark: string;
}

function refused(status: PutStatus, remark: string): PutResult {
  return { status, remark };
}

function totalMemory(): number {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return 8 * 1024 * 1024 * 1024; // No permission to ask: assume a modest machine.
  }
}

export class MessageStore {
  readonly config: StoreConfig;
  /** What recovery did at open. */
  readonly recovery: RecoveryResult;
  readonly #commitLog: CommitLog;
  readonly #queues: ConsumeQueueTable;
  readonly #index: IndexService | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #checkpoint: CheckpointFile;
  readonly #flush: FlushService;
  readonly #clean: CleanService;
  readonly #lock: Deno.FsFile;
  readonly #delayLevels: number[];
  readonly #inMemoryBytes: number;
  readonly #topicBytes = new Map<string, Uint8Array>();
  readonly #msgIds = new OffsetMsgIdFormatter();
  /** Property bytes of a single put live here between #prepare and the append. */
  readonly #propertiesScratch = new Uint8Array(4096);
  #housekeeping: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  #putTimes = 0;
  #putBytes = 0;
  #putFailed = 0;
  #getFound = 0;
  #getMiss = 0;
  #getTransferred = 0;
  readonly #samples: { at: number; put: number; get: number }[] = [];

  private constructor(
    config: StoreConfig,
    parts: {
      commitLog: CommitLog;
      queues: ConsumeQueueTable;
      index: IndexService | undefined;
      dispatcher: Dispatcher;
      checkpoint: CheckpointFile;
      lock: Deno.FsFile;
      delayLevels: number[];
      recovery: RecoveryResult;
    },
  ) {
    this.config = config;
    this.#commitLog = parts.commitLog;
    this.#queues = parts.queues;
    this.#index = parts.index;
    this.#dispatcher = parts.dispatcher;
    this.#checkpoint = parts.checkpoint;
    this.#lock = parts.lock;
    this.#delayLevels = parts.delayLevels;
    this.recovery = parts.recovery;
    this.#inMemoryBytes = totalMemory() * (config.accessMessageInMemoryMaxRatio / 100);
    this.#flush = new FlushService({
      config,
      commitLog: this.#commitLog,
      queues: this.#queues,
      index: this.#index,
      dispatcher: this.#dispatcher,
      checkpoint: this.#checkpoint,
    });
    this.#clean = new CleanService({
      config,
      commitLog: this.#commitLog,
      queues: this.#queues,
      index: this.#index,
    });
  }

  /**
   * Opens (creating if needed) the store under `config.storePathRootDir` and recovers it.
   * Throws when another process holds it or the files disagree with the configured sizes.
   */
  static async open(
    config: Partial<StoreConfig> & { storePathRootDir: string },
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
      const queues = new ConsumeQueueTable(`${root}/consumequeue`, c.mappedFileSizeConsumeQueue);
      opened.push(queues);
      queues.load();
      const index = c.messageIndexEnable
        ? new IndexService(`${root}/index`, c.maxHashSlotNum, c.maxIndexNum, c.maxMsgsNumBatch)
        : undefined;
      if (index) {
        opened.push(index);
        index.load(lastExitOK);
      }
      const dispatcher = new Dispatcher(queues, index);
      const commitLog = new CommitLog(`${root}/commitlog`, c, {
        onWritten: (end) => dispatcher.dispatchUpTo(end),
      });
      opened.push({ close: () => commitLog.closeFiles() });
      commitLog.load();
      const delayLevels = parseDelayLevels(c.messageDelayLevel);
      const recovery = recover({
        config: c,
        commitLog,
        queues,
        dispatcher,
        checkpoint: checkpoint.value,
        delayLevels,
        lastExitOK,
      });
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
      });
      store.#start();
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

  #start(): void {
    this.#clean.checkDisk();
    this.#commitLog.start();
    this.#flush.start();
    this.#clean.start();
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

  // ---------------------------------------------------------------- puts

  /** Why a put cannot be taken now, if it cannot. */
  #refusal(): Refusal | undefined {
    if (this.#closed) {
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, remark: "message store is closed" };
    }
    if (this.#clean.diskFull) {
      return {
        status: PutStatus.SERVICE_NOT_AVAILABLE,
        remark: `disk full: ${this.#clean.diskUsage.toFixed(1)}% used ` +
          `(diskSpaceWarningLevelRatio ${this.config.diskSpaceWarningLevelRatio}%)`,
      };
    }
    const ioError = this.#commitLog.ioError;
    if (ioError) {
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, remark: `commit log ${ioError}` };
    }
    if (this.#commitLog.pendingWriteBytes > this.config.maxPendingWriteBytes) {
      return {
        status: PutStatus.OS_PAGECACHE_BUSY,
        remark: `${this.#commitLog.pendingWriteBytes} bytes wait to be written`,
      };
    }
    return undefined;
  }

  /** The topic's bytes, or undefined when it is not a name a queue directory can carry. */
  #topicBytesOf(topic: string): Uint8Array | undefined {
    let b = this.#topicBytes.get(topic);
    if (!b) {
      if (!TOPIC_CHARS.test(topic)) return undefined;
      if (this.#topicBytes.size >= 10_000) this.#topicBytes.clear();
      b = textEncoder.encode(topic);
      this.#topicBytes.set(topic, b);
    }
    return b;
  }

  /** Checks one message and encodes what the record needs; a refusal when it is not storable. */
  #prepare(msg: MessageInput, scratch = true): AppendItem | Refusal {
    const topicBytes = this.#topicBytesOf(msg.topic);
    if (!topicBytes) {
      return {
        status: PutStatus.MESSAGE_ILLEGAL,
        remark: `topic ${JSON.stringify(msg.topic)} has characters outside [%|a-zA-Z0-9_-]`,
      };
    }
    if (topicBytes.length > MAX_TOPIC_BYTES) {
      return {
        status: PutStatus.MESSAGE_ILLEGAL,
        remark: `topic is ${topicBytes.length} bytes (max ${MAX_TOPIC_BYTES})`,
      };
    }
    if (!Number.isInteger(msg.queueId) || msg.queueId < 0) {
      return { status: PutStatus.MESSAGE_ILLEGAL, remark: `bad queue id ${msg.queueId}` };
    }
    if (msg.body.length > this.config.maxMessageSize) {
      return {
        status: PutStatus.MESSAGE_ILLEGAL,
        remark: `body is ${msg.body.length} bytes (maxMessageSize ${this.config.maxMessageSize})`,
      };
    }
    const propertiesBytes = scratch
      ? encodeText(msg.properties, this.#propertiesScratch)
      : textEncoder.encode(msg.properties);
    if (propertiesBytes.length > MAX_PROPERTIES_BYTES) {
      return {
        status: PutStatus.PROPERTIES_SIZE_EXCEEDED,
        remark: `properties are ${propertiesBytes.length} bytes (max ${MAX_PROPERTIES_BYTES})`,
      };
    }
    const size = recordSize(
      msg.body.length,
      topicBytes.length,
      propertiesBytes.length,
      msg.bornHost.ip.length,
      msg.storeHost.ip.length,
    );
    return { msg, topicBytes, propertiesBytes, size, queueOffset: 0, physicalOffset: 0 };
  }

  /**
   * A message with a DELAY level goes to SCHEDULE_TOPIC_XXXX queue level−1 instead, its real
   * topic and queue kept in REAL_TOPIC / REAL_QID (RocketMQ's CommitLog does this at put time;
   * a message already on the schedule topic is left alone).
   */
  #schedule(msg: MessageInput): MessageInput {
    const t = transactionType(msg.sysFlag);
    if (
      t !== MessageSysFlag.TRANSACTION_NOT_TYPE && t !== MessageSysFlag.TRANSACTION_COMMIT_TYPE
    ) return msg;
    if (msg.topic === SCHEDULE_TOPIC) return msg;
    const delay = getProperty(msg.properties, MessageConst.DELAY);
    if (!delay || !/^\d{1,9}$/.test(delay)) return msg;
    let level = Number(delay);
    if (level <= 0) return msg;
    let properties = msg.properties;
    if (level > this.#delayLevels.length) {
      level = this.#delayLevels.length;
      properties = setProperty(properties, MessageConst.DELAY, String(level));
    }
    properties = setProperty(properties, MessageConst.REAL_TOPIC, msg.topic);
    properties = setProperty(properties, MessageConst.REAL_QID, String(msg.queueId));
    return { ...msg, topic: SCHEDULE_TOPIC, queueId: level - 1, properties };
  }

  /**
   * Stores one message. Resolves once its bytes are handed to the OS, or under SYNC_FLUSH
   * (unless `waitStoreMsgOK` is false) once they are durable. Never rejects: failures are
   * statuses.
   */
  putMessage(msg: MessageInput): Promise<PutResult> {
    const no = this.#refusal();
    if (no) return this.#fail(no);
    const item = this.#prepare(this.#schedule(msg));
    if (!("size" in item)) return this.#fail(item);
    return this.#append([item], item.size, msg.waitStoreMsgOK !== false);
  }

  /**
   * Stores a batch to one topic-queue as consecutive records with consecutive queue offsets.
   * Batches carry neither transactions nor delays (MESSAGE_ILLEGAL).
   */
  putMessages(batch: MessageInput[]): Promise<PutResult> {
    const no = this.#refusal();
    if (no) return this.#fail(no);
    if (batch.length === 0) {
      return this.#fail({ status: PutStatus.MESSAGE_ILLEGAL, remark: "empty batch" });
    }
    const items: AppendItem[] = [];
    let total = 0;
    let bodies = 0;
    const { topic, queueId } = batch[0];
    for (const m of batch) {
      if (m.topic !== topic || m.queueId !== queueId) {
        return this.#fail({
          status: PutStatus.MESSAGE_ILLEGAL,
          remark: "batch mixes topics or queues",
        });
      }
      if (transactionType(m.sysFlag) !== MessageSysFlag.TRANSACTION_NOT_TYPE) {
        return this.#fail({
          status: PutStatus.MESSAGE_ILLEGAL,
          remark: "batch messages cannot be transactional",
        });
      }
      const delay = getProperty(m.properties, MessageConst.DELAY);
      if (delay && Number(delay) > 0) {
        return this.#fail({
          status: PutStatus.MESSAGE_ILLEGAL,
          remark: "batch messages cannot be delayed",
        });
      }
      const item = this.#prepare(m, false);
      if (!("size" in item)) return this.#fail(item);
      items.push(item);
      total += item.size;
      bodies += m.body.length;
    }
    if (bodies > this.config.maxMessageSize) {
      return this.#fail({
        status: PutStatus.MESSAGE_ILLEGAL,
        remark: `batch bodies are ${bodies} bytes (maxMessageSize ${this.config.maxMessageSize})`,
      });
    }
    return this.#append(items, total, batch[0].waitStoreMsgOK !== false);
  }

  #fail(r: Refusal): Promise<PutResult> {
    this.#putFailed++;
    return Promise.resolve(refused(r.status, r.remark));
  }

  async #append(items: AppendItem[], total: number, wait: boolean): Promise<PutResult> {
    const cl = this.#commitLog;
    const no = cl.prepareAppend(total);
    if (no) return this.#fail(no);
    const first = items[0].msg;
    const dispatched = isQueueDispatched(first.sysFlag);
    let cq: ConsumeQueue | undefined;
    if (dispatched) {
      cq = this.#queues.getOrCreate(first.topic, first.queueId);
      for (const item of items) item.queueOffset = cq.nextOffset++;
    }
    const storeTimestamp = first.storeTimestamp ?? Date.now();
    const wroteOffset = cl.append(items, total, storeTimestamp);
    let msgId = "";
    for (const item of items) {
      const m = item.msg;
      this.#dispatcher.enqueue({
        topic: m.topic,
        queueId: m.queueId,
        commitLogOffset: item.physicalOffset,
        msgSize: item.size,
        tagsCode: tagsCodeOf(m.topic, m.properties, storeTimestamp, this.#delayLevels),
        storeTimestamp,
        consumeQueueOffset: item.queueOffset,
        sysFlag: m.sysFlag,
        properties: m.properties,
        cq,
      });
      const id = this.#msgIds.format(m.storeHost, item.physicalOffset);
      msgId = msgId ? `${msgId},${id}` : id;
    }
    this.#putTimes += items.length;
    this.#putBytes += total;
    const end = items[items.length - 1].physicalOffset + items[items.length - 1].size;
    const status = this.config.flushDiskType === "SYNC_FLUSH" && wait
      ? await cl.waitFlushed(end)
      : cl.pendingWriteBytes <= this.config.asyncAckPendingBytes
      ? PutStatus.PUT_OK
      : await cl.waitWritten(end);
    if (status !== PutStatus.PUT_OK) this.#putFailed++;
    const result: PutResult = {
      status,
      append: {
        wroteOffset,
        wroteBytes: end - wroteOffset,
        msgId,
        queueOffset: items[0].queueOffset,
        storeTimestamp,
        msgNum: items.length,
      },
    };
    if (status !== PutStatus.PUT_OK) {
      result.remark = status === PutStatus.FLUSH_DISK_TIMEOUT
        ? `not durable within syncFlushTimeout ${this.config.syncFlushTimeout} ms`
        : `commit log ${this.#commitLog.ioError ?? "write failed"}`;
    }
    return result;
  }

  // ---------------------------------------------------------------- reads

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  /** Whether data this far behind the end of the commit log counts as on disk. */
  #inDisk(phyOffset: number, maxPhyOffset: number): boolean {
    return maxPhyOffset - phyOffset > this.#inMemoryBytes;
  }

  #batchFull(
    size: number,
    maxMsgNums: number,
    maxBytes: number,
    total: number,
    count: number,
    inDisk: boolean,
  ): boolean {
    if (total === 0 || count === 0) return false;
    if (total + size > maxBytes) return true;
    if (maxMsgNums <= count) return true;
    const c = this.config;
    if (inDisk) {
      return total + size > c.maxTransferBytesOnMessageInDisk ||
        count > c.maxTransferCountOnMessageInDisk - 1;
    }
    return total + size > c.maxTransferBytesOnMessageInMemory ||
      count > c.maxTransferCountOnMessageInMemory - 1;
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
    const cl = this.#commitLog;
    const maxOffsetPy = cl.maxOffset;
    const cq = this.#queues.get(topic, queueId);
    let status: GetStatus = GetStatus.NO_MESSAGE_IN_QUEUE;
    let nextBeginOffset = offset;
    let minOffset = 0;
    let maxOffset = 0;
    let suggestPullingFromSlave = false;
    const selected: number[] = []; // commit-log offset, size pairs
    const read: Uint8Array[] = []; // records already read (commit-log filter)
    let total = 0;
    let count = 0;
    if (!cq) {
      status = GetStatus.NO_MATCHED_LOGIC_QUEUE;
      nextBeginOffset = 0;
    } else {
      minOffset = cq.minOffset;
      maxOffset = cq.maxOffset;
      if (maxOffset === 0) {
        status = GetStatus.NO_MESSAGE_IN_QUEUE;
        nextBeginOffset = 0;
      } else if (offset < minOffset) {
        status = GetStatus.OFFSET_TOO_SMALL;
        nextBeginOffset = minOffset;
      } else if (offset === maxOffset) {
        status = GetStatus.OFFSET_OVERFLOW_ONE;
        nextBeginOffset = offset;
      } else if (offset > maxOffset) {
        status = GetStatus.OFFSET_OVERFLOW_BADLY;
        nextBeginOffset = maxOffset;
      } else {
        const scanLimit = Math.max(MAX_FILTER_SCAN_BYTES, maxMsgNums * CQ_STORE_UNIT_SIZE) /
          CQ_STORE_UNIT_SIZE;
        const fileEnd = cq.rollNextFile(offset);
        let entries = cq.readEntries(offset, Math.min(scanLimit, SCAN_CHUNK_ENTRIES));
        if (!entries) {
          status = GetStatus.OFFSET_FOUND_NULL;
          nextBeginOffset = fileEnd;
          log.warn("Consume queue {topic}/{queueId} has no file for offset {offset}", {
            topic,
            queueId,
            offset,
          });
        } else {
          status = GetStatus.NO_MATCHED_MESSAGE;
          let i = 0;
          let nextPhyFileStart = -1;
          let maxPhyPulling = 0;
          const minPhy = cl.minOffset;
          scan: while (entries) {
            const v = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
            const n = entries.length / CQ_STORE_UNIT_SIZE;
            for (let k = 0; k < n; k++) {
              const p = k * CQ_STORE_UNIT_SIZE;
              const phy = v.getInt32(p) * 4294967296 + v.getUint32(p + 4);
              const size = v.getInt32(p + 8);
              const tagsCode = v.getInt32(p + 12) * 4294967296 + v.getUint32(p + 16);
              maxPhyPulling = phy;
              if (phy < nextPhyFileStart) {
                i++;
                continue;
              }
              const inDisk = this.#inDisk(phy, maxOffsetPy);
              if (this.#batchFull(size, maxMsgNums, maxBytes, total, count, inDisk)) break scan;
              if (filter && !filter.isMatchedByConsumeQueue(tagsCode)) {
                if (total === 0) status = GetStatus.NO_MATCHED_MESSAGE;
                i++;
                continue;
              }
              let record: Uint8Array | undefined;
              const gone = phy < minPhy || size <= 0 || size === FILLER_SIZE ||
                phy + size > maxOffsetPy;
              if (!gone && filter?.isMatchedByCommitLog) {
                record = new Uint8Array(size);
                if (!cl.read(phy, size, record)) record = undefined;
              }
              if (gone || (filter?.isMatchedByCommitLog && !record)) {
                if (total === 0) status = GetStatus.MESSAGE_WAS_REMOVING;
                nextPhyFileStart = cl.rollNextFile(phy);
                i++;
                continue;
              }
              if (record && !filter!.isMatchedByCommitLog!(record)) {
                if (total === 0) status = GetStatus.NO_MATCHED_MESSAGE;
                i++;
                continue;
              }
              if (record) read.push(record);
              selected.push(phy, size);
              total += size;
              count++;
              status = GetStatus.FOUND;
              nextPhyFileStart = -1;
              i++;
            }
            if (i >= scanLimit || offset + i >= fileEnd) break;
            entries = cq.readEntries(offset + i, Math.min(scanLimit - i, SCAN_CHUNK_ENTRIES * 4));
          }
          nextBeginOffset = offset + i;
          suggestPullingFromSlave = this.#inDisk(maxPhyPulling, maxOffsetPy);
        }
      }
    }
    const body = new Uint8Array(total);
    const messages: Uint8Array[] = [];
    let pos = 0;
    if (read.length > 0) {
      for (const r of read) {
        body.set(r, pos);
        messages.push(body.subarray(pos, pos + r.length));
        pos += r.length;
      }
    } else {
      pos = this.#readRecords(selected, body, messages);
    }
    if (messages.length < count) {
      count = messages.length;
      if (count === 0 && status === GetStatus.FOUND) status = GetStatus.MESSAGE_WAS_REMOVING;
    }
    if (status === GetStatus.FOUND) this.#getFound++;
    else this.#getMiss++;
    this.#getTransferred += count;
    return Promise.resolve({
      status,
      nextBeginOffset,
      minOffset,
      maxOffset,
      messages,
      body: pos === total ? body : body.subarray(0, pos),
      bufferTotalSize: pos,
      messageCount: count,
      suggestPullingFromSlave,
    });
  }

  /**
   * Fills `body` with the records listed as (offset, size) pairs, reading runs of adjacent
   * records at once; a record that cannot be read is left out (and logged). Returns bytes used.
   */
  #readRecords(selected: number[], body: Uint8Array, messages: Uint8Array[]): number {
    const cl = this.#commitLog;
    let pos = 0;
    let i = 0;
    while (i < selected.length) {
      let j = i + 2;
      let runEnd = selected[i] + selected[i + 1];
      while (j < selected.length && selected[j] === runEnd) {
        runEnd += selected[j + 1];
        j += 2;
      }
      const runStart = selected[i];
      const from = cl.readFrom(runStart, runEnd - runStart, body, pos);
      for (let k = i; k < j; k += 2) {
        const size = selected[k + 1];
        const where = from ?? cl.readFrom(selected[k], size, body, pos);
        // Bytes from memory are the ones just encoded; bytes from disk are checked.
        if (where === "memory" || (where === "disk" && isIntactRecord(body, pos, size))) {
          messages.push(body.subarray(pos, pos + size));
          pos += size;
          continue;
        }
        log.error("Cannot serve record at {offset} of {size} bytes: {why}", {
          offset: selected[k],
          size,
          why: where ? "damaged on disk" : "unreadable",
        });
        if (from) body.copyWithin(pos, pos + size, body.length);
      }
      i = j;
    }
    return pos;
  }

  /** The raw record at a commit-log offset (view message by id), or undefined. */
  lookMessageByOffset(commitLogOffset: number): Promise<Uint8Array | undefined> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.#verifiedRecord(commitLogOffset));
  }

  #verifiedRecord(commitLogOffset: number): Uint8Array | undefined {
    const rec = this.#commitLog.readRecord(commitLogOffset);
    if (!rec) return undefined;
    try {
      return verifyRecordCrc(decodeMessageRecord(rec, 0, false)) ? rec : undefined;
    } catch {
      return undefined; // Not a whole record: nothing to show.
    }
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
    if (!this.#index) {
      return Promise.resolve({
        messages: [],
        indexLastUpdateTimestamp: 0,
        indexLastUpdatePhyoffset: 0,
      });
    }
    const r = this.#index.queryOffset(topic, key, maxNum, begin, end);
    const offsets = [...new Set(r.phyOffsets)].sort((a, b) => a - b);
    const messages: Uint8Array[] = [];
    for (const off of offsets) {
      const rec = this.#verifiedRecord(off);
      if (!rec) continue;
      const m = decodeMessageRecord(rec, 0, false);
      if (m.topic !== topic) continue;
      const keys = getProperty(m.properties, MessageConst.KEYS)?.split(" ") ?? [];
      if (getProperty(m.properties, MessageConst.UNIQ_KEY) !== key && !keys.includes(key)) continue;
      messages.push(rec);
    }
    return Promise.resolve({
      messages,
      indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
    });
  }

  /**
   * The queue offset whose message was stored at `timestamp`, or the nearer neighbour (the
   * earlier one on a tie): a binary search over the queue's store times. All older: the last
   * offset; empty queue: 0.
   */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    const cq = this.#queues.get(topic, queueId);
    if (!cq || cq.maxOffset === 0) return Promise.resolve(0);
    let lo = cq.minOffset;
    let hi = cq.maxOffset - 1;
    let target = -1;
    let left = -1;
    let right = -1;
    let leftTime = -1;
    let rightTime = -1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const e = cq.entry(mid);
      const t = e ? this.#commitLog.pickupStoreTimestamp(e.commitLogOffset, e.size) : -1;
      if (t < 0) {
        lo = mid + 1; // Record gone: the answer lies later.
      } else if (t >= timestamp) {
        if (t === timestamp) target = mid;
        hi = mid - 1;
        right = mid;
        rightTime = t;
      } else {
        lo = mid + 1;
        left = mid;
        leftTime = t;
      }
    }
    let result: number;
    if (target >= 0) result = target;
    else if (left < 0 && right < 0) result = cq.minOffset;
    else if (leftTime < 0) result = right;
    else if (rightTime < 0) result = left;
    else result = timestamp - leftTime > rightTime - timestamp ? right : left;
    return Promise.resolve(result);
  }

  /** Next offset to be written in the queue (0 for an unknown queue). */
  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.get(topic, queueId)?.maxOffset ?? 0;
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
    return Promise.resolve(
      e ? this.#commitLog.pickupStoreTimestamp(e.commitLogOffset, e.size) : -1,
    );
  }

  /** Commit-log offset of the message at a queue offset, or 0. */
  getCommitLogOffsetInQueue(topic: string, queueId: number, offset: number): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    return Promise.resolve(this.#queues.get(topic, queueId)?.entry(offset)?.commitLogOffset ?? 0);
  }

  /** Raw consume-queue entries from `offset` (at most `max`, within one queue file). */
  readConsumeQueue(topic: string, queueId: number, offset: number, max: number): QueueEntry[] {
    this.#assertOpen();
    const cq = this.#queues.get(topic, queueId);
    const bytes = cq?.readEntries(offset, max);
    const out: QueueEntry[] = [];
    if (!bytes) return out;
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let p = 0; p < bytes.length; p += CQ_STORE_UNIT_SIZE) {
      out.push({
        offset: offset + p / CQ_STORE_UNIT_SIZE,
        commitLogOffset: v.getInt32(p) * 4294967296 + v.getUint32(p + 4),
        size: v.getInt32(p + 8),
        tagsCode: v.getInt32(p + 12) * 4294967296 + v.getUint32(p + 16),
      });
    }
    return out;
  }

  /**
   * Whether the message at a queue offset is far enough behind the end of the commit log to
   * be read from disk (more than accessMessageInMemoryMaxRatio of memory). False when there is
   * no such message.
   */
  checkInDiskByConsumeOffset(topic: string, queueId: number, offset: number): boolean {
    const e = this.#queues.get(topic, queueId)?.entry(offset);
    return e !== undefined && this.#inDisk(e.commitLogOffset, this.#commitLog.maxOffset);
  }

  /**
   * The negation of checkInDiskByConsumeOffset, as QUERY_CONSUMER_OFFSET uses it: true when
   * the message is still "in memory", and also when there is no such message.
   */
  checkInMemByConsumeOffset(topic: string, queueId: number, offset: number): boolean {
    return !this.checkInDiskByConsumeOffset(topic, queueId, offset);
  }

  /** Deletes the consume queues of these topics (their records stay until retention). */
  deleteTopics(topics: Iterable<string>): Promise<void> {
    for (const t of topics) {
      try {
        this.#queues.deleteTopic(t);
      } catch (e) {
        log.error("Cannot delete consume queues of {topic}: {error}", {
          topic: t,
          error: errorMessage(e),
        });
      }
      this.#topicBytes.delete(t);
    }
    return Promise.resolve();
  }

  /** Topics that have consume queues. */
  topics(): string[] {
    return this.#queues.topics();
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
    return this.#refusal() === undefined;
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
    const s = this.#samples;
    const first = s[0];
    const last = s[s.length - 1];
    const span = first && last && last.at > first.at ? (last.at - first.at) / 1000 : 0;
    return {
      putMessageTimesTotal: this.#putTimes,
      putMessageSizeTotal: this.#putBytes,
      putMessageFailedTimes: this.#putFailed,
      getMessageTimesTotalFound: this.#getFound,
      getMessageTimesTotalMiss: this.#getMiss,
      getMessageTransferedMsgCount: this.#getTransferred,
      commitLogSyncTimes: this.#commitLog.syncCount,
      putTps: span > 0 ? (last.put - first.put) / span : 0,
      getTransferedTps: span > 0 ? (last.get - first.get) / span : 0,
    };
  }

  /** Store time of the first record in the commit log, or -1. */
  getEarliestCommitLogTime(): number {
    const cl = this.#commitLog;
    const min = cl.minOffset;
    return min < cl.maxOffset ? cl.pickupStoreTimestamp(min, 91) : -1;
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

  #housekeep(): void {
    const now = Date.now();
    const s = this.#samples;
    s.push({ at: now, put: this.#putTimes, get: this.#getTransferred });
    if (s.length > STATS_WINDOW_SECONDS + 1) s.shift();
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
