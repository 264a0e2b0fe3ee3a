/**
 * Bounds the sends a broker holds (RocketMQ's send thread-pool queue and BrokerFastFailure):
 * every send is admitted into a FIFO of start times until the store answers it. A send is
 * refused with SYSTEM_BUSY when the FIFO is full ([OVERLOAD]) or when the oldest unanswered
 * send has waited longer than the allowed time ([TIMEOUT_CLEAN_QUEUE]): the store is behind,
 * and taking more would only grow memory. Refused sends are dropped at once, body and all.
 */

export class SendFlowControl {
  readonly capacity: number;
  #maxWaitMs: number;
  #fastFailure: boolean;
  readonly #starts: Float64Array;
  readonly #done: Uint8Array;
  #head = 0;
  #tail = 0;
  #size = 0;
  #refused = 0;
  /** Why the last refused send was refused. */
  refusal = "";

  /**
   * @param capacity most sends held at once (sendThreadPoolQueueCapacity)
   * @param maxWaitMs how long the oldest may wait before new sends are refused
   * @param fastFailure whether the wait limit applies (brokerFastFailureEnable)
   */
  constructor(capacity: number, maxWaitMs: number, fastFailure = true) {
    this.capacity = capacity;
    this.#maxWaitMs = maxWaitMs;
    this.#fastFailure = fastFailure;
    this.#starts = new Float64Array(capacity);
    this.#done = new Uint8Array(capacity);
  }

  /** Sends admitted and not yet answered (counting answered ones behind a slower one). */
  get size(): number {
    return this.#size;
  }

  /** Sends refused so far. */
  get refused(): number {
    return this.#refused;
  }

  /** How long the oldest unanswered send has waited, ms (0 when none). */
  headWaitMs(now = Date.now()): number {
    return this.#size === 0 ? 0 : now - this.#starts[this.#head];
  }

  update(maxWaitMs: number, fastFailure: boolean): void {
    this.#maxWaitMs = maxWaitMs;
    this.#fastFailure = fastFailure;
  }

  /**
   * Admits one send: returns its slot (give it back with done()), or -1 when it is refused;
   * `refusal` then says why, in the remark RocketMQ answers with.
   */
  admit(now = Date.now()): number {
    if (this.#size >= this.capacity) {
      this.#refused++;
      this.refusal = "[OVERLOAD]system busy, start flow control for a while";
      return -1;
    }
    if (this.#fastFailure && this.#size > 0) {
      const waited = now - this.#starts[this.#head];
      if (waited > this.#maxWaitMs) {
        this.#refused++;
        this.refusal = "[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, " +
          `period in queue: ${waited}ms, size of queue: ${this.#size}`;
        return -1;
      }
    }
    const slot = this.#tail;
    this.#starts[slot] = now;
    this.#done[slot] = 0;
    this.#tail = slot + 1 === this.capacity ? 0 : slot + 1;
    this.#size++;
    return slot;
  }

  /** Gives a slot back once the send is answered. */
  done(slot: number): void {
    this.#done[slot] = 1;
    while (this.#size > 0 && this.#done[this.#head] === 1) {
      this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
      this.#size--;
    }
  }
}
