/**
 * Recovery at start-up: find where valid commit-log data ends, replay what the queues and the
 * index may lack, skip damage without losing what lies after it, and cut a torn tail.
 *
 * - The scan starts at the checkpoint's confirmPhyOffset: every record before it is durable
 *   with its queue and index entries (after a clean shutdown it is the end of all data, and
 *   the scan normally finds nothing more). When the checkpoint names no usable offset (a Java
 *   broker's, or a damaged one) it starts at the newest segment whose first record is older
 *   than the checkpoint's times (RocketMQ's rule).
 * - The scan checks every record (magic, size, its own offset field, body CRC) and rewrites
 *   its queue entry and index keys.
 * - Damage (a record that does not check, or a hole of zeros with records after it) loses only
 *   the damaged bytes: the scan finds the next offset where a record checks
 *   (commit_log_scan.ts), copies the bytes in between aside (quarantine.ts), logs them at
 *   ERROR and goes on. Queue entries that pointed into them become gap fillers, so their
 *   queue offsets are never given out again.
 * - When no record follows the damage it is a torn tail (a write the crash cut short): the
 *   rest of its segment is zeroed, later segments deleted, and queue and index entries at or
 *   past the end dropped. A put acknowledged under SYNC_FLUSH was durable before its
 *   acknowledgement, so it always lies before that end.
 */
import { dataView, readInt64 } from "../common/bytes.ts";
import { logger } from "../common/log.ts";
import {
  BLANK_MAGIC,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  RecordPos,
  STORE_TIMESTAMP_HEAD_BYTES,
  storeTimestampPos,
} from "../common/message/message_codec.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { checkpointMinTimestamp } from "./checkpoint.ts";
import type { CommitLog } from "./commit_log.ts";
import { checkRecordAt, findNextRecord, SegmentReader } from "./commit_log_scan.ts";
import { FILLER_SIZE } from "./consume_queue.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import { type Dispatcher, tagsCodeOf } from "./dispatch.ts";
import type { IndexService } from "./index_service.ts";
import { type DamagedRange, quarantine } from "./quarantine.ts";
import type { StoreConfig } from "./store_config.ts";

const log = logger("store");

/** Replayed entries are written out every this many records, bounding memory. */
const PASS_RECORDS = 8192;

export interface RecoveryContext {
  config: StoreConfig;
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService | undefined;
  dispatcher: Dispatcher;
  checkpoint: Checkpoint;
  delayLevels: readonly number[];
  lastExitOK: boolean;
}

export interface RecoveryResult {
  /** Commit-log offset the scan started at. */
  from: number;
  /** End of valid data. */
  end: number;
  /** Records replayed. */
  records: number;
  /** Why the scan stopped: clean end of data, or the damage it cut off. */
  stop: string;
  /** Damaged ranges skipped (and copied to quarantine/), oldest first. */
  damaged: DamagedRange[];
}

/** Where a scan of the commit log stopped. */
interface ScanEnd {
  end: number;
  clean: boolean;
  reason: string;
  records: number;
  lastTimestamp: number;
  damaged: DamagedRange[];
}

export function recover(ctx: RecoveryContext): RecoveryResult {
  const { commitLog, checkpoint } = ctx;
  const segs = commitLog.segments;
  let from = 0;
  let scan: ScanEnd;
  if (segs.length === 0) {
    scan = {
      end: 0,
      clean: true,
      reason: "no commit log",
      records: 0,
      lastTimestamp: 0,
      damaged: [],
    };
  } else {
    const confirmed = checkpoint.confirmPhyOffset;
    const trusted = confirmed > 0 && confirmed >= segs[0].start &&
      confirmed <= segs[segs.length - 1].end;
    from = trusted ? confirmed : crashStart(ctx);
    scan = scanAndReplay(ctx, from);
    if (trusted && !scan.clean && scan.records === 0) {
      log.warn(
        "Checkpoint offset {offset} is not a record boundary ({reason}): scanning by time",
        {
          offset: from,
          reason: scan.reason,
        },
      );
      from = crashStart(ctx);
      scan = scanAndReplay(ctx, from);
    }
  }
  const { end } = scan;
  if (!scan.clean) {
    log.warn("Commit log ends in a torn record at {end}: {reason}; cutting it there", {
      end,
      reason: scan.reason,
    });
  }
  const lastTimestamp = scan.records > 0 ? scan.lastTimestamp : checkpoint.physicMsgTimestamp;
  commitLog.recovered(end, lastTimestamp, !scan.clean);
  if (scan.records === 0) ctx.dispatcher.lastTimestamp = checkpoint.logicsMsgTimestamp;
  ctx.dispatcher.dispatchedOffset = end;
  if (scan.damaged.length > 0) fillDamagedEntries(ctx.queues, scan.damaged);
  fixQueues(ctx.queues, end, commitLog.minOffset);
  ctx.index?.truncate(end);
  if (!ctx.lastExitOK) {
    for (const s of commitLog.segments) {
      if (s.end > from && s.start < end) s.syncSync();
    }
  }
  log.info("Recovered commit log from {from} to {end}: {records} records replayed ({stop})", {
    from,
    end,
    records: scan.records,
    stop: scan.reason,
  });
  return { from, end, records: scan.records, stop: scan.reason, damaged: scan.damaged };
}

