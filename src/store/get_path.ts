/**
 * The store's read side (DefaultMessageStore.getMessage and its look-ups): reads by queue with
 * RocketMQ 4.9's limits, and look-ups by commit-log offset, key and store time.
 *
 * Everything here is synchronous: `seekSync` + `readSync` back to back, so a read never
 * interleaves with another read or with the writer. Records still in the hot cache are copied
 * from memory; records read from disk are CRC-checked before they are served.
 */
import { logger } from "../common/log.ts";
import {
  decodeMessageRecord,
  isIntactRecord,
  MIN_RECORD_SIZE,
  verifyRecordCrc,
} from "../common/message/message_codec.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty } from "../common/message/properties.ts";
import type { CommitLog } from "./commit_log.ts";
import { type ConsumeQueue, CQ_STORE_UNIT_SIZE, FILLER_SIZE } from "./consume_queue.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import { GetStatus } from "./get_status.ts";
import type { IndexService } from "./index_service.ts";
import type { StoreConfig } from "./store_config.ts";
import type { StoreCounters } from "./store_stats.ts";
import type { GetResult, MessageFilter, QueryResult, QueueEntry } from "./store_types.ts";

const log = logger("store");

/** RocketMQ's MAX_PULL_MSG_SIZE: the byte cap of one read when the caller names none. */
export const MAX_PULL_MSG_SIZE = 128 * 1024 * 1024;
/** Consume-queue bytes one read may scan past filtered-out entries: max(16000, maxMsgNums × 20). */
const MAX_FILTER_SCAN_BYTES = 16000;

export interface GetPathParts {
  config: StoreConfig;
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService | undefined;
  counters: StoreCounters;
  /** Bytes from the end of the commit log that count as "in memory". */
  inMemoryBytes: number;
}

/** What one scan of a queue selected. */
interface QueueScan {
  status: GetStatus;
  nextBeginOffset: number;
  suggestPullingFromSlave: boolean;
  /** Commit-log offset and size pairs of the selected records. */
  selected: number[];
  /** The selected records themselves, when a commit-log filter already read them. */
  read: Uint8Array[];
  total: number;
  count: number;
}

function emptyScan(status: GetStatus, nextBeginOffset: number): QueueScan {
  return {
    status,
    nextBeginOffset,
    suggestPullingFromSlave: false,
    selected: [],
    read: [],
    total: 0,
    count: 0,
  };
}

export class GetPath {
  readonly #p: GetPathParts;

  constructor(parts: GetPathParts) {
    this.#p = parts;
  }

  /** Whether data this far behind the end of the commit log counts as on disk. */
  inDisk(phyOffset: number, maxPhyOffset: number): boolean {
    return maxPhyOffset - phyOffset > this.#p.inMemoryBytes;
  }

  /**
   * Up to `maxMsgNums` records of one queue from `offset` (RocketMQ's getMessage): status,
   * where to read next, queue bounds, and the raw records.
   */
  getMessage(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxBytes: number,
    filter?: MessageFilter,
  ): GetResult {
    const cq = this.#p.queues.get(topic, queueId);
    let scan: QueueScan;
    if (!cq) scan = emptyScan(GetStatus.NO_MATCHED_LOGIC_QUEUE, 0);
    else if (cq.maxOffset === 0) scan = emptyScan(GetStatus.NO_MESSAGE_IN_QUEUE, 0);
    else if (offset < cq.minOffset) scan = emptyScan(GetStatus.OFFSET_TOO_SMALL, cq.minOffset);
    else if (offset === cq.maxOffset) scan = emptyScan(GetStatus.OFFSET_OVERFLOW_ONE, offset);
    else if (offset > cq.maxOffset) scan = emptyScan(GetStatus.OFFSET_OVERFLOW_BADLY, cq.maxOffset);
    else scan = this.#scan(cq, offset, maxMsgNums, maxBytes, filter);
    return this.#result(scan, cq?.minOffset ?? 0, cq?.maxOffset ?? 0);
  }

