import { decodeFrameContent, MAX_FRAME_LENGTH } from "./frame_codec.ts";
import type { RemotingCommand } from "./command.ts";

/**
 * An idle connection reads into a small buffer (its pending read pins it); one that fills its
 * buffer gets a bigger one, doubling up to BUSY_SIZE, and gives it back once it goes quiet.
 */
const IDLE_SIZE = 4 * 1024;
const BUSY_SIZE = 64 * 1024;
/**
 * Small bodies are copied into shared slabs of this size rather than each into its own
 * ArrayBuffer: a backing store per message (malloc'd, tracked as external memory) drove young
 * and old-generation collections at a rate that showed in latency percentiles. A slab lives
 * as long as any body in it.
 */
const SLAB_SIZE = 64 * 1024;
/** Bodies larger than this get their own buffer (a slab would hold too few of them). */
const SLAB_MAX_BODY = 8 * 1024;
/** A buffer grown for one huge frame shrinks back once it is idle and this large. */
const SHRINK_ABOVE = 1024 * 1024;

/**
 * Turns socket chunks into whole frames over one reused buffer. The read loop asks for
 * `writable()`, reads into it, `commit`s the byte count, then drains `next()`.
 * Bodies are copied out, so the buffer is reused at once. The buffer is small while the peer
 * is quiet and grows while it is busy (see IDLE_SIZE), so thousands of idle connections cost
 * little.
 */
export class FrameReader {
  #buf = new Uint8Array(IDLE_SIZE);
  #view = new DataView(this.#buf.buffer);
  #start = 0;
  #end = 0;
  #slab = new Uint8Array(0);
  #slabPos = 0;
  /** The last read's size, and whether it filled all the room it was given. */
  #lastRead = 0;
  #lastFilled = false;
  readonly #copyBody = (bytes: Uint8Array, start: number, end: number): Uint8Array => {
    const n = end - start;
    if (n > SLAB_MAX_BODY) return bytes.slice(start, end);
    if (this.#slabPos + n > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_SIZE);
      this.#slabPos = 0;
    }
    const body = this.#slab.subarray(this.#slabPos, this.#slabPos + n);
    body.set(bytes.subarray(start, end));
    this.#slabPos += n;
    return body;
  };

  /** Free space to read into; at least `min` bytes (compacting or growing as needed). */
  writable(min = 1024): Uint8Array {
    if (this.#lastFilled && this.#buf.length < BUSY_SIZE) {
      // The last read filled all the room it had: a busy peer, so read more at once.
      this.#lastFilled = false;
      this.#resize(this.#buf.length * 2);
    } else if (this.#start === this.#end && !this.#lastFilled && this.#lastRead < IDLE_SIZE) {
      this.#quiet();
    }
    if (this.#buf.length - this.#end < min) this.#makeRoom(min);
    return this.#buf.subarray(this.#end);
  }

  commit(n: number): void {
    this.#lastFilled = this.#end + n === this.#buf.length;
    this.#lastRead = n;
    this.#end += n;
  }

  /**
   * Nothing buffered and the last read was small: a quiet peer. The buffer shrinks and the body
   * slab goes, so an idle connection holds little more than its pending read's few KiB.
   */
  #quiet(): void {
    this.#start = this.#end = 0;
    if (this.#buf.length > IDLE_SIZE) this.#resize(IDLE_SIZE);
    if (this.#slab.length > 0) {
      this.#slab = new Uint8Array(0);
      this.#slabPos = 0;
    }
  }

  /** Copies a chunk in (for callers that already hold bytes, and for tests). */
  push(chunk: Uint8Array): void {
    this.writable(chunk.length).set(chunk);
    this.commit(chunk.length);
  }

  /** Size of the read buffer (the body slab included). */
  get capacity(): number {
    return this.#buf.length + this.#slab.length;
  }

  /** Bytes held that do not yet form a whole frame. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** The next whole frame, or undefined if more bytes are needed. Throws on a malformed frame. */
  next(): RemotingCommand | undefined {
    const avail = this.#end - this.#start;
    if (avail < 4) return this.#idle();
    const length = this.#view.getInt32(this.#start);
    if (length < 4 || length > MAX_FRAME_LENGTH) {
      throw new RangeError(`Cannot decode frame: length ${length} out of range`);
    }
    if (avail < 4 + length) {
      // Make sure a big frame will fit once it has arrived.
      if (this.#buf.length - this.#start < 4 + length) this.#makeRoom(4 + length - avail);
      return undefined;
    }
    const cmd = decodeFrameContent(this.#buf, this.#start + 4, length, this.#copyBody);
    this.#start += 4 + length;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return cmd;
  }

  #idle(): undefined {
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      if (this.#buf.length > SHRINK_ABOVE) this.#resize(BUSY_SIZE);
    }
    return undefined;
  }

  #makeRoom(min: number): void {
    const used = this.#end - this.#start;
    if (this.#start > 0 && this.#buf.length - used >= min) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#start = 0;
      this.#end = used;
      return;
    }
    let size = this.#buf.length;
    while (size - used < min) size *= 2;
    this.#resize(size);
  }

  #resize(size: number): void {
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(this.#start, this.#end));
    this.#end -= this.#start;
    this.#start = 0;
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}
