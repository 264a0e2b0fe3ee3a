/**
 * The commit log: every message of every topic, back to back, in fixed-size segments named by
 * their 20-digit start offset. Records use the V1 stored layout (message_codec.ts). A record
 * never spans two segments: when one does not fit with 8 bytes to spare, the rest of the
 * segment becomes a blank record (end-of-file marker) and the record starts the next segment.
 *
 * Blank record at the end of a segment (only its first 8 bytes are written):
 *   0  4  TOTALSIZE   bytes left in the segment from here
 *   4  4  MAGICCODE   0xCBD43194
 *
 * One writer: puts encode their records into the hot cache synchronously (offsets assigned in
 * the same step, so order is fixed), and a single loop hands everything appended since its
 * last pass to the OS in one write per cache chunk. A second loop makes written bytes durable:
 * under SYNC_FLUSH it runs as soon as a put waits for it, so every put that arrived while the
 * previous sync was running shares the next one (group commit).
 *
 * One concept in one class (RocketMQ's CommitLog with its flush services): the segments, the
 * write and flush loops, reads, and deletion of old segments all turn on the same positions.
 */
import {
  BLANK_MAGIC,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  MIN_RECORD_SIZE,
  RecordPos,
  STORE_TIMESTAMP_HEAD_BYTES,
  storeTimestampPos,
  writeMessageRecord,
} from "../common/message/message_codec.ts";
import { dataView, readInt64 } from "../common/bytes.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import type { FileHandles } from "./file_handles.ts";
import { HotCache } from "./hot_cache.ts";
import { fileNameToOffset, offsetToFileName, SegmentFile } from "./segment_file.ts";
import type { StoreConfig } from "./store_config.ts";
import type { MessageInput } from "./store_types.ts";
import { PutStatus } from "./put_status.ts";
import { OffsetWaiters, Signal } from "./waiters.ts";

const log = logger("store");

/** Room a segment must keep after a record for the blank record's size and magic. */
export const END_FILE_MIN_BLANK_LENGTH = 8;
const PAGE_SIZE = 4096;
const RETRY_AFTER_ERROR_MS = 1000;
/**
 * Passes up to this size are written synchronously: a few tens of microseconds of copying,
 * less than the round trip through Deno's blocking thread pool. Larger ones go async, so
 * puts keep being encoded while the OS copies.
 */
const SYNC_WRITE_MAX = 256 * 1024;

/** A message ready to append: encoded topic and properties, size and queue offset decided. */
export interface AppendItem {
  msg: MessageInput;
  topicBytes: Uint8Array;
  propertiesBytes: Uint8Array;
  size: number;
  queueOffset: number;
  /** Set by append(). */
  physicalOffset: number;
}

export interface CommitLogEvents {
  /** Everything below `end` has been handed to the OS (called in order, once per pass). */
  onWritten(end: number): void;
  /** A segment starting at `start` was created after the previous one filled up. */
  onNewSegment?(start: number): void;
}

export class CommitLog {
  readonly dir: string;
  readonly segmentSize: number;
  readonly #config: StoreConfig;
  readonly #events: CommitLogEvents;
  readonly #handles: FileHandles;
  readonly #cache: HotCache;
  #segments: SegmentFile[] = [];

  #appendPos = 0;
  #writtenPos = 0;
  #flushedPos = 0;
  #appendTimestamp = 0;
  #writtenTimestamp = 0;
  #flushedTimestamp = 0;
  #lastAppendAt = 0;

  readonly #writeWaiters = new OffsetWaiters<PutStatus>(PutStatus.FLUSH_DISK_TIMEOUT);
  readonly #flushWaiters = new OffsetWaiters<PutStatus>(PutStatus.FLUSH_DISK_TIMEOUT);
  readonly #writeSignal = new Signal();
  readonly #flushSignal = new Signal();
  #writer: Promise<void> | undefined;
  #flusher: Promise<void> | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #lastThoroughFlush = Date.now();
  #forceFlush = false;
  #syncs = 0;
  #closing = false;
  #ioError: string | undefined;
  /** What failed last (and is retried): puts are refused until it works again. */
  #failing: "write" | "sync" | undefined;

