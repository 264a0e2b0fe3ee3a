/**
 * Recovery at start-up: find where valid commit-log data ends, replay what the queues and the
 * index may lack, and cut everything past the end.
 *
 * - Clean shutdown (no `abort` marker): the checkpoint's confirmPhyOffset is the end of all
 *   data; the scan starts there and normally finds nothing more.
 * - After a crash: the scan starts at the newest segment whose first record is older than the
 *   checkpoint (RocketMQ's rule), verifies every record (magic, size, its own offset field, body
 *   CRC) and rewrites its queue entry and index keys. The first record that fails ends the
 *   valid data: the rest of its segment is zeroed and later segments deleted, and queue and
 *   index entries pointing at or past the end are dropped. A put acknowledged under SYNC_FLUSH
 *   was durable
 *   before its acknowledgement, so it always lies before that end.
 */
import { dataView, readInt64 } from "../common/bytes.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import {
  BLANK_MAGIC,
  decodeMessageRecord,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  type MessageRecord,
  MIN_RECORD_SIZE,
  RecordPos,
  STORE_TIMESTAMP_HEAD_BYTES,
  storeTimestampPos,
  verifyRecordCrc,
} from "../common/message/message_codec.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { checkpointMinTimestamp } from "./checkpoint.ts";
import type { CommitLog } from "./commit_log.ts";
import { END_FILE_MIN_BLANK_LENGTH } from "./commit_log.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import { type Dispatcher, tagsCodeOf } from "./dispatch.ts";
import type { IndexService } from "./index_service.ts";
import type { SegmentFile } from "./segment_file.ts";
import type { StoreConfig } from "./store_config.ts";

const log = logger("store");

/** Replayed entries are written out every this many records, bounding memory. */
const PASS_RECORDS = 8192;
const READ_BLOCK = 4 * 1024 * 1024;

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
}

/** Where a scan of the commit log stopped. */
interface ScanEnd {
  end: number;
  clean: boolean;
  reason: string;
  records: number;
  lastTimestamp: number;
}

export function recover(ctx: RecoveryContext): RecoveryResult {
  const { commitLog, checkpoint } = ctx;
  const segs = commitLog.segments;
  let from = 0;
  let scan: ScanEnd;
  if (segs.length === 0) {
    scan = { end: 0, clean: true, reason: "no commit log", records: 0, lastTimestamp: 0 };
  } else {
    const confirmed = checkpoint.confirmPhyOffset;
    const trusted = ctx.lastExitOK && confirmed >= segs[0].start &&
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
    log.warn("Commit log damaged at {end}: {reason}; cutting it there", {
      end,
      reason: scan.reason,
    });
  }
  const lastTimestamp = scan.records > 0 ? scan.lastTimestamp : checkpoint.physicMsgTimestamp;
  commitLog.recovered(end, lastTimestamp, !scan.clean);
  if (scan.records === 0) ctx.dispatcher.lastTimestamp = checkpoint.logicsMsgTimestamp;
  ctx.dispatcher.dispatchedOffset = end;
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
  return { from, end, records: scan.records, stop: scan.reason };
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

/** Reads segments sequentially in large blocks. */
class SegmentReader {
  readonly seg: SegmentFile;
  #buf: Uint8Array;
  #bufStart = 0;
  #bufLen = 0;

  constructor(seg: SegmentFile, buf: Uint8Array) {
    this.seg = seg;
    this.#buf = buf;
  }

  /** `len` bytes at `pos` of the segment, or undefined past its end. */
  bytes(pos: number, len: number): Uint8Array | undefined {
    if (pos + len > this.seg.size) return undefined;
    if (pos < this.#bufStart || pos + len > this.#bufStart + this.#bufLen) {
      if (this.#buf.length < len) this.#buf = new Uint8Array(len);
      this.#bufStart = pos;
      this.#bufLen = this.seg.readSync(
        pos,
        this.#buf.subarray(0, Math.min(this.#buf.length, this.seg.size - pos)),
      );
      if (this.#bufLen < len) return undefined;
    }
    return this.#buf.subarray(pos - this.#bufStart, pos - this.#bufStart + len);
  }
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
  };
  if (i < 0) return out;
  const block = new Uint8Array(READ_BLOCK);
  let pending = 0;
  let reader = new SegmentReader(segs[i], block);
  let pos = from - segs[i].start;
  const stop = (clean: boolean, reason: string) => {
    out.end = reader.seg.start + pos;
    out.clean = clean;
    out.reason = reason;
  };
  while (true) {
    const seg = reader.seg;
    let head: Uint8Array | undefined;
    try {
      head = reader.bytes(pos, 8);
    } catch (e) {
      stop(false, `read failed: ${errorMessage(e)}`);
      break;
    }
    if (!head) {
      stop(false, "truncated segment");
      break;
    }
    const hv = dataView(head);
    const size = hv.getInt32(0);
    const magic = hv.getInt32(4);
    if (size === 0 && magic === 0) {
      stop(true, "end of data");
      break;
    }
    if (magic === BLANK_MAGIC) {
      if (pos + size !== seg.size) {
        stop(false, `blank record of ${size} bytes at ${seg.start + pos} does not end its segment`);
        break;
      }
      const next = segs[i + 1];
      if (!next || next.start !== seg.end) {
        pos = seg.size;
        stop(true, "end of data");
        break;
      }
      i++;
      reader = new SegmentReader(next, block);
      pos = 0;
      continue;
    }
    if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) {
      stop(false, `bad magic 0x${(magic >>> 0).toString(16)} at ${seg.start + pos}`);
      break;
    }
    if (size < MIN_RECORD_SIZE || pos + size + END_FILE_MIN_BLANK_LENGTH > seg.size) {
      stop(false, `bad record size ${size} at ${seg.start + pos}`);
      break;
    }
    let rec: MessageRecord;
    try {
      const bytes = reader.bytes(pos, size);
      if (!bytes) {
        stop(false, `truncated record at ${seg.start + pos}`);
        break;
      }
      rec = decodeMessageRecord(bytes, 0, false);
    } catch (e) {
      stop(false, errorMessage(e));
      break;
    }
    const offset = seg.start + pos;
    if (rec.physicalOffset !== offset) {
      stop(false, `record at ${offset} says it is at ${rec.physicalOffset}`);
      break;
    }
    if (config.checkCRCOnRecover && !verifyRecordCrc(rec)) {
      stop(false, `body CRC mismatch at ${offset}`);
      break;
    }
    dispatcher.apply({
      topic: rec.topic,
      queueId: rec.queueId,
      commitLogOffset: offset,
      msgSize: size,
      tagsCode: tagsCodeOf(rec.topic, rec.properties, rec.storeTimestamp, ctx.delayLevels),
      storeTimestamp: rec.storeTimestamp,
      consumeQueueOffset: rec.queueOffset,
      sysFlag: rec.sysFlag,
      properties: rec.properties,
    }, true);
    out.records++;
    out.lastTimestamp = rec.storeTimestamp;
    pos += size;
    if (++pending >= PASS_RECORDS) {
      dispatcher.finishPass();
      pending = 0;
    }
  }
  dispatcher.finishPass();
  return out;
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
