/**
 * An index file: a hash index from message keys to commit-log offsets, in RocketMQ's format.
 * Files live in `index/`, named by creation time (`yyyyMMddHHmmssSSS`, local time).
 *
 * Layout (big-endian):
 *   part     size              content
 *   header   40                see IndexHeaderPos
 *   slots    hashSlotNum × 4   per slot: number of the newest entry in it (0 = empty)
 *   entries  indexNum × 20     see IndexEntryPos; entry 0 is never used
 *
 * Header:
 *   pos  size  field
 *   0    8     beginTimestamp   store time of the first entry
 *   8    8     endTimestamp     store time of the last entry
 *   16   8     beginPhyOffset   commit-log offset of the first entry
 *   24   8     endPhyOffset     commit-log offset of the last entry
 *   32   4     hashSlotCount    slots in use
 *   36   4     indexCount       next entry number (starts at 1)
 *
 * Entry:
 *   pos  size  field
 *   0    4     keyHash          abs(Java hashCode of `topic#key`), MIN_VALUE → 0
 *   4    8     phyOffset        commit-log offset of the record
 *   12   4     timeDiff         seconds since beginTimestamp
 *   16   4     prevIndex        previous entry in the same slot (0 = none)
 *
 * The writable file keeps its slot table in memory while it is being indexed (hashSlotNum × 4
 * bytes) and writes changed 4 KiB pages at flush; entries go to disk at each dispatch pass.
 * After a crash the table is rebuilt from the entries the header counts, so a slot never
 * points at an entry that was not written.
 */
import { dataView, readInt64, writeInt64 } from "../common/bytes.ts";
import { javaStringHashCode } from "../common/java_hash.ts";
import type { FileHandles } from "./file_handles.ts";
import { SegmentFile } from "./segment_file.ts";

export const INDEX_HEADER_SIZE = 40;
export const HASH_SLOT_SIZE = 4;
export const INDEX_ENTRY_SIZE = 20;

export const IndexHeaderPos = {
  BEGIN_TIMESTAMP: 0,
  END_TIMESTAMP: 8,
  BEGIN_PHY_OFFSET: 16,
  END_PHY_OFFSET: 24,
  HASH_SLOT_COUNT: 32,
  INDEX_COUNT: 36,
} as const;

export const IndexEntryPos = { KEY_HASH: 0, PHY_OFFSET: 4, TIME_DIFF: 12, PREV_INDEX: 16 } as const;

export interface IndexHeader {
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  hashSlotCount: number;
  indexCount: number;
}

export interface IndexEntry {
  keyHash: number;
  phyOffset: number;
  timeDiff: number;
  prevIndex: number;
}

export function encodeIndexHeader(h: IndexHeader): Uint8Array {
  const out = new Uint8Array(INDEX_HEADER_SIZE);
  const v = dataView(out);
  writeInt64(v, IndexHeaderPos.BEGIN_TIMESTAMP, h.beginTimestamp);
  writeInt64(v, IndexHeaderPos.END_TIMESTAMP, h.endTimestamp);
  writeInt64(v, IndexHeaderPos.BEGIN_PHY_OFFSET, h.beginPhyOffset);
  writeInt64(v, IndexHeaderPos.END_PHY_OFFSET, h.endPhyOffset);
  v.setInt32(IndexHeaderPos.HASH_SLOT_COUNT, h.hashSlotCount);
  v.setInt32(IndexHeaderPos.INDEX_COUNT, h.indexCount);
  return out;
}

/** Decodes a header; an index count of 0 (a header never written) reads as 1, as in Java. */
export function decodeIndexHeader(bytes: Uint8Array): IndexHeader {
  if (bytes.length < INDEX_HEADER_SIZE) {
    throw new RangeError(`Cannot decode index header: ${bytes.length} bytes (need 40)`);
  }
  const v = dataView(bytes);
  return {
    beginTimestamp: readInt64(v, IndexHeaderPos.BEGIN_TIMESTAMP),
    endTimestamp: readInt64(v, IndexHeaderPos.END_TIMESTAMP),
    beginPhyOffset: readInt64(v, IndexHeaderPos.BEGIN_PHY_OFFSET),
    endPhyOffset: readInt64(v, IndexHeaderPos.END_PHY_OFFSET),
    hashSlotCount: v.getInt32(IndexHeaderPos.HASH_SLOT_COUNT),
    indexCount: Math.max(1, v.getInt32(IndexHeaderPos.INDEX_COUNT)),
  };
}

