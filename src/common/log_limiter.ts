/**
 * Keeps one kind of log line from flooding the log: at most `max` lines per `intervalMs`,
 * the rest counted, and the count reported with the next line let through. A peer sending a
 * stream of garbage (600,000 malformed frames under a fuzzer) then costs a few lines a minute.
 */
export class LogLimiter {
  readonly #max: number;
  readonly #intervalMs: number;
  #windowStart = -Infinity;
  #shown = 0;
  #held = 0;

  constructor(max: number, intervalMs: number) {
    this.#max = max;
    this.#intervalMs = intervalMs;
  }

  /**
   * Whether to write this line: undefined to drop it, else how many were dropped since the
   * last one written (to say so in this one).
   */
  take(now: number = Date.now()): number | undefined {
    if (now - this.#windowStart >= this.#intervalMs) {
      this.#windowStart = now;
      this.#shown = 0;
    }
    if (this.#shown >= this.#max) {
      this.#held++;
      return undefined;
    }
    this.#shown++;
    const held = this.#held;
    this.#held = 0;
    return held;
  }
}