/**
 * After a crash: the start of the newest segment whose first record was stored no later than
 * the checkpoint says everything was durable; the first segment when none was.
 */
function crashStart(ctx: RecoveryContext): number {
  const segs = ctx.commitLog.segments;
  const min = checkpointMinTimestamp(ctx.checkpoint, ctx.config.messageIndexEnable);
  const head = new Uint8Array(STORE_TIMESTAMP_HEAD_BYTES);
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i];
    try {
      if (s.readSync(0, head) < head.length) continue;
    } catch {
      continue;
    }
    const v = dataView(head);
    const magic = v.getInt32(RecordPos.MAGIC);
    if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) continue;
    const ts = readInt64(v, storeTimestampPos(v.getInt32(RecordPos.SYS_FLAG)));
    if (ts !== 0 && ts <= min) return s.start;
  }
  return segs[0].start;
}

function scanAndReplay(ctx: RecoveryContext, from: number): ScanEnd {
  const { commitLog, dispatcher, config } = ctx;
  const segs = commitLog.segments;
  let i = segs.findIndex((s) => from >= s.start && from < s.end);
  const out: ScanEnd = {
    end: from,
    clean: true,
    reason: "end of data",
    records: 0,
    lastTimestamp: 0,
    damaged: [],
  };
  if (i < 0) return out;
  const crc = config.checkCRCOnRecover;
  let pending = 0;
  let reader = new SegmentReader(segs[i]);
  let pos = from - segs[i].start;
  const stop = (clean: boolean, reason: string) => {
    out.end = reader.seg.start + pos;
    out.clean = clean;
    out.reason = reason;
  };
  /** Moves the scan to a commit-log offset (in this segment or a later one). */
  const resume = (offset: number) => {
    while (offset >= reader.seg.end) reader = new SegmentReader(segs[++i]);
    pos = offset - reader.seg.start;
  };
  /** Where records resume after damage at the current position, if they do. */
  const nextRecord = (after: number) =>
    findNextRecord(segs, i, reader.seg.start + pos + after, config.maxMessageSize, crc);
  while (true) {
    const seg = reader.seg;
    const head = readHead(reader, pos);
    if (head && head.size === 0 && head.magic === 0) {
      // Zeros: the end of data, unless a crash left a hole with records after it. After a
      // clean shutdown the checkpoint's end is the end.
      const next = ctx.lastExitOK ? undefined : nextRecord(0);
      if (next === undefined) {
        stop(true, "end of data");
        break;
      }
      skip(ctx, out, { from: seg.start + pos, to: next }, "zeros with records after them");
      resume(next);
      continue;
    }
    if (head && head.magic === BLANK_MAGIC && pos + head.size === seg.size) {
      const next = segs[i + 1];
      if (!next || next.start !== seg.end) {
        pos = seg.size;
        stop(true, "end of data");
        break;
      }
      reader = new SegmentReader(segs[++i]);
      pos = 0;
      continue;
    }
    const checked = checkRecordAt(reader, pos, crc);
    if ("damage" in checked) {
      const next = nextRecord(1);
      if (next === undefined) {
        stop(false, checked.damage);
        break;
      }
      skip(ctx, out, { from: seg.start + pos, to: next }, checked.damage);
      resume(next);
      continue;
    }
    const rec = checked.record;
    const offset = seg.start + pos;
    dispatcher.apply({
      topic: rec.topic,
      queueId: rec.queueId,
      commitLogOffset: offset,
      msgSize: rec.storeSize,
      tagsCode: tagsCodeOf(rec.topic, rec.properties, rec.storeTimestamp, ctx.delayLevels),
      storeTimestamp: rec.storeTimestamp,
      consumeQueueOffset: rec.queueOffset,
      sysFlag: rec.sysFlag,
      properties: rec.properties,
    }, true);
    out.records++;
    out.lastTimestamp = rec.storeTimestamp;
    pos += rec.storeSize;
    if (++pending >= PASS_RECORDS) {
      dispatcher.finishPass();
      pending = 0;
    }
  }
  dispatcher.finishPass();
  return out;
}

