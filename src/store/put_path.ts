/**
 * The store's write side (CommitLog.putMessage / putMessages): checks the store and the
 * message, parks a DELAY message on the schedule topic, assigns queue offsets and encodes the
 * records straight into the commit log's hot cache, all in one synchronous step, so order is
 * fixed without locks; then waits as long as the flush mode says a put must wait.
 */
import { encodeText, textEncoder } from "../common/bytes.ts";
import {
  MAX_PROPERTIES_BYTES,
  MAX_TOPIC_BYTES,
  recordSize,
} from "../common/message/message_codec.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty } from "../common/message/properties.ts";
import { MessageSysFlag, transactionType } from "../common/message/sys_flag.ts";
import type { CleanService } from "./clean_service.ts";
import { type HAService, SLAVE_ACK_TIMEOUT_MS } from "./ha/ha_service.ts";
import type { AppendItem, CommitLog } from "./commit_log.ts";
import type { ConsumeQueue } from "./consume_queue.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import { parkDelayed } from "./delay_levels.ts";
import { type Dispatcher, isQueueDispatched, tagsCodeOf } from "./dispatch.ts";
import { OffsetMsgIdFormatter } from "./fast_encode.ts";
import { PutStatus } from "./put_status.ts";
import type { StoreConfig } from "./store_config.ts";
import type { StoreCounters } from "./store_stats.ts";
import type { MessageInput, PutResult } from "./store_types.ts";

/** RocketMQ's topic characters; anything else could not name a consume-queue directory. */
const TOPIC_CHARS = /^[%|a-zA-Z0-9_-]+$/;
/** Encoded topic names kept; past this the cache starts over (topics come and go). */
const MAX_CACHED_TOPICS = 10_000;
/** Room for one put's property bytes, reused from put to put. */
const PROPERTIES_SCRATCH_BYTES = 4096;

/** Why a put cannot be taken. */
export interface Refusal {
  status: PutStatus;
  remark: string;
}

export interface PutPathParts {
  config: StoreConfig;
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  dispatcher: Dispatcher;
  clean: CleanService;
  counters: StoreCounters;
  /** ms per delay level (delay_levels.ts). */
  delayLevels: readonly number[];
  /** A master's replication, which SYNC_MASTER puts wait for. */
  ha: HAService | undefined;
  isClosed(): boolean;
}

export class PutPath {
  readonly #p: PutPathParts;
  readonly #topicBytes = new Map<string, Uint8Array>();
  readonly #msgIds = new OffsetMsgIdFormatter();
  /** Property bytes of a single put live here between #prepare and the append. */
  readonly #propertiesScratch = new Uint8Array(PROPERTIES_SCRATCH_BYTES);

  constructor(parts: PutPathParts) {
    this.#p = parts;
  }

