/**
 * The read/write handles a store's data files keep open, capped (least recently used idle
 * ones are closed, and reopen on their next use), so a store with thousands of queue files
 * stays far below the process's file-descriptor limit. One per store, handed to every part
 * that opens data files.
 */

/** Most handles a store keeps open at once. */
export const MAX_OPEN_HANDLES = 256;

/** A file whose handle may be closed for it. */
export interface PooledFile {
  /** False while an operation needs the handle to stay open (a sync in progress). */
  readonly idle: boolean;
  /** Closes the handle; the file reopens it on its next use. */
  releaseHandle(): void;
}

export class FileHandles {
  readonly max: number;
  /** Open files, least recently used first (a Set keeps insertion order). */
  readonly #open = new Set<PooledFile>();

  constructor(max = MAX_OPEN_HANDLES) {
    this.max = max;
  }

  get size(): number {
    return this.#open.size;
  }

  /** `f` used its open handle: it becomes the most recently used. */
  used(f: PooledFile): void {
    this.#open.delete(f);
    this.#open.add(f);
  }

  /** `f` is about to open its handle: make room first when the cap is reached. */
  opening(f: PooledFile): void {
    if (this.#open.size >= this.max) {
      for (const o of this.#open) {
        if (o.idle) {
          o.releaseHandle();
          break;
        }
      }
    }
    this.#open.add(f);
  }

  /** `f` closed its handle. */
  closed(f: PooledFile): void {
    this.#open.delete(f);
  }
}
