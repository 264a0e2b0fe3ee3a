/**
 * A small file replaced whole, so that no crash leaves it half-written (RocketMQ's
 * MixAll.string2File, with a sync Java skips): the new content goes to `<path>.tmp` and is
 * synced, the current file is kept as `<path>.bak`, `.tmp` is renamed over `<path>` and the
 * directory is synced. Loading falls back to `.bak` when the file is missing or does not parse.
 * The broker's `config/*.json`, the name server's KV config and a broadcasting consumer's
 * offsets are kept this way.
 */
import { textEncoder } from "./bytes.ts";
import { errorMessage } from "./errors.ts";
import { logger } from "./log.ts";

const log = logger("file");

export interface LoadedFile<T> {
  value: T;
  /** The file the value came from: the path itself or `<path>.bak`. */
  from: string;
}

export class AtomicFile {
  readonly path: string;
  /** Writes of this file run one after another, so `.tmp` is never shared. */
  #queue: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** Replaces the file's content, keeping the previous version as `.bak`. */
  write(content: string | Uint8Array): Promise<void> {
    const next = this.#queue.then(() => this.#replace(content), () => this.#replace(content));
    // The queue only orders writes: each caller sees its own write's outcome.
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #replace(content: string | Uint8Array): Promise<void> {
    const path = this.path;
    const dir = path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".";
    await Deno.mkdir(dir, { recursive: true });
    const tmp = `${path}.tmp`;
    const bytes = typeof content === "string" ? textEncoder.encode(content) : content;
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      let n = 0;
      while (n < bytes.length) n += await f.write(bytes.subarray(n));
      await f.syncData();
    } finally {
      f.close();
    }
    const bak = `${path}.bak`;
    try {
      await Deno.remove(bak);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    try {
      await Deno.link(path, bak);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        // First write: no previous version to keep.
      } else {
        await Deno.copyFile(path, bak);
      }
    }
    await Deno.rename(tmp, path);
    const d = await Deno.open(dir, { read: true });
    try {
      await d.syncData();
    } finally {
      d.close();
    }
  }

  /**
   * Reads the file and parses it with `parse` (which throws on bad text); on a missing or bad
   * file, tries `.bak`. Undefined when neither gives a value.
   */
  async load<T>(parse: (text: string) => T): Promise<LoadedFile<T> | undefined> {
    for (const candidate of [this.path, `${this.path}.bak`]) {
      let text: string;
      try {
        text = await Deno.readTextFile(candidate);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) continue;
        throw e;
      }
      try {
        return { value: parse(text), from: candidate };
      } catch (e) {
        log.warn("Cannot parse {path}: {error}", { path: candidate, error: errorMessage(e) });
      }
    }
    return undefined;
  }
}