  /** Why a put cannot be taken now, if it cannot. */
  refusal(): Refusal | undefined {
    const { config, clean, commitLog } = this.#p;
    if (this.#p.isClosed()) {
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, remark: "message store is closed" };
    }
    if (config.brokerRole === "SLAVE") {
      return {
        status: PutStatus.SERVICE_NOT_AVAILABLE,
        remark: "message store is slave mode, so putMessage is forbidden",
      };
    }
    if (clean.diskFull) {
      return {
        status: PutStatus.SERVICE_NOT_AVAILABLE,
        remark: `disk full: ${clean.diskUsage.toFixed(1)}% used ` +
          `(diskSpaceWarningLevelRatio ${config.diskSpaceWarningLevelRatio}%)`,
      };
    }
    const ioError = commitLog.ioError;
    if (ioError) {
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, remark: `commit log ${ioError}` };
    }
    if (commitLog.pendingWriteBytes > config.maxPendingWriteBytes) {
      return {
        status: PutStatus.OS_PAGECACHE_BUSY,
        remark: `${commitLog.pendingWriteBytes} bytes wait to be written`,
      };
    }
    return undefined;
  }

  /**
   * Stores one message. Resolves once its bytes are handed to the OS, or under SYNC_FLUSH
   * (unless `waitStoreMsgOK` is false) once they are durable. Never rejects: failures are
   * statuses.
   */
  putMessage(msg: MessageInput): Promise<PutResult> {
    const no = this.refusal();
    if (no) return this.#fail(no);
    const item = this.#prepare(parkDelayed(msg, this.#p.delayLevels));
    if (!("size" in item)) return this.#fail(item);
    return this.#append([item], item.size, msg.waitStoreMsgOK !== false);
  }

  /**
   * Stores a batch to one topic-queue as consecutive records with consecutive queue offsets.
   * Batches carry neither transactions nor delays (MESSAGE_ILLEGAL).
   */
  putMessages(batch: MessageInput[]): Promise<PutResult> {
    const no = this.refusal() ?? batchRefusal(batch);
    if (no) return this.#fail(no);
    const items: AppendItem[] = [];
    let total = 0;
    let bodies = 0;
    for (const m of batch) {
      const item = this.#prepare(m, false);
      if (!("size" in item)) return this.#fail(item);
      items.push(item);
      total += item.size;
      bodies += m.body.length;
    }
    const max = this.#p.config.maxMessageSize;
    if (bodies > max) {
      return this.#fail({
        status: PutStatus.MESSAGE_ILLEGAL,
        remark: `batch bodies are ${bodies} bytes (maxMessageSize ${max})`,
      });
    }
    return this.#append(items, total, batch[0].waitStoreMsgOK !== false);
  }

  /** Drops a deleted topic's cached name. */
  forgetTopic(topic: string): void {
    this.#topicBytes.delete(topic);
  }

  /** The topic's bytes, or undefined when it is not a name a queue directory can carry. */
  #topicBytesOf(topic: string): Uint8Array | undefined {
    let b = this.#topicBytes.get(topic);
    if (!b) {
      if (!TOPIC_CHARS.test(topic)) return undefined;
      if (this.#topicBytes.size >= MAX_CACHED_TOPICS) this.#topicBytes.clear();
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
    const max = this.#p.config.maxMessageSize;
    if (msg.body.length > max) {
      return {
        status: PutStatus.MESSAGE_ILLEGAL,
        remark: `body is ${msg.body.length} bytes (maxMessageSize ${max})`,
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

  #fail(r: Refusal): Promise<PutResult> {
    this.#p.counters.putFailed();
    return Promise.resolve({ status: r.status, remark: r.remark });
  }

  /**
   * SYNC_MASTER, a put that waits: a slave's acknowledgement of `end` to wait for, or why none
   * can come (no slave, or too far behind); undefined for other roles.
   */
  #replica(
    end: number,
    wait: boolean,
  ): { acked: Promise<boolean> } | { refused: string } | undefined {
    const ha = this.#p.ha;
    if (!ha || !wait || this.#p.config.brokerRole !== "SYNC_MASTER") return undefined;
    if (ha.connectionCount === 0) return { refused: "no slave is connected" };
    if (!ha.isSlaveOK(end)) {
      return {
        refused: `slaves are ${end - ha.pushedMaxOffset} bytes behind ` +
          `(haSlaveFallbehindMax ${this.#p.config.haSlaveFallbehindMax})`,
      };
    }
    return { acked: ha.waitForSlave(end) };
  }

  async #append(items: AppendItem[], total: number, wait: boolean): Promise<PutResult> {
    const { commitLog: cl, config, counters } = this.#p;
    const began = Date.now();
    const no = cl.prepareAppend(total);
    if (no) return this.#fail(no);
    const first = items[0].msg;
    let cq: ConsumeQueue | undefined;
    if (isQueueDispatched(first.sysFlag)) {
      cq = this.#p.queues.getOrCreate(first.topic, first.queueId);
      let q = cq.assignOffsets(items.length);
      for (const item of items) item.queueOffset = q++;
    }
    const storeTimestamp = first.storeTimestamp ?? began;
    const wroteOffset = cl.append(items, total, storeTimestamp);
    let msgId = "";
    for (const item of items) {
      const m = item.msg;
      this.#p.dispatcher.enqueue({
        topic: m.topic,
        queueId: m.queueId,
        commitLogOffset: item.physicalOffset,
        msgSize: item.size,
        tagsCode: tagsCodeOf(m.topic, m.properties, storeTimestamp, this.#p.delayLevels),
        storeTimestamp,
        consumeQueueOffset: item.queueOffset,
        sysFlag: m.sysFlag,
        properties: m.properties,
        cq,
      });
      const id = this.#msgIds.format(m.storeHost, item.physicalOffset);
      msgId = msgId ? `${msgId},${id}` : id;
    }
    counters.put(items.length, total);
    const last = items[items.length - 1];
    const end = last.physicalOffset + last.size;
    // Registered now, in append order, so acknowledgements resolve waiters in order.
    const replica = this.#replica(end, wait);
    let status = config.flushDiskType === "SYNC_FLUSH" && wait
      ? await cl.waitFlushed(end)
      : cl.pendingWriteBytes <= config.asyncAckPendingBytes
      ? PutStatus.PUT_OK
      : await cl.waitWritten(end);
    let replicaRemark: string | undefined;
    if (replica && status === PutStatus.PUT_OK) {
      if ("refused" in replica) {
        status = PutStatus.SLAVE_NOT_AVAILABLE;
        replicaRemark = replica.refused;
      } else if (!await replica.acked) {
        status = PutStatus.FLUSH_SLAVE_TIMEOUT;
        replicaRemark = `no slave acknowledged within ${SLAVE_ACK_TIMEOUT_MS} ms`;
      }
    }
    if (status !== PutStatus.PUT_OK) counters.putFailed();
    counters.putLatency(Date.now() - began);
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
    if (replicaRemark) {
      result.remark = replicaRemark;
    } else if (status !== PutStatus.PUT_OK) {
      result.remark = status !== PutStatus.FLUSH_DISK_TIMEOUT
        ? `commit log ${cl.ioError ?? "write failed"}`
        : cl.ioError
        ? `stored, not yet durable: commit log ${cl.ioError} (retried until it works)`
        : `not durable within syncFlushTimeout ${config.syncFlushTimeout} ms`;
    }
    return result;
  }
}

/** Why a batch cannot be stored as one run of one queue, if it cannot. */
function batchRefusal(batch: MessageInput[]): Refusal | undefined {
  if (batch.length === 0) return { status: PutStatus.MESSAGE_ILLEGAL, remark: "empty batch" };
  const { topic, queueId } = batch[0];
  for (const m of batch) {
    if (m.topic !== topic || m.queueId !== queueId) {
      return { status: PutStatus.MESSAGE_ILLEGAL, remark: "batch mixes topics or queues" };
    }
    if (transactionType(m.sysFlag) !== MessageSysFlag.TRANSACTION_NOT_TYPE) {
      return {
        status: PutStatus.MESSAGE_ILLEGAL,
        remark: "batch messages cannot be transactional",
      };
    }
    const delay = getProperty(m.properties, MessageConst.DELAY);
    if (delay && Number(delay) > 0) {
      return { status: PutStatus.MESSAGE_ILLEGAL, remark: "batch messages cannot be delayed" };
    }
  }
  return undefined;
}
