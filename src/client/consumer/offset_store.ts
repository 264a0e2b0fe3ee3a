/**
 * Where a consumer keeps its progress (Java's OffsetStore): per queue, the next offset to
 * consume. Updates go to memory; persisting sends them on.
 *
 * - RemoteBrokerOffsetStore (clustering): the group's offsets live on the broker that owns the
 *   queue (QUERY_CONSUMER_OFFSET / UPDATE_CONSUMER_OFFSET, REMOTING.md §3.4), so every member
 *   of the group sees them.
 * - LocalFileOffsetStore (broadcasting): every consumer keeps its own in
 *   `<dir>/<clientId>/<group>/offsets.json` (dir default `~/.rocketmq_offsets`), written as
 *   Java writes it: `{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:12}}` (the
 *   shape of ResetOffsetBody), whole through an AtomicFile (the previous one kept as `.bak`).
 */
import { AtomicFile } from "../../common/atomic_file.ts";
import { textEncoder } from "../../common/bytes.ts";
import { errorMessage } from "../../common/errors.ts";
import { homeDir } from "../../common/home.ts";
import { logger } from "../../common/log.ts";
import {
  decodeResetOffsetBody,
  encodeResetOffsetBody,
} from "../../remoting/body/reset_offset_body.ts";
import { type MessageQueue, messageQueueKey } from "../../remoting/body/message_queue.ts";
import type { ClientInstance } from "../client_instance.ts";
import { MQBrokerError } from "../errors.ts";

const log = logger("client", "offset");

/** What readOffset answers when nothing is known. */
export const OFFSET_NONE = -1;
/** readOffset from the broker failed for another reason than "none stored" (Java's -2). */
export const OFFSET_ERROR = -2;

interface Entry {
  readonly mq: MessageQueue;
  offset: number;
}

export interface OffsetStore {
  /** Reads persisted offsets (local file) — a no-op for the broker store. */
  load(): Promise<void>;
  /** Sets the in-memory offset; with `increaseOnly` an offset below the current one is ignored. */
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** The in-memory offset, OFFSET_NONE when there is none. */
  readOffsetFromMemory(mq: MessageQueue): number;
  /**
   * The persisted offset (the broker's or the file's), also kept in memory; OFFSET_NONE when
   * none is stored, OFFSET_ERROR when it could not be read.
   */
  readOffsetFromStore(mq: MessageQueue): Promise<number>;
  /** Persists the offsets of these queues and forgets every other one. */
  persistAll(mqs: readonly MessageQueue[]): Promise<void>;
  /** Persists one queue's offset. */
  persist(mq: MessageQueue): Promise<void>;
  /** Forgets a queue's offset (not persisted). */
  removeOffset(mq: MessageQueue): void;
  /** Every in-memory offset (of one topic when given). */
  offsets(topic?: string): [MessageQueue, number][];
}

/** The in-memory table both stores share. */
abstract class MemoryOffsetTable {
  protected readonly table = new Map<string, Entry>();

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = messageQueueKey(mq);
    const e = this.table.get(key);
    if (!e) this.table.set(key, { mq, offset });
    else if (!increaseOnly || offset > e.offset) e.offset = offset;
  }

  readOffsetFromMemory(mq: MessageQueue): number {
    return this.table.get(messageQueueKey(mq))?.offset ?? OFFSET_NONE;
  }

  removeOffset(mq: MessageQueue): void {
    this.table.delete(messageQueueKey(mq));
  }

  offsets(topic?: string): [MessageQueue, number][] {
    const out: [MessageQueue, number][] = [];
    for (const e of this.table.values()) {
      if (topic === undefined || e.mq.topic === topic) out.push([e.mq, e.offset]);
    }
    return out;
  }
}

/** Offsets on the brokers (CLUSTERING). */
export class RemoteBrokerOffsetStore extends MemoryOffsetTable implements OffsetStore {
  readonly #instance: ClientInstance;
  readonly #group: string;

  constructor(instance: ClientInstance, group: string) {
    super();
    this.#instance = instance;
    this.#group = group;
  }

  load(): Promise<void> {
    return Promise.resolve();
  }

