/**
 * Paces many concurrent senders to a total rate: each acquire() takes the next slot of a
 * schedule that advances 1/rate per message, and waits until that slot's time. Waits are
 * batched by the timer's own granularity, so a high rate costs few timers.
 */
export class RateLimiter {
  readonly #intervalMs: number;
  #next = performance.now();

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError(`Cannot pace at ${perSecond} messages/s`);
    this.#intervalMs = 1000 / perSecond;
  }

  acquire(): Promise<void> | undefined {
    const now = performance.now();
    // After a stall, do not burst to catch up on more than 10 ms of schedule.
    if (this.#next < now - 10) this.#next = now - 10;
    const at = this.#next;
    this.#next += this.#intervalMs;
    const wait = at - now;
    return wait >= 1 ? new Promise((r) => setTimeout(r, wait)) : undefined;
  }
}
