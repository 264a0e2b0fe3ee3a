/**
 * One of the broker's `config/*.json` files, kept from a table that changes often: written
 * whole through an AtomicFile (tmp, sync, rename, `.bak`), where calls made while a write runs
 * share one more write after it, so a burst of changes costs two writes and the file always
 * ends with the latest state.
 */
import { AtomicFile, type LoadedFile } from "../common/atomic_file.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";

const log = logger("broker");

export class ConfigWriter {
  readonly #file: AtomicFile;
  readonly #render: () => string;
  #writing: Promise<void> | undefined;
  #again = false;

  /** `render` gives the file's text at the time of each write. */
  constructor(path: string, render: () => string) {
    this.#file = new AtomicFile(path);
    this.#render = render;
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
      do {
        this.#again = false;
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

  /** Resolves once every write asked for so far is done. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }
}