/** The size and magic at `pos`, or undefined when they cannot be read. */
function readHead(
  reader: SegmentReader,
  pos: number,
): { size: number; magic: number } | undefined {
  let head: Uint8Array | undefined;
  try {
    head = reader.bytes(pos, RecordPos.MAGIC + 4);
  } catch {
    return undefined; // checkRecordAt reads again and reports why.
  }
  if (!head) return undefined;
  const v = dataView(head);
  return { size: v.getInt32(RecordPos.TOTAL_SIZE), magic: v.getInt32(RecordPos.MAGIC) };
}

/** Records a damaged range: copied aside, logged at ERROR, remembered for the queues. */
function skip(ctx: RecoveryContext, out: ScanEnd, range: DamagedRange, why: string): void {
  out.damaged.push(range);
  const file = quarantine(ctx.config.storePathRootDir, ctx.commitLog.segments, range);
  log.error(
    "Commit log damaged ({why}): skipped {bytes} bytes from {from} to {to}, where records " +
      "resume; the bytes are in {file}",
    {
      why,
      bytes: range.to - range.from,
      from: range.from,
      to: range.to,
      file: file ?? "(not copied)",
    },
  );
}

/**
 * Queue entries that point into damaged ranges become gap fillers: the records are gone, and
 * their queue offsets must never be given out again.
 */
function fillDamagedEntries(queues: ConsumeQueueTable, damaged: readonly DamagedRange[]): void {
  const inDamage = (phy: number) => damaged.some((r) => phy >= r.from && phy < r.to);
  let filled = 0;
  for (const cq of queues.all()) {
    cq.writePending();
    // Every entry is looked at: fillers break the order a binary search would need, and this
    // runs only when damage was found.
    let q = cq.minOffset;
    while (q < cq.maxOffset) {
      const c = cq.cursor(q, cq.maxOffset - q);
      if (!c) {
        q = cq.rollNextFile(q); // A missing queue file: nothing in it to fix.
        continue;
      }
      while (c.next()) {
        if (c.size !== FILLER_SIZE && inDamage(c.commitLogOffset)) {
          cq.put(c.offset, 0, FILLER_SIZE, 0, true);
          filled++;
        }
      }
      q = c.offset + 1;
    }
    cq.writePending();
  }
  if (filled > 0) {
    log.error("{filled} queue entries pointed into damaged commit-log ranges; now gap fillers", {
      filled,
    });
  }
}

/**
 * Cuts every queue back to its last entry whose record lies before `end` (entries past it, or
 * holes a crash left, go), sets the next offsets and moves min offsets past deleted data.
 */
function fixQueues(queues: ConsumeQueueTable, end: number, minPhyOffset: number): void {
  for (const cq of queues.all()) {
    const max = cq.maxOffset;
    if (max > cq.minOffset) {
      const last = cq.entry(max - 1);
      if (!last || last.size === 0 || last.commitLogOffset >= end) {
        const first = cq.searchFirst((e) => e.size === 0 || e.commitLogOffset >= end);
        log.warn(
          "Consume queue {topic}/{queueId}: dropping entries {from} to {to} past the commit log",
          {
            topic: cq.topic,
            queueId: cq.queueId,
            from: first,
            to: max,
          },
        );
        cq.truncate(first);
      }
    }
    cq.syncNextOffset();
    cq.correctMinOffset(minPhyOffset);
  }
}