export function encodeIndexEntry(dst: Uint8Array, pos: number, e: IndexEntry): void {
  const v = new DataView(dst.buffer, dst.byteOffset + pos, INDEX_ENTRY_SIZE);
  v.setInt32(IndexEntryPos.KEY_HASH, e.keyHash);
  writeInt64(v, IndexEntryPos.PHY_OFFSET, e.phyOffset);
  v.setInt32(IndexEntryPos.TIME_DIFF, e.timeDiff);
  v.setInt32(IndexEntryPos.PREV_INDEX, e.prevIndex);
}

export function decodeIndexEntry(bytes: Uint8Array, pos: number): IndexEntry {
  const v = new DataView(bytes.buffer, bytes.byteOffset + pos, INDEX_ENTRY_SIZE);
  return {
    keyHash: v.getInt32(IndexEntryPos.KEY_HASH),
    phyOffset: readInt64(v, IndexEntryPos.PHY_OFFSET),
    timeDiff: v.getInt32(IndexEntryPos.TIME_DIFF),
    prevIndex: v.getInt32(IndexEntryPos.PREV_INDEX),
  };
}

/** RocketMQ's indexKeyHashMethod: abs(hashCode), with Integer.MIN_VALUE mapped to 0. */
export function indexKeyHash(key: string): number {
  const h = javaStringHashCode(key);
  return h === -2147483648 ? 0 : Math.abs(h);
}

/** `yyyyMMddHHmmssSSS` in local time, as RocketMQ names index files. */
export function indexFileName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}` +
    `${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
}

const SLOTS_PER_PAGE = 1024;
/** Entries read per block when the slot table is rebuilt from them. */
const REBUILD_BLOCK_ENTRIES = 4096;
const MAX_INT = 2147483647;

export class IndexFile {
  readonly file: SegmentFile;
  readonly slotNum: number;
  readonly indexNum: number;
  header: IndexHeader;
  #slots: Int32Array | undefined;
  #dirtyPages: Uint8Array | undefined;
  #rebuild = false;
  #pending = new Uint8Array(0);
  #pendingFrom = 1;
  #pendingCount = 0;
  #headerDirty = false;

  private constructor(file: SegmentFile, slotNum: number, indexNum: number, header: IndexHeader) {
    this.file = file;
    this.slotNum = slotNum;
    this.indexNum = indexNum;
    this.header = header;
    this.#pendingFrom = header.indexCount;
  }

  static fileSize(slotNum: number, indexNum: number): number {
    return INDEX_HEADER_SIZE + slotNum * HASH_SLOT_SIZE + indexNum * INDEX_ENTRY_SIZE;
  }

  /**
   * Creates a file whose begin and end start at the previous file's end, and writes that
   * header at once so recovery knows where this file takes over.
   */
  static create(
    path: string,
    slotNum: number,
    indexNum: number,
    lastEndPhyOffset: number,
    lastEndTimestamp: number,
    handles: FileHandles,
  ): IndexFile {
    const file = SegmentFile.create(path, 0, IndexFile.fileSize(slotNum, indexNum), handles);
    const f = new IndexFile(file, slotNum, indexNum, {
      beginTimestamp: lastEndTimestamp,
      endTimestamp: lastEndTimestamp,
      beginPhyOffset: lastEndPhyOffset,
      endPhyOffset: lastEndPhyOffset,
      hashSlotCount: 0,
      indexCount: 1,
    });
    f.#slots = new Int32Array(slotNum);
    f.#dirtyPages = new Uint8Array(Math.ceil(slotNum / SLOTS_PER_PAGE));
    f.#writeHeader();
    return f;
  }

  static open(path: string, slotNum: number, indexNum: number, handles: FileHandles): IndexFile {
    const file = SegmentFile.open(path, 0, IndexFile.fileSize(slotNum, indexNum), handles);
    const head = new Uint8Array(INDEX_HEADER_SIZE);
    file.readSync(0, head);
    return new IndexFile(file, slotNum, indexNum, decodeIndexHeader(head));
  }

  get path(): string {
    return this.file.path;
  }

  get isWriteFull(): boolean {
    return this.header.indexCount >= this.indexNum;
  }

  /** Rebuild the slot table from the entries on next use (after a crash). */
  markRebuild(): void {
    this.#rebuild = true;
    this.#slots = undefined;
  }

