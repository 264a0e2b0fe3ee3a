/**
 * Puts waiting for the commit log to reach an offset (handed to the OS, or durable). Offsets
 * and deadlines arrive in increasing order (a put registers right after it appends and every
 * wait uses the same timeout), so one FIFO and one timer for its head serve them all.
 */
export class OffsetWaiters<T> {
  #offsets: number[] = [];
  #deadlines: number[] = [];
  #resolvers: ((v: T) => void)[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #timeoutValue: T;

  constructor(timeoutValue: T) {
    this.#timeoutValue = timeoutValue;
  }

  get size(): number {
    return this.#offsets.length - this.#head;
  }

  /** Resolves with a value given to resolveUpTo/resolveAll, or the timeout value after `ms`. */
  wait(offset: number, ms: number): Promise<T> {
    return new Promise<T>((resolve) => {
      this.#offsets.push(offset);
      this.#deadlines.push(Date.now() + ms);
      this.#resolvers.push(resolve);
      if (this.#timer === undefined) this.#arm();
    });
  }

  /** Resolves every waiter whose offset is at or below `offset`. */
  resolveUpTo(offset: number, value: T): void {
    while (this.#head < this.#offsets.length && this.#offsets[this.#head] <= offset) {
      this.#take()(value);
    }
    this.#settle();
  }

  resolveAll(value: T): void {
    while (this.#head < this.#offsets.length) this.#take()(value);
    this.#settle();
  }

  #take(): (v: T) => void {
    const r = this.#resolvers[this.#head];
    this.#resolvers[this.#head] = noop;
    this.#head++;
    return r;
  }

  #settle(): void {
    if (this.#head === this.#offsets.length) {
      this.#offsets.length = this.#deadlines.length = this.#resolvers.length = 0;
      this.#head = 0;
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
    } else if (this.#head > 1024 && this.#head * 2 > this.#offsets.length) {
      this.#offsets.splice(0, this.#head);
      this.#deadlines.splice(0, this.#head);
      this.#resolvers.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #arm(): void {
    const delay = Math.max(1, this.#deadlines[this.#head] - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = Date.now();
      while (this.#head < this.#offsets.length && this.#deadlines[this.#head] <= now) {
        this.#take()(this.#timeoutValue);
      }
      this.#settle();
      if (this.#head < this.#offsets.length && this.#timer === undefined) this.#arm();
    }, delay);
  }
}

function noop(): void {}

/** A wake-up flag for a service loop: notify() before wait() is not lost. */
export class Signal {
  #pending = false;
  #resolve: (() => void) | undefined;

  notify(): void {
    const r = this.#resolve;
    if (r) {
      this.#resolve = undefined;
      r();
    } else {
      this.#pending = true;
    }
  }

  /** Resolves at the next notify() (or a pending one), or after `timeoutMs` when given. */
  wait(timeoutMs?: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    if (timeoutMs === undefined) return new Promise((r) => this.#resolve = r);
    return new Promise((r) => {
      const timer = setTimeout(() => {
        if (this.#resolve === done) this.#resolve = undefined;
        r();
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        r();
      };
      this.#resolve = done;
    });
  }
}
