/**
 * The most recent commit-log bytes, in memory. Records are encoded straight into these chunks
 * and written to disk from them, so the cache is also the write buffer: serving a consumer
 * that keeps up costs no disk read and no extra copy on the write path.
 *
 * A chunk holds one contiguous range of commit-log offsets; a new chunk starts when the log
 * rolls to a new segment. Chunks whose bytes are on disk are recycled oldest first once the
 * cache is at its size; chunks with unwritten bytes never are (the pending-bytes cap bounds
 * them instead).
 */
export interface CacheChunk {
  /** Commit-log offset of buf[0]. */
  start: number;
  buf: Uint8Array;
  /** Bytes of buf in use. */
  len: number;
}

export class HotCache {
  readonly #chunks: CacheChunk[] = [];
  readonly #maxBytes: number;
  readonly #chunkSize: number;
  #bytes = 0;

  constructor(maxBytes: number, chunkSize: number) {
    this.#maxBytes = maxBytes;
    this.#chunkSize = chunkSize;
  }

  /** Bytes of memory held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The chunk in which `size` bytes for offset `pos` go, contiguous with what precedes them;
   * the caller writes at `pos - chunk.start` and then advances `chunk.len`.
   */
  reserve(pos: number, size: number, writtenPos: number): CacheChunk {
    const chunks = this.#chunks;
    const tail = chunks[chunks.length - 1];
    if (tail && tail.start + tail.len === pos && tail.len + size <= tail.buf.length) return tail;
    const cap = Math.max(this.#chunkSize, size);
    let buf: Uint8Array | undefined;
    while (chunks.length > 0 && this.#bytes + (buf ? 0 : cap) > this.#maxBytes) {
      const front = chunks[0];
      if (front.start + front.len > writtenPos) break;
      chunks.shift();
      if (!buf && front.buf.length === cap) {
        buf = front.buf;
      } else {
        this.#bytes -= front.buf.length;
      }
    }
    if (!buf) {
      buf = new Uint8Array(cap);
      this.#bytes += cap;
    }
    const chunk = { start: pos, buf, len: 0 };
    chunks.push(chunk);
    return chunk;
  }

  /** The chunk holding offset `pos`, or undefined. */
  find(pos: number): CacheChunk | undefined {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid];
      if (pos < c.start) hi = mid - 1;
      else if (pos >= c.start + c.len) lo = mid + 1;
      else return c;
    }
    return undefined;
  }

  /** Copies `len` bytes at `pos` into dst; false when they are not all in one chunk. */
  copyTo(pos: number, len: number, dst: Uint8Array, dstPos: number): boolean {
    const c = this.find(pos);
    if (!c || pos + len > c.start + c.len) return false;
    const from = pos - c.start;
    dst.set(c.buf.subarray(from, from + len), dstPos);
    return true;
  }

  /** Drops every chunk whose bytes are all on disk (after an idle period). */
  release(writtenPos: number): void {
    const chunks = this.#chunks;
    while (chunks.length > 0 && chunks[0].start + chunks[0].len <= writtenPos) {
      this.#bytes -= chunks.shift()!.buf.length;
    }
  }

  /** Forgets everything at or after `pos` (the log was cut back there). */
  truncate(pos: number): void {
    const chunks = this.#chunks;
    while (chunks.length > 0) {
      const c = chunks[chunks.length - 1];
      if (c.start >= pos) {
        chunks.pop();
        this.#bytes -= c.buf.length;
      } else {
        if (c.start + c.len > pos) c.len = pos - c.start;
        break;
      }
    }
  }
}
