/**
 * A consume queue: the index of one topic-queue into the commit log, in RocketMQ's format.
 * Files live in `consumequeue/<topic>/<queueId>/`, each `mappedFileSizeConsumeQueue` bytes
 * (300,000 entries by default), named by the byte offset of their first entry (20 digits).
 * The logical offset of an entry is its byte position / 20.
 *
 * Entry (20 bytes, big-endian):
 *   pos  size  field
 *   0    8     commit-log offset of the record
 *   8    4     record size
 *   12   8     tags code (Java String.hashCode of TAGS, sign-extended; delivery time for
 *              SCHEDULE_TOPIC_XXXX)
 *
 * An all-zero entry (size 0) ends the written data. A gap filler entry is offset 0, size
 * 0x7FFFFFFF, tags code 0.
 *
 * Entries are written synchronously right after the records they point to are handed to the
 * OS (dispatch), one write per queue per dispatch pass, so a reader never sees an entry whose
 * record is not written.
 *
 * One concept, the consume-queue entry, in every form it takes: the codec, the cursor that
 * walks entries, the offset assigner, and the queue's files (write, read, truncate, expire).
 */
import { readInt64, writeInt64 } from "../common/bytes.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import type { FileHandles } from "./file_handles.ts";
import { fileNameToOffset, offsetToFileName, SegmentFile } from "./segment_file.ts";
import type { QueueEntry } from "./store_types.ts";

const log = logger("store");

/** Bytes of one consume-queue entry: commit-log offset (8), size (4), tags code (8). */
export const CQ_STORE_UNIT_SIZE = 20;
export const CqEntryPos = { COMMIT_LOG_OFFSET: 0, SIZE: 8, TAGS_CODE: 12 } as const;
/** Size field of a gap filler entry. */
export const FILLER_SIZE = 0x7fffffff;
const PAGE_SIZE = 4096;
/** Append buffers larger than this are dropped after each write instead of kept for reuse. */
const KEEP_BUFFER_BYTES = 4096;
/** Entries a cursor reads at first, and then per read once a scan goes on. */
const CURSOR_FIRST_READ = 256;
const CURSOR_NEXT_READ = 1024;

export function encodeCqEntry(
  dst: Uint8Array,
  pos: number,
  commitLogOffset: number,
  size: number,
  tagsCode: number,
): void {
  const v = new DataView(dst.buffer, dst.byteOffset + pos, CQ_STORE_UNIT_SIZE);
  writeInt64(v, CqEntryPos.COMMIT_LOG_OFFSET, commitLogOffset);
  v.setInt32(CqEntryPos.SIZE, size);
  writeInt64(v, CqEntryPos.TAGS_CODE, tagsCode);
}

/** Decodes the entry at `pos` of `bytes`; `offset` is its logical offset. */
export function decodeCqEntry(bytes: Uint8Array, pos: number, offset: number): QueueEntry {
  const v = new DataView(bytes.buffer, bytes.byteOffset + pos, CQ_STORE_UNIT_SIZE);
  return {
    offset,
    commitLogOffset: readInt64(v, CqEntryPos.COMMIT_LOG_OFFSET),
    size: v.getInt32(CqEntryPos.SIZE),
    tagsCode: readInt64(v, CqEntryPos.TAGS_CODE),
  };
}

/**
 * Walks a queue's written entries from an offset, within the file holding it (RocketMQ's
 * CqUnit iteration). The current entry's fields are plain properties, refilled by each
 * next(), so a scan of thousands of entries (a pull's filter scan) allocates no object per
 * entry; entries are read from the file in blocks.
 *
 * @example
 * ```ts
 * const c = cq.cursor(from, 32);
 * while (c?.next()) console.log(c.offset, c.commitLogOffset, c.size, c.tagsCode);
 * ```
 */
export class CqEntryCursor {
  /** Logical offset of the current entry. */
  offset: number;
  commitLogOffset = 0;
  size = 0;
  tagsCode = 0;
  readonly #cq: ConsumeQueue;
  readonly #max: number;
  readonly #fileEnd: number;
  #block: Uint8Array;
  #view: DataView;
  #blockStart: number;
  #pos = -CQ_STORE_UNIT_SIZE;
  #taken = 0;

  /** Use ConsumeQueue.cursor(). */
  constructor(cq: ConsumeQueue, from: number, max: number, first: Uint8Array) {
    this.#cq = cq;
    this.#max = max;
    this.#fileEnd = cq.rollNextFile(from);
    this.offset = from - 1;
    this.#blockStart = from;
    this.#block = first;
    this.#view = new DataView(first.buffer, first.byteOffset, first.byteLength);
  }

