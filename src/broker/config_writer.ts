/**
 * One of the broker's `config/*.json` files, kept from a table that changes often: written
 * whole through an AtomicFile (tmp, sync, rename, `.bak`), where calls made while a write runs
 * share one more write after it, so a burst of changes costs two writes and the file always
 * ends with the latest state. With `minIntervalMs`, writes start at most that often, so a
 * stream of changes to a big table (topics created one by one) costs a write per batch, not
 * the whole table per change.
 */
import { AtomicFile, type LoadedFile } from "../common/atomic_file.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";

const log = logger("broker");

export class ConfigWriter {
  readonly #file: AtomicFile;
  readonly #render: () => string;
  readonly #minIntervalMs: number;
  #writing: Promise<void> | undefined;
  #again = false;
  #lastStart = 0;
  #wait: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined;

  /** `render` gives the file's text at the time of each write. */
  constructor(path: string, render: () => string, minIntervalMs = 0) {
    this.#file = new AtomicFile(path);
    this.#render = render;
    this.#minIntervalMs = minIntervalMs;
  }

  get path(): string {
    return this.#file.path;
  }

  /** Reads the file (or its `.bak`) with `parse`; undefined when neither gives a value. */
  load<T>(parse: (text: string) => T): Promise<LoadedFile<T> | undefined> {
    return this.#file.load(parse);
  }

  /** Writes the file soon; resolves once a write that started after this call is done. Never rejects. */
  persist(): Promise<void> {
    if (this.#writing) {
      this.#again = true;
      return this.#writing;
    }
    const run = async (): Promise<void> => {
      const wait = this.#lastStart + this.#minIntervalMs - Date.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          this.#wait = { timer: setTimeout(resolve, wait), resolve };
        });
        this.#wait = undefined;
      }
      do {
        this.#again = false;
        this.#lastStart = Date.now();
        try {
          await this.#file.write(this.#render());
        } catch (e) {
          // The next change, timer tick or shutdown writes again.
          log.error("Cannot write {path}: {error}", { path: this.path, error: errorMessage(e) });
        }
      } while (this.#again);
      this.#writing = undefined;
    };
    this.#writing = run();
    return this.#writing;
  }

  /** Resolves once every write asked for so far is done (a batch waiting starts at once). */
  async flush(): Promise<void> {
    while (this.#writing) {
      const w = this.#wait;
      if (w) {
        clearTimeout(w.timer);
        w.resolve();
      }
      await this.#writing;
    }
  }
}
