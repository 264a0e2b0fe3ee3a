/**
 * Long polling (PullRequestHoldService, REMOTING.md §3.3): a pull that found nothing new is
 * held, keyed by its topic and queue, until the store dispatches a message to that queue or the
 * hold time passes, then the pull runs again and is answered — exactly once.
 *
 * Wake-ups come from the store's dispatch (onQueueGrow) the moment a queue grows; there is no
 * polling loop. Each held pull has its own timer for its deadline. A held pull whose channel
 * closes is dropped; at shutdown every held pull is answered before the server drains, and
 * pulls arriving after that are not held.
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import type { Channel } from "../remoting/channel.ts";
import type { RemotingCommand } from "../remoting/command.ts";
import type { MessageStore } from "../store/message_store.ts";

const log = logger("broker");

/** A suspended pull, as the pull processor hands it over. */
export interface HeldPull {
  readonly topic: string;
  readonly queueId: number;
  readonly channel: Channel;
  /** The queue offset the pull waits to see exceeded; the processor may move it forward. */
  offset: number;
  /**
   * Runs the pull again. Returns its answer, or undefined to go on holding (only when
   * `final` is false: a wake-up that brought nothing the pull wants).
   */
  retry(final: boolean): Promise<RemotingCommand | undefined>;
  /** Delivers the answer (null: none, the connection is gone). Called exactly once. */
  answer(response: RemotingCommand | null): void;
}

interface Entry {
  readonly pull: HeldPull;
  readonly queue: Set<Entry>;
  timer: ReturnType<typeof setTimeout> | undefined;
  running: boolean;
  /** The deadline passed (or shutdown came) while a retry ran. */
  expired: boolean;
  /** The queue grew while a retry ran. */
  woken: boolean;
  done: boolean;
  /** Called once it is answered (shutdown waits on them). */
  waiters: (() => void)[];
}

export class PullRequestHoldService {
  readonly #store: MessageStore;
  readonly #byQueue = new Map<string, Map<number, Set<Entry>>>();
  readonly #byChannel = new Map<Channel, Set<Entry>>();
  #unsubscribe: (() => void) | undefined;
  #closing = false;
  #held = 0;

  constructor(store: MessageStore) {
    this.#store = store;
  }

  /** Listens to the store's dispatch. */
  start(): void {
    this.#unsubscribe ??= this.#store.onQueueGrow((topic, queueId, maxOffset) => {
      const queue = this.#byQueue.get(topic)?.get(queueId);
      if (queue) this.#wake(queue, maxOffset);
    });
  }

  /** Pulls held right now. */
  get size(): number {
    return this.#held;
  }

  /** Whether pulls may be held (false once shutdown began: they are answered at once). */
  get accepting(): boolean {
    return !this.#closing;
  }

  /**
   * Holds a pull for at most `holdMs`. A message dispatched to its queue in the meantime wakes
   * it at once.
   */
  suspend(pull: HeldPull, holdMs: number): void {
    let byId = this.#byQueue.get(pull.topic);
    if (!byId) {
      byId = new Map();
      this.#byQueue.set(pull.topic, byId);
    }
    let queue = byId.get(pull.queueId);
    if (!queue) {
      queue = new Set();
      byId.set(pull.queueId, queue);
    }
    const e: Entry = {
      pull,
      queue,
      timer: undefined,
      running: false,
      expired: false,
      woken: false,
      done: false,
      waiters: [],
    };
    queue.add(e);
    let mine = this.#byChannel.get(pull.channel);
    if (!mine) {
      mine = new Set();
      this.#byChannel.set(pull.channel, mine);
    }
    mine.add(e);
    this.#held++;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      this.#expire(e);
    }, holdMs);
    // A message may have been dispatched between the read that found nothing and now.
    if (this.#grewPast(pull)) this.#run(e);
  }

  #wake(queue: Set<Entry>, maxOffset: number): void {
    // Deferred: the store calls this from inside its dispatch pass.
    queueMicrotask(() => {
      for (const e of queue) {
        if (e.pull.offset >= maxOffset) continue;
        if (e.running) e.woken = true;
        else this.#run(e);
      }
    });
  }

  /** Whether the queue holds entries past the pull's offset (a retry may have moved it). */
  #grewPast(pull: HeldPull): boolean {
    return this.#store.getMaxOffsetInQueue(pull.topic, pull.queueId) > pull.offset;
  }

  #expire(e: Entry): void {
    if (e.done) return;
    e.expired = true;
    if (!e.running) this.#run(e);
  }

  async #run(e: Entry): Promise<void> {
    if (e.done || e.running) return;
    e.running = true;
    let response: RemotingCommand | undefined;
    let failed = false;
    try {
      do {
        const final = e.expired;
        e.woken = false;
        response = await e.pull.retry(final);
        if (!response && final) throw new Error("a final retry gave no answer");
      } while (!response && !e.done && (e.woken || e.expired || this.#grewPast(e.pull)));
    } catch (err) {
      log.error("Held pull on {topic}:{queueId} failed: {error}", {
        topic: e.pull.topic,
        queueId: e.pull.queueId,
        error: errorMessage(err),
      });
      failed = true;
    }
    e.running = false;
    if (e.done) return;
    if (response || failed) this.#finish(e, response ?? null);
  }

  #finish(e: Entry, response: RemotingCommand | null): void {
    if (e.done) return;
    e.done = true;
    this.#held--;
    if (e.timer !== undefined) clearTimeout(e.timer);
    e.timer = undefined;
    e.queue.delete(e);
    const mine = this.#byChannel.get(e.pull.channel);
    if (mine) {
      mine.delete(e);
      if (mine.size === 0) this.#byChannel.delete(e.pull.channel);
    }
    if (e.queue.size === 0) {
      const byId = this.#byQueue.get(e.pull.topic);
      byId?.delete(e.pull.queueId);
      if (byId?.size === 0) this.#byQueue.delete(e.pull.topic);
    }
    e.pull.answer(response);
    for (const w of e.waiters) w();
  }

  /** Drops the pulls held for a closed connection (nobody is left to answer). */
  channelClosed(channel: Channel): void {
    const mine = this.#byChannel.get(channel);
    if (!mine) return;
    for (const e of [...mine]) this.#finish(e, null);
  }

  /**
   * Answers every held pull now (with whatever a last read finds) and stops holding new ones;
   * resolves once all are answered.
   */
  async answerAll(): Promise<void> {
    this.#closing = true;
    const all: Entry[] = [];
    for (const byId of this.#byQueue.values()) for (const q of byId.values()) all.push(...q);
    await Promise.all(all.map((e) => {
      this.#expire(e);
      return this.#settled(e);
    }));
  }

  #settled(e: Entry): Promise<void> {
    if (e.done) return Promise.resolve();
    return new Promise((resolve) => e.waiters.push(resolve));
  }

  /** Stops listening to the store; held pulls (if any are left) are dropped. */
  shutdown(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const mine of [...this.#byChannel.values()]) {
      for (const e of [...mine]) this.#finish(e, null);
    }
  }
}
