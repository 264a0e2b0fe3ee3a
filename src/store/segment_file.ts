/**
 * One fixed-size data file of a log (a commit-log segment, a consume-queue file, an index file),
 * created at full length the way RocketMQ's mapped files are, so a Java broker accepts it.
 * The length is sparse until written.
 *
 * Deno has no positional read, so every read is `seekSync` + `readSync` back to back: being
 * synchronous, no other request can move the position in between. Asynchronous appends use a
 * second handle of their own, so they never race those reads.
 */
import { logger } from "../common/log.ts";
import type { FileHandles, PooledFile } from "./file_handles.ts";

const log = logger("store");

/** RocketMQ names data files by their start offset, zero-padded to this many digits. */
const FILE_NAME_DIGITS = 20;
const FILE_NAME = new RegExp(`^\\d{${FILE_NAME_DIGITS}}$`);

export function offsetToFileName(offset: number): string {
  return String(offset).padStart(FILE_NAME_DIGITS, "0");
}

/** The start offset a data file's name stands for, or undefined for any other name. */
export function fileNameToOffset(name: string): number | undefined {
  return FILE_NAME.test(name) ? Number(name) : undefined;
}

export class SegmentFile implements PooledFile {
  readonly path: string;
  /** Offset of this file's first byte within its log. */
  readonly start: number;
  readonly size: number;
  readonly #handles: FileHandles;
  #fd: Deno.FsFile | undefined;
  #appendFd: Deno.FsFile | undefined;
  #appendPos = -1;
  /** Position of #fd, so back-to-back reads and writes skip the seek (-1: unknown). */
  #fdPos = -1;
  #busy = 0;
  #removed = false;

  private constructor(path: string, start: number, size: number, handles: FileHandles) {
    this.path = path;
    this.start = start;
    this.size = size;
    this.#handles = handles;
  }

  /** Creates the file at full length (or adopts an existing one). */
  static create(path: string, start: number, size: number, handles: FileHandles): SegmentFile {
    const f = new SegmentFile(path, start, size, handles);
    const fd = f.#handle(true);
    if (fd.statSync().size < size) fd.truncateSync(size);
    return f;
  }

  /**
   * Opens an existing file. A file shorter than `size` (cut short by a crash while it was being
   * created) is extended with zeros; a longer one means the configured size is wrong.
   */
  static open(path: string, start: number, size: number, handles: FileHandles): SegmentFile {
    const length = Deno.statSync(path).size;
    if (length > size) {
      throw new RangeError(
        `Cannot open ${path}: its length ${length} exceeds the configured file size ${size}`,
      );
    }
    const f = new SegmentFile(path, start, size, handles);
    if (length < size) {
      log.warn("Extending short file {path} from {length} to {size} bytes", { path, length, size });
      f.#handle().truncateSync(size);
    }
    return f;
  }

  get end(): number {
    return this.start + this.size;
  }

  get idle(): boolean {
    return this.#busy === 0;
  }

  #handle(create = false): Deno.FsFile {
    if (this.#fd) {
      this.#handles.used(this);
      return this.#fd;
    }
    if (this.#removed) throw new Deno.errors.NotFound(`Cannot open ${this.path}: file was deleted`);
    this.#handles.opening(this);
    try {
      this.#fd = Deno.openSync(this.path, { read: true, write: true, create });
    } catch (e) {
      this.#handles.closed(this);
      throw e;
    }
    this.#fdPos = 0;
    return this.#fd;
  }

  releaseHandle(): void {
    this.#handles.closed(this);
    const fd = this.#fd;
    this.#fd = undefined;
    fd?.close();
  }

  /** Reads into `dst` from `pos` (relative to the file); returns the bytes read. */
  readSync(pos: number, dst: Uint8Array): number {
    const fd = this.#seek(pos);
    let n = 0;
    try {
      while (n < dst.length) {
        const r = fd.readSync(n === 0 ? dst : dst.subarray(n));
        if (r === null || r === 0) break;
        n += r;
      }
    } finally {
      this.#fdPos = n < dst.length ? -1 : pos + n;
    }
    return n;
  }

  writeSync(pos: number, src: Uint8Array): void {
    const fd = this.#seek(pos);
    let n = 0;
    try {
      while (n < src.length) n += fd.writeSync(n === 0 ? src : src.subarray(n));
    } finally {
      this.#fdPos = n < src.length ? -1 : pos + n;
    }
  }

  #seek(pos: number): Deno.FsFile {
    const fd = this.#handle();
    if (this.#fdPos !== pos) {
      this.#fdPos = -1;
      fd.seekSync(pos, Deno.SeekMode.Start);
      this.#fdPos = pos;
    }
    return fd;
  }

  #appendHandle(): Deno.FsFile {
    if (!this.#appendFd) {
      if (this.#removed) throw new Deno.errors.NotFound(`Cannot write ${this.path}: deleted`);
      this.#appendFd = Deno.openSync(this.path, { write: true });
      this.#appendPos = -1;
    }
    return this.#appendFd;
  }

  /** Writes `src` at `pos` through the append handle, without blocking the event loop. */
  async append(pos: number, src: Uint8Array): Promise<void> {
    const fd = this.#appendHandle();
    try {
      if (this.#appendPos !== pos) fd.seekSync(pos, Deno.SeekMode.Start);
      this.#appendPos = -1;
      let n = 0;
      while (n < src.length) n += await fd.write(src.subarray(n));
      this.#appendPos = pos + n;
    } catch (e) {
      this.#appendPos = -1;
      throw e;
    }
  }

  /** append(), synchronously: for small writes the thread hop costs more than the copy. */
  appendSync(pos: number, src: Uint8Array): void {
    const fd = this.#appendHandle();
    try {
      if (this.#appendPos !== pos) fd.seekSync(pos, Deno.SeekMode.Start);
      this.#appendPos = -1;
      let n = 0;
      while (n < src.length) n += fd.writeSync(n === 0 ? src : src.subarray(n));
      this.#appendPos = pos + n;
    } catch (e) {
      this.#appendPos = -1;
      throw e;
    }
  }

  /** Makes everything written so far durable (fdatasync). */
  async sync(): Promise<void> {
    this.#busy++;
    try {
      await (this.#appendFd ?? this.#handle()).syncData();
    } finally {
      this.#busy--;
    }
  }

  syncSync(): void {
    (this.#appendFd ?? this.#handle()).syncDataSync();
  }

  /** Zeroes everything from `pos` to the end, keeping the file's length (cut, then re-extend). */
  truncateTail(pos: number): void {
    const fd = this.#handle();
    this.#fdPos = -1;
    fd.truncateSync(pos);
    fd.truncateSync(this.size);
  }

  /** Last modification time in ms (retention goes by it, as RocketMQ's does). */
  mtime(): number {
    return Deno.statSync(this.path).mtime?.getTime() ?? 0;
  }

  /** Closes the append handle once the file is no longer written. */
  closeAppend(): void {
    const fd = this.#appendFd;
    this.#appendFd = undefined;
    this.#appendPos = -1;
    fd?.close();
  }

  close(): void {
    this.closeAppend();
    this.releaseHandle();
  }

  remove(): void {
    this.close();
    this.#removed = true;
    try {
      Deno.removeSync(this.path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}