  /** Moves to the next entry; false when `max` entries were read or the file or data ends. */
  next(): boolean {
    if (this.#taken >= this.#max) return false;
    let pos = this.#pos + CQ_STORE_UNIT_SIZE;
    if (pos >= this.#block.length) {
      const from = this.#blockStart + this.#block.length / CQ_STORE_UNIT_SIZE;
      if (from >= this.#fileEnd) return false;
      const block = this.#cq.readEntries(from, Math.min(this.#max - this.#taken, CURSOR_NEXT_READ));
      if (!block || block.length === 0) return false;
      this.#block = block;
      this.#view = new DataView(block.buffer, block.byteOffset, block.byteLength);
      this.#blockStart = from;
      pos = 0;
    }
    const v = this.#view;
    this.#pos = pos;
    this.#taken++;
    this.offset++;
    this.commitLogOffset = readInt64(v, pos + CqEntryPos.COMMIT_LOG_OFFSET);
    this.size = v.getInt32(pos + CqEntryPos.SIZE);
    this.tagsCode = readInt64(v, pos + CqEntryPos.TAGS_CODE);
    return true;
  }

  /** The current entry as an object. */
  entry(): QueueEntry {
    return {
      offset: this.offset,
      commitLogOffset: this.commitLogOffset,
      size: this.size,
      tagsCode: this.tagsCode,
    };
  }
}

export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  readonly dir: string;
  readonly fileSize: number;
  readonly #handles: FileHandles;
  /** When this queue last received an entry (ms), for idle memory release. */
  lastPutAt = 0;

  #files: SegmentFile[] = [];
  /** The next queue offset a put assigns (the store's topicQueueTable entry). */
  #nextOffset = 0;
  #minOffset = 0;
  /** End including entries still in the append buffer. */
  #maxOffset = 0;
  /** End of entries written to the files: what readers see. */
  #writtenMax = 0;
  #buf: Uint8Array | undefined;
  #bufCount = 0;
  #run: { start: number; buf: Uint8Array; count: number } | undefined;
  #dirtyBytes = 0;
  readonly #unsynced = new Set<SegmentFile>();
  #warned = 0;
  #destroyed = false;

  constructor(
    root: string,
    topic: string,
    queueId: number,
    fileSize: number,
    handles: FileHandles,
  ) {
    this.topic = topic;
    this.queueId = queueId;
    this.dir = `${root}/${topic}/${queueId}`;
    this.fileSize = fileSize;
    this.#handles = handles;
  }

  get entriesPerFile(): number {
    return this.fileSize / CQ_STORE_UNIT_SIZE;
  }

  get minOffset(): number {
    return this.#minOffset;
  }

  /** Next offset to be written: the count of entries ever written. */
  get maxOffset(): number {
    return this.#writtenMax;
  }

  get files(): readonly SegmentFile[] {
    return this.#files;
  }

  /** The queue offset the next put gets. */
  get nextOffset(): number {
    return this.#nextOffset;
  }

  /**
   * Takes `count` consecutive queue offsets for messages about to be appended and returns the
   * first. Offsets are given out at put time, in the same synchronous step as the append, so
   * commit-log order and queue order agree.
   */
  assignOffsets(count: number): number {
    const first = this.#nextOffset;
    this.#nextOffset += count;
    return first;
  }

  /** Whether the file that holds offset `q` is on disk. */
  hasFileFor(q: number): boolean {
    return this.#fileFor(q * CQ_STORE_UNIT_SIZE) !== undefined;
  }

  /** Files missing between the first and the last one: [start, end) offset ranges. */
  missingRanges(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 1; i < this.#files.length; i++) {
      const before = this.#files[i - 1].end / CQ_STORE_UNIT_SIZE;
      const next = this.#files[i].start / CQ_STORE_UNIT_SIZE;
      if (next > before) out.push([before, next]);
    }
    return out;
  }

