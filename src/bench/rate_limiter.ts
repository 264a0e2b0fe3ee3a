/**
 * Paces many concurrent senders to a total rate with one ticker: each tick (about 1 ms)
 * releases as many waiting senders as the rate allows since the last one. A timer per send
 * (10k timers/s at a 10k msg/s rate) crowded the event loop enough to add milliseconds to the
 * very latencies an e2e run measures.
 */
const MAX_CATCH_UP_MS = 10;

export class RateLimiter {
  readonly #perMs: number;
  #tokens = 0;
  #last = performance.now();
  readonly #waiting: (() => void)[] = [];
  #head = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError(`Cannot pace at ${perSecond} messages/s`);
    this.#perMs = perSecond / 1000;
  }

  /** Undefined when the caller may send now, else a promise of its turn. */
  acquire(): Promise<void> | undefined {
    this.#refill();
    if (this.#tokens >= 1 && this.#head === this.#waiting.length) {
      this.#tokens -= 1;
      return undefined;
    }
    const turn = new Promise<void>((r) => this.#waiting.push(r));
    this.#ticker ??= setInterval(() => this.#tick(), 1);
    return turn;
  }

  #refill(): void {
    const now = performance.now();
    // After a stall (GC, a late tick), catch up on at most 10 ms of schedule: the offered
    // rate holds (ticks are often 2–3 ms apart) without an unbounded burst after a long stall.
    this.#tokens = Math.min(
      this.#tokens + (now - this.#last) * this.#perMs,
      MAX_CATCH_UP_MS * this.#perMs + 1,
    );
    this.#last = now;
  }

  #tick(): void {
    this.#refill();
    while (this.#tokens >= 1 && this.#head < this.#waiting.length) {
      this.#tokens -= 1;
      this.#waiting[this.#head++]();
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = this.#head = 0;
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  /** Releases every waiting sender at once (the run is over) and stops the ticker. */
  close(): void {
    while (this.#head < this.#waiting.length) this.#waiting[this.#head++]();
    this.#waiting.length = this.#head = 0;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }
}