  /** Adds one key; false when the file is full. */
  putKey(key: string, phyOffset: number, storeTimestamp: number): boolean {
    const h = this.header;
    if (h.indexCount >= this.indexNum) return false;
    const slots = this.#ensureSlots();
    const keyHash = indexKeyHash(key);
    const slot = keyHash % this.slotNum;
    let prev = slots[slot];
    if (prev <= 0 || prev >= h.indexCount) prev = 0;
    if (h.indexCount <= 1) {
      h.beginPhyOffset = phyOffset;
      h.beginTimestamp = storeTimestamp;
    }
    let timeDiff = 0;
    if (h.beginTimestamp > 0) {
      timeDiff = Math.min(
        MAX_INT,
        Math.max(0, Math.floor((storeTimestamp - h.beginTimestamp) / 1000)),
      );
    }
    const n = h.indexCount;
    if (this.#pendingCount === 0) this.#pendingFrom = n;
    const need = (this.#pendingCount + 1) * INDEX_ENTRY_SIZE;
    if (this.#pending.length < need) {
      const grown = new Uint8Array(Math.max(4096, need * 2));
      grown.set(this.#pending.subarray(0, this.#pendingCount * INDEX_ENTRY_SIZE));
      this.#pending = grown;
    }
    encodeIndexEntry(this.#pending, this.#pendingCount * INDEX_ENTRY_SIZE, {
      keyHash,
      phyOffset,
      timeDiff,
      prevIndex: prev,
    });
    this.#pendingCount++;
    slots[slot] = n;
    this.#dirtyPages![(slot / SLOTS_PER_PAGE) | 0] = 1;
    if (prev === 0) h.hashSlotCount++;
    h.indexCount = n + 1;
    h.endPhyOffset = phyOffset;
    h.endTimestamp = storeTimestamp;
    this.#headerDirty = true;
    return true;
  }

  #ensureSlots(): Int32Array {
    if (this.#slots) return this.#slots;
    const slots = new Int32Array(this.slotNum);
    this.#dirtyPages = new Uint8Array(Math.ceil(this.slotNum / SLOTS_PER_PAGE));
    if (this.#rebuild) {
      this.#rebuild = false;
      // Slot = newest entry per slot: replay the entries the header counts, in order.
      let used = 0;
      const block = new Uint8Array(INDEX_ENTRY_SIZE * REBUILD_BLOCK_ENTRIES);
      for (let n = 1; n < this.header.indexCount; n += REBUILD_BLOCK_ENTRIES) {
        const count = Math.min(REBUILD_BLOCK_ENTRIES, this.header.indexCount - n);
        const bytes = block.subarray(0, count * INDEX_ENTRY_SIZE);
        this.file.readSync(this.#entryPos(n), bytes);
        const v = dataView(bytes);
        for (let i = 0; i < count; i++) {
          const slot = v.getInt32(i * INDEX_ENTRY_SIZE) % this.slotNum;
          if (slot < 0) continue;
          if (slots[slot] === 0) used++;
          slots[slot] = n + i;
        }
      }
      this.header.hashSlotCount = used;
      this.#dirtyPages.fill(1);
      this.#headerDirty = true;
    } else {
      const bytes = new Uint8Array(this.slotNum * HASH_SLOT_SIZE);
      this.file.readSync(INDEX_HEADER_SIZE, bytes);
      const v = dataView(bytes);
      for (let i = 0; i < this.slotNum; i++) slots[i] = v.getInt32(i * 4);
    }
    this.#slots = slots;
    return slots;
  }

  #entryPos(n: number): number {
    return INDEX_HEADER_SIZE + this.slotNum * HASH_SLOT_SIZE + n * INDEX_ENTRY_SIZE;
  }

  #slot(slot: number): number {
    if (this.#slots) return this.#slots[slot];
    if (this.#rebuild) return this.#ensureSlots()[slot];
    const b = new Uint8Array(HASH_SLOT_SIZE);
    this.file.readSync(INDEX_HEADER_SIZE + slot * HASH_SLOT_SIZE, b);
    return dataView(b).getInt32(0);
  }

  #entry(n: number): IndexEntry {
    if (n >= this.#pendingFrom && n < this.#pendingFrom + this.#pendingCount) {
      return decodeIndexEntry(this.#pending, (n - this.#pendingFrom) * INDEX_ENTRY_SIZE);
    }
    const b = new Uint8Array(INDEX_ENTRY_SIZE);
    this.file.readSync(this.#entryPos(n), b);
    return decodeIndexEntry(b, 0);
  }

  /** Whether the file's time range meets [begin, end] (RocketMQ's isTimeMatched). */
  isTimeMatched(begin: number, end: number): boolean {
    const h = this.header;
    return (begin < h.beginTimestamp && end > h.endTimestamp) ||
      (begin >= h.beginTimestamp && begin <= h.endTimestamp) ||
      (end >= h.beginTimestamp && end <= h.endTimestamp);
  }

  /**
   * Adds to `out` the commit-log offsets stored under `key` with a store time in [begin, end],
   * newest first, until `out` holds `maxNum`. Hash collisions are possible: callers re-check.
   */
  selectPhyOffsets(out: number[], key: string, maxNum: number, begin: number, end: number): void {
    const h = this.header;
    if (h.indexCount <= 1) return;
    const keyHash = indexKeyHash(key);
    let n = this.#slot(keyHash % this.slotNum);
    if (n <= 0 || n >= h.indexCount) return;
    while (out.length < maxNum) {
      const e = this.#entry(n);
      if (e.timeDiff < 0) break;
      const time = h.beginTimestamp + e.timeDiff * 1000;
      if (e.keyHash === keyHash && time >= begin && time <= end) out.push(e.phyOffset);
      // Entries only point back; anything else is damage, so stop rather than loop.
      if (e.prevIndex <= 0 || e.prevIndex >= n || time < begin) break;
      n = e.prevIndex;
    }
  }

  /** Writes buffered entries (called after each dispatch pass). */
  writePending(): void {
    if (this.#pendingCount === 0) return;
    this.file.writeSync(
      this.#entryPos(this.#pendingFrom),
      this.#pending.subarray(0, this.#pendingCount * INDEX_ENTRY_SIZE),
    );
    this.#pendingFrom += this.#pendingCount;
    this.#pendingCount = 0;
    if (this.#pending.length > 64 * 1024) this.#pending = new Uint8Array(0);
  }

  /** Writes entries, changed slot pages, then the header; everything it counts is on disk. */
  writeAll(): void {
    this.writePending();
    const slots = this.#slots;
    const dirty = this.#dirtyPages;
    if (slots && dirty) {
      let p = 0;
      while (p < dirty.length) {
        if (!dirty[p]) {
          p++;
          continue;
        }
        let q = p;
        while (q < dirty.length && dirty[q] && q - p < 64) q++;
        const from = p * SLOTS_PER_PAGE;
        const to = Math.min(this.slotNum, q * SLOTS_PER_PAGE);
        const bytes = new Uint8Array((to - from) * HASH_SLOT_SIZE);
        const v = dataView(bytes);
        for (let i = from; i < to; i++) v.setInt32((i - from) * 4, slots[i]);
        this.file.writeSync(INDEX_HEADER_SIZE + from * HASH_SLOT_SIZE, bytes);
        dirty.fill(0, p, q);
        p = q;
      }
    }
    if (this.#headerDirty) this.#writeHeader();
  }

  #writeHeader(): void {
    this.file.writeSync(0, encodeIndexHeader(this.header));
    this.#headerDirty = false;
  }

  async sync(): Promise<void> {
    await this.file.sync();
  }

  /**
   * Drops every entry for a record at or past `end` (recovery cut the commit log there, and
   * new records will take those offsets): the header counts only the entries before, and the
   * slot table is rebuilt from them and written. Returns how many entries were dropped.
   */
  truncate(end: number): number {
    this.writePending();
    const h = this.header;
    // Entries are added in commit-log order: the first at or past `end` starts the cut.
    let lo = 1;
    let hi = h.indexCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#entry(mid).phyOffset >= end) hi = mid;
      else lo = mid + 1;
    }
    const dropped = h.indexCount - lo;
    if (dropped === 0) return 0;
    h.indexCount = lo;
    h.endPhyOffset = lo > 1 ? this.#entry(lo - 1).phyOffset : h.beginPhyOffset;
    this.#pendingFrom = lo;
    const keepTable = this.#slots !== undefined;
    this.markRebuild();
    this.#ensureSlots();
    this.writeAll();
    if (!keepTable) this.releaseSlots();
    return dropped;
  }

  /** Writes everything and drops the in-memory slot table (idle, or the file is full). */
  releaseSlots(): void {
    if (!this.#slots) return;
    this.writeAll();
    this.#slots = undefined;
    this.#dirtyPages = undefined;
  }

  get slotTableLoaded(): boolean {
    return this.#slots !== undefined;
  }

  close(): void {
    this.file.close();
  }

  remove(): void {
    this.file.remove();
  }
}