  constructor(dir: string, config: StoreConfig, events: CommitLogEvents, handles: FileHandles) {
    this.dir = dir;
    this.segmentSize = config.mappedFileSizeCommitLog;
    this.#config = config;
    this.#events = events;
    this.#handles = handles;
    this.#cache = new HotCache(config.commitLogCacheSize, config.commitLogCacheChunkSize);
  }

  /** Lists the segments on disk. Throws when a name is not a multiple of the segment size. */
  load(): void {
    Deno.mkdirSync(this.dir, { recursive: true });
    const found: SegmentFile[] = [];
    for (const e of Deno.readDirSync(this.dir)) {
      const start = e.isFile ? fileNameToOffset(e.name) : undefined;
      if (start === undefined) continue;
      if (start % this.segmentSize !== 0) {
        throw new RangeError(
          `Cannot load commit log: segment ${e.name} does not start at a multiple of ` +
            `mappedFileSizeCommitLog ${this.segmentSize}`,
        );
      }
      found.push(SegmentFile.open(`${this.dir}/${e.name}`, start, this.segmentSize, this.#handles));
    }
    found.sort((a, b) => a.start - b.start);
    this.#segments = found;
  }

  get segments(): readonly SegmentFile[] {
    return this.#segments;
  }

  /** First offset still on disk. */
  get minOffset(): number {
    return this.#segments.length > 0 ? this.#segments[0].start : this.#appendPos;
  }

  /** Next offset to be assigned. */
  get maxOffset(): number {
    return this.#appendPos;
  }

  /** Everything below this has been handed to the OS. */
  get writtenOffset(): number {
    return this.#writtenPos;
  }

  /** Everything below this is durable. */
  get flushedOffset(): number {
    return this.#flushedPos;
  }

  /** Store time of the last durable record (the checkpoint's physicMsgTimestamp). */
  get flushedTimestamp(): number {
    return this.#flushedTimestamp;
  }

  /** Commit-log syncs done (under SYNC_FLUSH: puts / syncs = the group-commit batch). */
  get syncCount(): number {
    return this.#syncs;
  }

  get pendingWriteBytes(): number {
    return this.#appendPos - this.#writtenPos;
  }

  get lastAppendAt(): number {
    return this.#lastAppendAt;
  }

  get cacheBytes(): number {
    return this.#cache.bytes;
  }

  /** Why writes are failing, while they are. */
  get ioError(): string | undefined {
    return this.#ioError;
  }

  /**
   * Sets the positions recovery found: valid data ends at `end`, the last record stored at
   * `timestamp`. Everything after `end` is dropped: the tail of its segment is zeroed when
   * `zeroTail` and later segments are deleted.
   */
  recovered(end: number, timestamp: number, zeroTail: boolean): void {
    const keep: SegmentFile[] = [];
    for (const s of this.#segments) {
      if (s.start > end) {
        log.warn("Deleting commit-log segment {path} past the end of valid data", {
          path: s.path,
        });
        s.remove();
      } else {
        if (zeroTail && end >= s.start && end < s.end) s.truncateTail(end - s.start);
        keep.push(s);
      }
    }
    this.#segments = keep;
    this.#appendPos = this.#writtenPos = this.#flushedPos = end;
    this.#appendTimestamp = this.#writtenTimestamp = this.#flushedTimestamp = timestamp;
    this.#cache.truncate(0);
  }

  /** Starts the writer and flusher loops. */
  start(): void {
    this.#writer = this.#writeLoop();
    this.#flusher = this.#flushLoop();
    this.#flushTimer = setInterval(
      () => this.#flushSignal.notify(),
      this.#config.flushIntervalCommitLog,
    );
  }

  /**
   * Checks that `total` bytes can be appended now and makes sure the segment they go to exists.
   * Returns a refusal, or undefined when append() may go ahead.
   */
  prepareAppend(total: number): { status: PutStatus; remark: string } | undefined {
    if (total + END_FILE_MIN_BLANK_LENGTH > this.segmentSize) {
      return {
        status: PutStatus.MESSAGE_ILLEGAL,
        remark:
          `message of ${total} bytes does not fit in a commit-log segment of ${this.segmentSize}`,
      };
    }
    let pos = this.#appendPos;
    const segStart = pos - (pos % this.segmentSize);
    if (total + END_FILE_MIN_BLANK_LENGTH > segStart + this.segmentSize - pos) {
      pos = segStart + this.segmentSize;
    }
    return this.#ensureSegment(pos - (pos % this.segmentSize));
  }

  /** Creates the segment starting at `start` unless the last one is it; a refusal on failure. */
  #ensureSegment(start: number): { status: PutStatus; remark: string } | undefined {
    const last = this.#segments[this.#segments.length - 1];
    if (!last || last.start < start) {
      try {
        this.#segments.push(
          SegmentFile.create(
            `${this.dir}/${offsetToFileName(start)}`,
            start,
            this.segmentSize,
            this.#handles,
          ),
        );
        if (last) this.#events.onNewSegment?.(start);
      } catch (e) {
        log.error("Cannot create commit-log segment at {start}: {error}", {
          start,
          error: errorMessage(e),
        });
        return { status: PutStatus.CREATE_MAPEDFILE_FAILED, remark: errorMessage(e) };
      }
    }
    return undefined;
  }

  /**
   * A slave's append: `bytes` exactly as the master has them at `offset` (one HA chunk, never
   * crossing a segment). They must continue the log, or start an empty one at a segment
   * boundary (a new slave starts at the master's last segment). Returns why not, or undefined.
   */
  appendReplica(offset: number, bytes: Uint8Array): string | undefined {
    if (offset !== this.#appendPos) {
      if (this.#segments.length > 0 || offset % this.segmentSize !== 0) {
        return `the master sent offset ${offset}, this log ends at ${this.#appendPos}`;
      }
      this.#appendPos = this.#writtenPos = this.#flushedPos = offset;
    }
    if (bytes.length === 0) return undefined;
    const segStart = offset - (offset % this.segmentSize);
    if (offset + bytes.length > segStart + this.segmentSize) {
      return `a chunk of ${bytes.length} bytes at ${offset} crosses the end of a segment: ` +
        `mappedFileSizeCommitLog ${this.segmentSize} must be the master's`;
    }
    const no = this.#ensureSegment(segStart);
    if (no) return no.remark;
    const chunk = this.#cache.reserve(offset, bytes.length, this.#writtenPos);
    chunk.buf.set(bytes, chunk.len);
    chunk.len += bytes.length;
    this.#appendPos = offset + bytes.length;
    this.#lastAppendAt = Date.now();
    this.#writeSignal.notify();
    return undefined;
  }

  /**
   * Up to `max` bytes of the log from `pos` that are handed to the OS, within one segment (a
   * master's HA chunk); undefined when `pos` is not there (gone, or not written yet).
   */
  readWritten(pos: number, max: number): Uint8Array | undefined {
    if (pos < this.minOffset || pos >= this.#writtenPos) return undefined;
    const seg = this.segmentAt(pos);
    if (!seg) return undefined;
    const len = Math.min(max, this.#writtenPos - pos, seg.end - pos);
    const out = new Uint8Array(len);
    if (this.#cache.copyTo(pos, len, out, 0)) return out;
    try {
      // The tail of a segment after its blank record was never written: it reads as zeros,
      // as a Java master's file does.
      return seg.readSync(pos - seg.start, out) === len ? out : undefined;
    } catch (e) {
      log.error("Cannot read commit log at {pos}: {error}", { pos, error: errorMessage(e) });
      return undefined;
    }
  }

  /**
   * Encodes `items` (all of them contiguous) at the end of the log and returns the offset of the
   * first. Call prepareAppend() with their total size first, in the same synchronous step.
   */
  append(items: AppendItem[], total: number, storeTimestamp: number): number {
    let pos = this.#appendPos;
    const segStart = pos - (pos % this.segmentSize);
    const room = segStart + this.segmentSize - pos;
    if (total + END_FILE_MIN_BLANK_LENGTH > room) {
      const blank = this.#cache.reserve(pos, END_FILE_MIN_BLANK_LENGTH, this.#writtenPos);
      const v = dataView(blank.buf);
      v.setInt32(blank.len, room);
      v.setInt32(blank.len + 4, BLANK_MAGIC);
      blank.len += END_FILE_MIN_BLANK_LENGTH;
      pos = segStart + this.segmentSize;
    }
    const chunk = this.#cache.reserve(pos, total, this.#writtenPos);
    const first = pos;
    let at = chunk.len;
    for (const item of items) {
      const m = item.msg;
      item.physicalOffset = pos;
      writeMessageRecord(
        chunk.buf,
        at,
        {
          queueId: m.queueId,
          flag: m.flag,
          queueOffset: item.queueOffset,
          physicalOffset: pos,
          sysFlag: m.sysFlag,
          bornTimestamp: m.bornTimestamp,
          bornHost: m.bornHost,
          storeTimestamp,
          storeHost: m.storeHost,
          reconsumeTimes: m.reconsumeTimes,
          preparedTransactionOffset: m.preparedTransactionOffset,
          body: m.body,
          topic: m.topic,
          properties: m.properties,
        },
        item.topicBytes,
        item.propertiesBytes,
      );
      at += item.size;
      pos += item.size;
    }
    chunk.len = at;
    this.#appendPos = pos;
    this.#appendTimestamp = storeTimestamp;
    this.#lastAppendAt = Date.now();
    this.#writeSignal.notify();
    return first;
  }

  /** Resolves once everything below `end` is handed to the OS (PUT_OK), or with a failure. */
  waitWritten(end: number): Promise<PutStatus> {
    if (this.#writtenPos >= end) return Promise.resolve(PutStatus.PUT_OK);
    return this.#writeWaiters.wait(end, this.#config.syncFlushTimeout);
  }

  /** Resolves once everything below `end` is durable (PUT_OK), or with a failure/timeout. */
  waitFlushed(end: number): Promise<PutStatus> {
    if (this.#flushedPos >= end) return Promise.resolve(PutStatus.PUT_OK);
    const p = this.#flushWaiters.wait(end, this.#config.syncFlushTimeout);
    if (this.#writtenPos >= end) this.#flushSignal.notify();
    return p;
  }

  /** Requests a sync of everything written, whatever the dirty-page threshold. */
  requestFlush(): void {
    this.#forceFlush = true;
    this.#flushSignal.notify();
  }

  async #writeLoop(): Promise<void> {
    while (true) {
      if (this.#writtenPos >= this.#appendPos || (this.#failing === "write" && this.#retryTimer)) {
        if (this.#closing && (this.#writtenPos >= this.#appendPos || this.#retryTimer)) break;
        await this.#writeSignal.wait();
        continue;
      }
      const target = this.#appendPos;
      const timestamp = this.#appendTimestamp;
      try {
        await this.#writeUpTo(target);
      } catch (e) {
        this.#failed("write", e);
        if (this.#closing) break;
        continue;
      }
      this.#writtenTimestamp = timestamp;
      if (this.#failing === "write" && this.#writtenPos >= this.#appendPos) this.#recovered();
      if (this.#flushWaiters.size > 0) {
        // Let the flusher start its sync first: dispatch then runs while the disk works.
        this.#flushSignal.notify();
        await Promise.resolve();
      }
      this.#events.onWritten(target);
      this.#writeWaiters.resolveUpTo(target, PutStatus.PUT_OK);
    }
  }

  async #writeUpTo(target: number): Promise<void> {
    while (this.#writtenPos < target) {
      const pos = this.#writtenPos;
      const chunk = this.#cache.find(pos) ?? this.#nextChunk(pos);
      if (!chunk) throw new Error(`Cannot write commit log: no cached bytes at offset ${pos}`);
      const from = Math.max(pos, chunk.start);
      const to = Math.min(chunk.start + chunk.len, target);
      if (from >= to) {
        this.#writtenPos = target;
        break;
      }
      const seg = this.segmentAt(from);
      if (!seg) throw new Error(`Cannot write commit log: no segment for offset ${from}`);
      const end = Math.min(to, seg.end);
      const bytes = chunk.buf.subarray(from - chunk.start, end - chunk.start);
      if (bytes.length <= SYNC_WRITE_MAX) seg.appendSync(from - seg.start, bytes);
      else await seg.append(from - seg.start, bytes);
      this.#writtenPos = end;
    }
  }

  /** The chunk starting the next segment (the write position sits at a blank record's end). */
  #nextChunk(pos: number) {
    const next = pos - (pos % this.segmentSize) + this.segmentSize;
    return this.#cache.find(next);
  }

  async #flushLoop(): Promise<void> {
    while (true) {
      await this.#flushSignal.wait();
      const target = this.#writtenPos;
      const timestamp = this.#writtenTimestamp;
      const closing = this.#closing;
      if (target > this.#flushedPos && this.#shouldFlush(target)) {
        try {
          const from = this.#flushedPos;
          const dirty = this.#segments.filter((s) => s.end > from && s.start < target);
          for (const seg of dirty) {
            await seg.sync();
            if (seg.end <= target && seg !== this.#segments[this.#segments.length - 1]) {
              seg.closeAppend();
            }
          }
          this.#syncs++;
          this.#flushedPos = target;
          this.#flushedTimestamp = timestamp;
          this.#flushWaiters.resolveUpTo(target, PutStatus.PUT_OK);
          if (this.#failing === "sync") this.#recovered();
        } catch (e) {
          this.#failed("sync", e);
        }
        // Puts that arrived while syncing are already waiting: go again without a wake-up.
        if (this.#flushWaiters.size > 0 && this.#writtenPos > this.#flushedPos) {
          this.#flushSignal.notify();
        }
      }
      if (closing && this.#writer === undefined) break;
    }
  }

  #shouldFlush(target: number): boolean {
    if (this.#config.flushDiskType === "SYNC_FLUSH" || this.#flushWaiters.size > 0) return true;
    if (this.#forceFlush || this.#closing) {
      this.#forceFlush = false;
      return true;
    }
    const now = Date.now();
    if (now - this.#lastThoroughFlush >= this.#config.flushCommitLogThoroughInterval) {
      this.#lastThoroughFlush = now;
      return true;
    }
    return target - this.#flushedPos >= this.#config.flushCommitLogLeastPages * PAGE_SIZE;
  }

  #failed(what: "write" | "sync", e: unknown): void {
    const error = `${what} failed: ${errorMessage(e)}`;
    if (this.#ioError === undefined) {
      log.error("Commit log {what} failed, refusing puts until it works again: {error}", {
        what,
        error: errorMessage(e),
      });
    }
    this.#ioError = error;
    this.#failing = what;
    // Never answer "failed" for bytes that are appended: they stay in the log either way (a
    // failed write is retried until it works, a failed sync leaves them written and readable),
    // so a sender told "failed" would resend a message that is delivered anyway. A put waiting
    // on a write gets its answer when the retry works, or FLUSH_DISK_TIMEOUT (stored, not yet
    // durable) at its deadline; a put waiting on a failed sync gets FLUSH_DISK_TIMEOUT now.
    if (what === "sync") this.#flushWaiters.resolveAll(PutStatus.FLUSH_DISK_TIMEOUT);
    if (this.#retryTimer === undefined && !this.#closing) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        if (this.#failing === "sync") this.requestFlush();
        else this.#writeSignal.notify();
      }, RETRY_AFTER_ERROR_MS);
    }
  }

  #recovered(): void {
    log.info("Commit log {what} works again after: {error}", {
      what: this.#failing,
      error: this.#ioError,
    });
    this.#ioError = undefined;
    this.#failing = undefined;
  }

  /** Stops the loops after writing and syncing everything appended. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#flushTimer !== undefined) clearInterval(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    this.#writeSignal.notify();
    await this.#writer;
    this.#writer = undefined;
    this.#flushSignal.notify();
    await this.#flusher;
    this.#flusher = undefined;
    if (this.#writtenPos < this.#appendPos) {
      log.error(
        "Commit log closed with {bytes} bytes at {from} never written ({error}): those messages are lost",
        { bytes: this.#appendPos - this.#writtenPos, from: this.#writtenPos, error: this.#ioError },
      );
    }
    this.#writeWaiters.resolveAll(PutStatus.UNKNOWN_ERROR);
    this.#flushWaiters.resolveAll(PutStatus.UNKNOWN_ERROR);
    for (const s of this.#segments) s.close();
  }

  /** Closes the segment files of a log whose loops never started (a failed open). */
  closeFiles(): void {
    for (const s of this.#segments) s.close();
  }

  /** The segment holding `pos`, or undefined. */
  segmentAt(pos: number): SegmentFile | undefined {
    const segs = this.#segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid];
      if (pos < s.start) hi = mid - 1;
      else if (pos >= s.end) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /** Copies `len` bytes at `pos` into dst, from memory when it can; false when they are gone. */
  read(pos: number, len: number, dst: Uint8Array, dstPos = 0): boolean {
    return this.readFrom(pos, len, dst, dstPos) !== undefined;
  }

  /** Like read(), telling where the bytes came from. */
  readFrom(
    pos: number,
    len: number,
    dst: Uint8Array,
    dstPos = 0,
  ): "memory" | "disk" | undefined {
    if (pos < this.minOffset || pos + len > this.#appendPos) return undefined;
    if (this.#cache.copyTo(pos, len, dst, dstPos)) return "memory";
    if (pos + len > this.#writtenPos) return undefined;
    const seg = this.segmentAt(pos);
    if (!seg || pos + len > seg.end) return undefined;
    try {
      const n = seg.readSync(pos - seg.start, dst.subarray(dstPos, dstPos + len));
      return n === len ? "disk" : undefined;
    } catch (e) {
      log.error("Cannot read commit log at {pos}: {error}", { pos, error: errorMessage(e) });
      return undefined;
    }
  }

  /**
   * The whole record starting at `pos`, when there is one: magic, size and its own physical
   * offset field must agree, so an arbitrary offset never yields garbage. Undefined otherwise.
   */
  readRecord(pos: number): Uint8Array | undefined {
    const head = new Uint8Array(RecordPos.PHYSICAL_OFFSET + 8);
    if (!this.read(pos, head.length, head)) return undefined;
    const v = dataView(head);
    const size = v.getInt32(RecordPos.TOTAL_SIZE);
    const magic = v.getInt32(RecordPos.MAGIC);
    if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) return undefined;
    if (size < MIN_RECORD_SIZE || readInt64(v, RecordPos.PHYSICAL_OFFSET) !== pos) return undefined;
    const seg = this.segmentAt(pos);
    if (!seg || pos + size > seg.end) return undefined;
    const out = new Uint8Array(size);
    return this.read(pos, size, out) ? out : undefined;
  }

  /** Store time of the record at `pos`, or -1. */
  pickupStoreTimestamp(pos: number, size: number): number {
    if (size < STORE_TIMESTAMP_HEAD_BYTES) return -1;
    const head = new Uint8Array(STORE_TIMESTAMP_HEAD_BYTES);
    if (!this.read(pos, head.length, head)) return -1;
    const v = dataView(head);
    return readInt64(v, storeTimestampPos(v.getInt32(RecordPos.SYS_FLAG)));
  }

  /** Start of the segment after the one holding `pos`. */
  rollNextFile(pos: number): number {
    return pos + this.segmentSize - (pos % this.segmentSize);
  }

  /** Drops cached chunks already on disk (memory release when idle). */
  releaseCache(): void {
    this.#cache.release(this.#writtenPos);
  }

  /**
   * Deletes up to `max` of the oldest segments modified more than `expiredMs` ago (any age when
   * `immediately`), never the last one nor one with bytes not yet durable; stops at the first
   * it keeps, as RocketMQ does. Returns how many were deleted.
   */
  deleteExpiredFiles(expiredMs: number, immediately: boolean, max = 10, now = Date.now()): number {
    let deleted = 0;
    while (deleted < max && this.#segments.length > 1) {
      const s = this.#segments[0];
      if (s.end > this.#flushedPos) break;
      let mtime: number;
      try {
        mtime = s.mtime();
      } catch {
        mtime = 0; // Already gone from disk: nothing to keep.
      }
      if (!immediately && now < mtime + expiredMs) break;
      try {
        s.remove();
      } catch (e) {
        log.error("Cannot delete commit-log segment {path}: {error}", {
          path: s.path,
          error: errorMessage(e),
        });
        break;
      }
      log.info("Deleted commit-log segment {path}", { path: s.path });
      this.#segments.shift();
      deleted++;
    }
    return deleted;
  }
}