  async readOffsetFromStore(mq: MessageQueue): Promise<number> {
    try {
      const addr = await this.#instance.adminAddressOf(mq);
      const offset = await this.#instance.api.queryConsumerOffset(
        addr,
        { consumerGroup: this.#group, topic: mq.topic, queueId: mq.queueId },
        this.#instance.config.mqClientApiTimeoutMs,
      );
      this.updateOffset(mq, offset, false);
      return offset;
    } catch (e) {
      // Java: any broker answer but 0 (22 above all) means "none stored".
      if (e instanceof MQBrokerError) return OFFSET_NONE;
      log.warn("Cannot read offset of {mq} for {group}: {error}", {
        mq: messageQueueKey(mq),
        group: this.#group,
        error: errorMessage(e),
      });
      return OFFSET_ERROR;
    }
  }

  async persistAll(mqs: readonly MessageQueue[]): Promise<void> {
    const keep = new Set(mqs.map(messageQueueKey));
    const calls: Promise<void>[] = [];
    for (const [key, e] of this.table) {
      if (!keep.has(key)) {
        this.table.delete(key);
        continue;
      }
      calls.push(this.#update(e.mq, e.offset));
    }
    await Promise.all(calls);
  }

  async persist(mq: MessageQueue): Promise<void> {
    const e = this.table.get(messageQueueKey(mq));
    if (e) await this.#update(e.mq, e.offset);
  }

  /** UPDATE_CONSUMER_OFFSET for one queue; failures are logged (the next persist retries). */
  async #update(mq: MessageQueue, offset: number): Promise<void> {
    try {
      const addr = await this.#instance.adminAddressOf(mq);
      await this.#instance.api.updateConsumerOffset(
        addr,
        { consumerGroup: this.#group, topic: mq.topic, queueId: mq.queueId, commitOffset: offset },
        this.#instance.config.mqClientApiTimeoutMs,
      );
    } catch (e) {
      log.warn("Cannot persist offset {offset} of {mq} for {group}: {error}", {
        offset,
        mq: messageQueueKey(mq),
        group: this.#group,
        error: errorMessage(e),
      });
    }
  }
}

/** Java's default directory for broadcasting offsets (rocketmq.client.localOffsetStoreDir). */
export function defaultLocalOffsetStoreDir(): string {
  return `${homeDir() ?? "."}/.rocketmq_offsets`;
}

/** Offsets in a local file (BROADCASTING). */
export class LocalFileOffsetStore extends MemoryOffsetTable implements OffsetStore {
  /** `<dir>/<clientId>/<group>/offsets.json`. */
  readonly path: string;
  readonly #file: AtomicFile;
  /** What the file held when last read or written. */
  #persisted = new Map<string, Entry>();

  constructor(dir: string, clientId: string, group: string) {
    super();
    this.path = `${dir}/${clientId}/${group}/offsets.json`;
    this.#file = new AtomicFile(this.path);
  }

  async load(): Promise<void> {
    this.#persisted = await this.#read();
    for (const [key, e] of this.#persisted) this.table.set(key, { mq: e.mq, offset: e.offset });
  }

  async readOffsetFromStore(mq: MessageQueue): Promise<number> {
    try {
      this.#persisted = await this.#read();
    } catch (e) {
      log.warn("Cannot read {path}: {error}", { path: this.path, error: errorMessage(e) });
      return OFFSET_ERROR;
    }
    const e = this.#persisted.get(messageQueueKey(mq));
    if (!e) return OFFSET_NONE;
    this.updateOffset(mq, e.offset, false);
    return e.offset;
  }

  async persistAll(mqs: readonly MessageQueue[]): Promise<void> {
    if (mqs.length === 0) return;
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      const e = this.table.get(key);
      if (e) this.#persisted.set(key, { mq: e.mq, offset: e.offset });
    }
    await this.#write();
  }

  async persist(mq: MessageQueue): Promise<void> {
    await this.persistAll([mq]);
  }

  /** The file's table (the `.bak` copy when the file is missing or unreadable). */
  async #read(): Promise<Map<string, Entry>> {
    const loaded = await this.#file.load((text) => {
      const out = new Map<string, Entry>();
      for (const [mq, offset] of decodeResetOffsetBody(textEncoder.encode(text))) {
        out.set(messageQueueKey(mq), { mq, offset });
      }
      return out;
    });
    return loaded?.value ?? new Map();
  }

  async #write(): Promise<void> {
    const body = encodeResetOffsetBody([...this.#persisted.values()].map((e) => [e.mq, e.offset]));
    try {
      await this.#file.write(body);
    } catch (e) {
      log.warn("Cannot write offsets to {path}: {error}", {
        path: this.path,
        error: errorMessage(e),
      });
    }
  }
}