  /**
   * Writes the entry for offset `q` below the end, recreating its file when it was lost
   * (rebuilding from the commit log). Call writePending() after the last one.
   */
  restoreEntry(q: number, commitLogOffset: number, size: number, tagsCode: number): void {
    if (q < this.#minOffset) this.#minOffset = q;
    this.put(q, commitLogOffset, size, tagsCode, true);
  }

  /** Puts continue after the last entry (once recovery has replayed or cut entries). */
  syncNextOffset(): void {
    this.#nextOffset = this.#maxOffset;
  }

  /** Opens the files on disk and finds where the written entries end. */
  load(): void {
    let names: string[] = [];
    try {
      names = [...Deno.readDirSync(this.dir)].filter((e) => e.isFile).map((e) => e.name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const files: SegmentFile[] = [];
    for (const name of names) {
      const start = fileNameToOffset(name);
      if (start === undefined) continue;
      if (start % this.fileSize !== 0) {
        throw new RangeError(
          `Cannot load consume queue ${this.dir}: file ${name} does not start at a multiple of ` +
            `mappedFileSizeConsumeQueue ${this.fileSize}`,
        );
      }
      files.push(SegmentFile.open(`${this.dir}/${name}`, start, this.fileSize, this.#handles));
    }
    files.sort((a, b) => a.start - b.start);
    this.#files = files;
    if (files.length === 0) return;
    this.#minOffset = files[0].start / CQ_STORE_UNIT_SIZE;
    const last = files[files.length - 1];
    const first = last.start / CQ_STORE_UNIT_SIZE;
    // Entries are written in order, so the first empty one (size 0) is the end.
    let lo = first;
    let hi = first + this.entriesPerFile;
    const probe = new Uint8Array(CQ_STORE_UNIT_SIZE);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      last.readSync(mid * CQ_STORE_UNIT_SIZE - last.start, probe);
      if (decodeCqEntry(probe, 0, mid).size === 0) hi = mid;
      else lo = mid + 1;
    }
    this.#maxOffset = this.#writtenMax = this.#nextOffset = lo;
  }

  /**
   * Adds the entry for queue offset `q`. An offset below the end is a repeat and skipped, unless
   * `overwrite` (recovery rewrites what it replays); one past the end is padded with fillers.
   */
  put(q: number, commitLogOffset: number, size: number, tagsCode: number, overwrite = false): void {
    if (this.#destroyed) return; // The topic was deleted while its records waited for dispatch.
    if (q < this.#minOffset && q < this.#maxOffset) return;
    if (q < this.#maxOffset) {
      if (!overwrite) {
        this.#warnOnce(`repeated entry ${q} below the end ${this.#maxOffset}`);
        return;
      }
      if (q >= this.#writtenMax) {
        encodeCqEntry(
          this.#buf!,
          (q - this.#writtenMax) * CQ_STORE_UNIT_SIZE,
          commitLogOffset,
          size,
          tagsCode,
        );
        return;
      }
      let run = this.#run;
      if (
        run && (q !== run.start + run.count || run.count * CQ_STORE_UNIT_SIZE >= run.buf.length)
      ) {
        this.#writeRun();
        run = undefined;
      }
      if (!run) run = this.#run = { start: q, buf: new Uint8Array(64 * 1024), count: 0 };
      encodeCqEntry(run.buf, run.count * CQ_STORE_UNIT_SIZE, commitLogOffset, size, tagsCode);
      run.count++;
      return;
    }
    if (q > this.#maxOffset) {
      this.#warnOnce(`gap from ${this.#maxOffset} to ${q}, filled`);
      const fresh = this.#maxOffset === 0 && this.#files.length === 0;
      if (fresh) {
        // A queue starting mid-way (its earlier entries long gone) pads only its first file,
        // as RocketMQ's fillPreBlank does, so the file still reads as entries-then-zeros.
        this.#minOffset = this.#maxOffset = this.#writtenMax = q - (q % this.entriesPerFile);
      }
      while (this.#maxOffset < q) this.#append(0, FILLER_SIZE, 0);
      if (fresh) this.#minOffset = q;
    }
    this.#append(commitLogOffset, size, tagsCode);
  }

  #append(commitLogOffset: number, size: number, tagsCode: number): void {
    const need = (this.#bufCount + 1) * CQ_STORE_UNIT_SIZE;
    if (!this.#buf || this.#buf.length < need) {
      const grown = new Uint8Array(Math.max(KEEP_BUFFER_BYTES, need * 2));
      if (this.#buf) grown.set(this.#buf.subarray(0, this.#bufCount * CQ_STORE_UNIT_SIZE));
      this.#buf = grown;
    }
    encodeCqEntry(this.#buf, this.#bufCount * CQ_STORE_UNIT_SIZE, commitLogOffset, size, tagsCode);
    this.#bufCount++;
    this.#maxOffset++;
  }

  #warnOnce(what: string): void {
    if (this.#warned++ % 10000 === 0) {
      log.warn("Consume queue {topic}/{queueId}: {what}", {
        topic: this.topic,
        queueId: this.queueId,
        what,
      });
    }
  }

  /** True when entries wait in memory for writePending(). */
  get hasPending(): boolean {
    return this.#bufCount > 0 || this.#run !== undefined;
  }

  /** Writes buffered entries to the files. False (and logged) when the write failed. */
  writePending(): boolean {
    if (this.#destroyed) return true;
    try {
      if (this.#run) this.#writeRun();
      if (this.#bufCount > 0) {
        const bytes = this.#buf!.subarray(0, this.#bufCount * CQ_STORE_UNIT_SIZE);
        this.#writeAt(this.#writtenMax * CQ_STORE_UNIT_SIZE, bytes);
        this.#writtenMax += this.#bufCount;
        this.#bufCount = 0;
        if (this.#buf!.length > KEEP_BUFFER_BYTES) this.#buf = undefined;
      }
      return true;
    } catch (e) {
      log.error("Cannot write consume queue {topic}/{queueId}: {error}", {
        topic: this.topic,
        queueId: this.queueId,
        error: errorMessage(e),
      });
      return false;
    }
  }

  #writeRun(): void {
    const run = this.#run!;
    this.#run = undefined;
    this.#writeAt(
      run.start * CQ_STORE_UNIT_SIZE,
      run.buf.subarray(0, run.count * CQ_STORE_UNIT_SIZE),
    );
  }

  /** Writes bytes at a byte position of the queue, across files, creating files as needed. */
  #writeAt(bytePos: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const pos = bytePos + done;
      const file = this.#fileFor(pos, true)!;
      const n = Math.min(bytes.length - done, file.end - pos);
      file.writeSync(pos - file.start, bytes.subarray(done, done + n));
      this.#unsynced.add(file);
      this.#dirtyBytes += n;
      done += n;
    }
  }

  #fileFor(bytePos: number, create = false): SegmentFile | undefined {
    const files = this.#files;
    for (let i = files.length - 1; i >= 0; i--) {
      const f = files[i];
      if (bytePos >= f.end) break;
      if (bytePos >= f.start) return f;
    }
    if (!create) return undefined;
    const start = bytePos - (bytePos % this.fileSize);
    Deno.mkdirSync(this.dir, { recursive: true });
    const f = SegmentFile.create(
      `${this.dir}/${offsetToFileName(start)}`,
      start,
      this.fileSize,
      this.#handles,
    );
    files.push(f);
    files.sort((a, b) => a.start - b.start);
    return f;
  }

  /**
   * Up to `max` written entries from `from`, raw, never past the end of the file holding `from`
   * (RocketMQ's getIndexBuffer). Undefined when that file is missing or `from` is out of range.
   */
  readEntries(from: number, max: number): Uint8Array | undefined {
    if (from < this.#minOffset || from >= this.#writtenMax) return undefined;
    const bytePos = from * CQ_STORE_UNIT_SIZE;
    const file = this.#fileFor(bytePos);
    if (!file) return undefined;
    const end = Math.min(this.#writtenMax, from + max, file.end / CQ_STORE_UNIT_SIZE);
    const out = new Uint8Array((end - from) * CQ_STORE_UNIT_SIZE);
    try {
      if (file.readSync(bytePos - file.start, out) !== out.length) return undefined;
    } catch (e) {
      log.error("Cannot read consume queue {topic}/{queueId}: {error}", {
        topic: this.topic,
        queueId: this.queueId,
        error: errorMessage(e),
      });
      return undefined;
    }
    return out;
  }

  /** The written entry at `offset`, or undefined. */
  entry(offset: number): QueueEntry | undefined {
    const b = this.readEntries(offset, 1);
    return b ? decodeCqEntry(b, 0, offset) : undefined;
  }

  /**
   * A cursor over at most `max` written entries from `from`, never past the end of the file
   * holding `from`; undefined when that file is missing or `from` is out of range.
   */
  cursor(from: number, max: number): CqEntryCursor | undefined {
    const first = this.readEntries(from, Math.min(max, CURSOR_FIRST_READ));
    return first ? new CqEntryCursor(this, from, max, first) : undefined;
  }

  /** Start of the file after the one holding `offset` (RocketMQ's rollNextFile). */
  rollNextFile(offset: number): number {
    return offset + this.entriesPerFile - (offset % this.entriesPerFile);
  }

  /** Syncs written entries when at least `leastPages` pages are dirty (0: whatever there is). */
  async flush(leastPages: number): Promise<void> {
    if (this.#dirtyBytes === 0) return;
    if (leastPages > 0 && this.#dirtyBytes < leastPages * PAGE_SIZE) return;
    const files = [...this.#unsynced];
    this.#unsynced.clear();
    this.#dirtyBytes = 0;
    for (const f of files) {
      try {
        await f.sync();
      } catch (e) {
        log.error("Cannot sync consume queue file {path}: {error}", {
          path: f.path,
          error: errorMessage(e),
        });
      }
    }
  }

  /**
   * The first offset in [minOffset, maxOffset) whose entry `bad` rejects, assuming every entry
   * before it is accepted and every one after rejected; maxOffset when all are accepted.
   */
  searchFirst(bad: (e: QueueEntry) => boolean): number {
    let lo = this.#minOffset;
    let hi = this.#writtenMax;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const e = this.entry(mid);
      if (!e || bad(e)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Drops every entry at or after `offset`, zeroing them on disk. */
  truncate(offset: number): void {
    this.writePending();
    if (offset >= this.#writtenMax) return;
    const bytePos = offset * CQ_STORE_UNIT_SIZE;
    const keep: SegmentFile[] = [];
    for (const f of this.#files) {
      if (f.start > bytePos || (f.start === bytePos && keep.length > 0)) {
        f.remove();
        this.#unsynced.delete(f);
      } else {
        if (bytePos < f.end) f.truncateTail(bytePos - f.start);
        keep.push(f);
      }
    }
    this.#files = keep;
    this.#maxOffset = this.#writtenMax = this.#nextOffset = offset;
    if (this.#minOffset > offset) this.#minOffset = offset;
  }

  /**
   * Deletes files (never the last) whose entries all point below `minPhyOffset`, then moves the
   * min offset to the first entry at or above it. Returns how many files were deleted.
   */
  deleteExpired(minPhyOffset: number): number {
    let deleted = 0;
    const probe = new Uint8Array(CQ_STORE_UNIT_SIZE);
    while (this.#files.length > 1) {
      const f = this.#files[0];
      try {
        f.readSync(f.size - CQ_STORE_UNIT_SIZE, probe);
      } catch {
        break; // Unreadable: leave it to the next pass.
      }
      if (decodeCqEntry(probe, 0, 0).commitLogOffset >= minPhyOffset) break;
      f.remove();
      this.#unsynced.delete(f);
      this.#files.shift();
      deleted++;
    }
    this.correctMinOffset(minPhyOffset);
    return deleted;
  }

  /**
   * Moves the min offset to the first entry whose record is at or above `minPhyOffset`. A gap
   * filler counts as the entry before it (leading fillers as below), so fillers in the middle
   * of a queue (damaged records skipped by recovery) keep the search in order.
   */
  correctMinOffset(minPhyOffset: number): void {
    if (this.#files.length === 0) return;
    this.#minOffset = Math.max(this.#minOffset, this.#files[0].start / CQ_STORE_UNIT_SIZE);
    if (this.#minOffset > this.#writtenMax) this.#minOffset = this.#writtenMax;
    const floor = this.#minOffset;
    this.#minOffset = this.searchFirst((e) => {
      const real = e.size === FILLER_SIZE ? this.#realEntryBefore(e.offset, floor) : e;
      return real !== undefined && real.commitLogOffset >= minPhyOffset;
    });
  }

  /** The nearest entry before `offset` (down to `floor`) that is not a gap filler. */
  #realEntryBefore(offset: number, floor: number): QueueEntry | undefined {
    let to = offset;
    while (to > floor) {
      // Within the file holding `to - 1`: a cursor never reads past its file's end.
      const fileStart = (to - 1) - ((to - 1) % this.entriesPerFile);
      const from = Math.max(floor, to - CURSOR_NEXT_READ, fileStart);
      const c = this.cursor(from, to - from);
      let last: QueueEntry | undefined;
      while (c?.next()) if (c.size !== FILLER_SIZE) last = c.entry();
      if (last) return last;
      to = from;
    }
    return undefined;
  }

  /** Drops the append buffer (memory release while idle). */
  releaseMemory(): void {
    if (this.#bufCount === 0) this.#buf = undefined;
  }

  close(): void {
    for (const f of this.#files) f.close();
  }

  /** Deletes the queue's files and directory. */
  destroy(): void {
    this.#destroyed = true;
    for (const f of this.#files) f.remove();
    this.#files = [];
    this.#unsynced.clear();
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}