  /** Walks the queue from `offset`, selecting what the filter and the batch limits let through. */
  #scan(
    cq: ConsumeQueue,
    offset: number,
    maxMsgNums: number,
    maxBytes: number,
    filter: MessageFilter | undefined,
  ): QueueScan {
    const cl = this.#p.commitLog;
    const maxOffsetPy = cl.maxOffset;
    const scanLimit = Math.max(MAX_FILTER_SCAN_BYTES, maxMsgNums * CQ_STORE_UNIT_SIZE) /
      CQ_STORE_UNIT_SIZE;
    const c = cq.cursor(offset, scanLimit);
    if (!c) {
      log.warn("Consume queue {topic}/{queueId} has no file for offset {offset}", {
        topic: cq.topic,
        queueId: cq.queueId,
        offset,
      });
      return emptyScan(GetStatus.OFFSET_FOUND_NULL, cq.rollNextFile(offset));
    }
    const s = emptyScan(GetStatus.NO_MATCHED_MESSAGE, offset);
    const commitLogFilter = filter?.isMatchedByCommitLog;
    const minPhy = cl.minOffset;
    let scanned = 0;
    let nextPhyFileStart = -1;
    let maxPhyPulling = 0;
    while (c.next()) {
      const phy = c.commitLogOffset;
      const size = c.size;
      maxPhyPulling = phy;
      // A gap filler stands for a message that never was (or was damaged): step over it.
      if (phy < nextPhyFileStart || size === FILLER_SIZE) {
        scanned++;
        continue;
      }
      const inDisk = this.inDisk(phy, maxOffsetPy);
      if (this.#batchFull(size, maxMsgNums, maxBytes, s.total, s.count, inDisk)) break;
      scanned++;
      if (filter && !filter.isMatchedByConsumeQueue(c.tagsCode)) {
        if (s.total === 0) s.status = GetStatus.NO_MATCHED_MESSAGE;
        continue;
      }
      let record: Uint8Array | undefined;
      const gone = phy < minPhy || size <= 0 || phy + size > maxOffsetPy;
      if (!gone && commitLogFilter) {
        record = new Uint8Array(size);
        if (!cl.read(phy, size, record)) record = undefined;
      }
      if (gone || (commitLogFilter && !record)) {
        if (s.total === 0) s.status = GetStatus.MESSAGE_WAS_REMOVING;
        nextPhyFileStart = cl.rollNextFile(phy);
        continue;
      }
      if (record && !filter!.isMatchedByCommitLog!(record)) {
        if (s.total === 0) s.status = GetStatus.NO_MATCHED_MESSAGE;
        continue;
      }
      if (record) s.read.push(record);
      s.selected.push(phy, size);
      s.total += size;
      s.count++;
      s.status = GetStatus.FOUND;
      nextPhyFileStart = -1;
    }
    s.nextBeginOffset = offset + scanned;
    s.suggestPullingFromSlave = this.inDisk(maxPhyPulling, maxOffsetPy);
    return s;
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
    const c = this.#p.config;
    if (inDisk) {
      return total + size > c.maxTransferBytesOnMessageInDisk ||
        count > c.maxTransferCountOnMessageInDisk - 1;
    }
    return total + size > c.maxTransferBytesOnMessageInMemory ||
      count > c.maxTransferCountOnMessageInMemory - 1;
  }

  /** The selected records back to back in one body, each message a view into it. */
  #result(s: QueueScan, minOffset: number, maxOffset: number): GetResult {
    const body = new Uint8Array(s.total);
    const messages: Uint8Array[] = [];
    let pos = 0;
    if (s.read.length > 0) {
      for (const r of s.read) {
        body.set(r, pos);
        messages.push(body.subarray(pos, pos + r.length));
        pos += r.length;
      }
    } else {
      pos = this.#readRecords(s.selected, body, messages);
    }
    let { status, count } = s;
    if (messages.length < count) {
      count = messages.length;
      if (count === 0 && status === GetStatus.FOUND) status = GetStatus.MESSAGE_WAS_REMOVING;
    }
    this.#p.counters.gotMessages(status === GetStatus.FOUND, count);
    return {
      status,
      nextBeginOffset: s.nextBeginOffset,
      minOffset,
      maxOffset,
      messages,
      body: pos === s.total ? body : body.subarray(0, pos),
      bufferTotalSize: pos,
      messageCount: count,
      suggestPullingFromSlave: s.suggestPullingFromSlave,
    };
  }

  /**
   * Fills `body` with the records listed as (offset, size) pairs, reading runs of adjacent
   * records at once; a record that cannot be read is left out (and logged). Returns bytes used.
   */
  #readRecords(selected: number[], body: Uint8Array, messages: Uint8Array[]): number {
    const cl = this.#p.commitLog;
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

  /** The whole record at a commit-log offset when it is one and its body matches its CRC. */
  verifiedRecord(commitLogOffset: number): Uint8Array | undefined {
    const rec = this.#p.commitLog.readRecord(commitLogOffset);
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
  ): QueryResult {
    const index = this.#p.index;
    if (!index) return { messages: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 };
    const r = index.queryOffset(topic, key, maxNum, begin, end);
    const offsets = [...new Set(r.phyOffsets)].sort((a, b) => a - b);
    const messages: Uint8Array[] = [];
    for (const off of offsets) {
      const rec = this.verifiedRecord(off);
      if (!rec) continue;
      const m = decodeMessageRecord(rec, 0, false);
      if (m.topic !== topic) continue;
      const keys = getProperty(m.properties, MessageConst.KEYS)?.split(" ") ?? [];
      if (getProperty(m.properties, MessageConst.UNIQ_KEY) !== key && !keys.includes(key)) continue;
      messages.push(rec);
    }
    return {
      messages,
      indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
    };
  }

  /**
   * The queue offset whose message was stored at `timestamp`, or the nearer neighbour (the
   * earlier one on a tie): a binary search over the queue's store times. All older: the last
   * offset; empty queue: 0.
   */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number {
    const cq = this.#p.queues.get(topic, queueId);
    if (!cq || cq.maxOffset === 0) return 0;
    let lo = cq.minOffset;
    let hi = cq.maxOffset - 1;
    let target = -1;
    let left = -1;
    let right = -1;
    let leftTime = -1;
    let rightTime = -1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = this.storeTimestampAt(cq.entry(mid));
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
    if (target >= 0) return target;
    if (left < 0 && right < 0) return cq.minOffset;
    if (leftTime < 0) return right;
    if (rightTime < 0) return left;
    return timestamp - leftTime > rightTime - timestamp ? right : left;
  }

  /** Store time of the record a queue entry points at, or -1. */
  storeTimestampAt(e: QueueEntry | undefined): number {
    return e ? this.#p.commitLog.pickupStoreTimestamp(e.commitLogOffset, e.size) : -1;
  }

  /** Store time of the first record in the commit log, or -1. */
  earliestCommitLogTime(): number {
    const cl = this.#p.commitLog;
    const min = cl.minOffset;
    return min < cl.maxOffset ? cl.pickupStoreTimestamp(min, MIN_RECORD_SIZE) : -1;
  }

  /** Raw consume-queue entries from `offset` (at most `max`, within one queue file). */
  readConsumeQueue(topic: string, queueId: number, offset: number, max: number): QueueEntry[] {
    const out: QueueEntry[] = [];
    const c = this.#p.queues.get(topic, queueId)?.cursor(offset, max);
    while (c?.next()) out.push(c.entry());
    return out;
  }
}
