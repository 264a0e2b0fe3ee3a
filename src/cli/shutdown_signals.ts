/**
 * SIGINT / SIGTERM for the server commands: the first starts a graceful shutdown; a second
 * one during it is only acknowledged (a terminal's Ctrl-C under `deno task` reaches the
 * process twice, and cutting the shutdown short would leave the store to crash recovery and
 * lose offsets committed just before); a third forces the exit, saying so.
 */
import { logger } from "../common/log.ts";

const log = logger("cli");

/** The exit code of a forced stop: 128 + SIGINT, as shells report it. */
export const FORCED_EXIT_CODE = 130;

export class ShutdownSignals implements Disposable {
  /** Resolves with the first signal. */
  readonly first: Promise<Deno.Signal>;
  readonly #handlers: [Deno.Signal, () => void][] = [];
  #count = 0;

  constructor() {
    let resolve!: (s: Deno.Signal) => void;
    this.first = new Promise((r) => resolve = r);
    const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    for (const sig of signals) {
      const h = () => {
        this.#count++;
        if (this.#count === 1) {
          resolve(sig);
        } else if (this.#count === 2) {
          log.warn(
            "Received {signal} again: still shutting down (send it once more to stop at once)",
            {
              signal: sig,
            },
          );
        } else {
          log.error("Received {signal} a third time: exiting now, before shutdown finished", {
            signal: sig,
          });
          Deno.exit(FORCED_EXIT_CODE);
        }
      };
      Deno.addSignalListener(sig, h);
      this.#handlers.push([sig, h]);
    }
  }

  /** Stops listening (the command is done; the process may exit). */
  [Symbol.dispose](): void {
    for (const [s, h] of this.#handlers.splice(0)) Deno.removeSignalListener(s, h);
  }
}
