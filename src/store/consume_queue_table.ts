/** Every consume queue of the store, by topic and queue id (`consumequeue/<topic>/<queueId>/`). */
import { logger } from "../common/log.ts";
import { ConsumeQueue } from "./consume_queue.ts";
import type { FileHandles } from "./file_handles.ts";

const log = logger("store");

export class ConsumeQueueTable {
  readonly root: string;
  readonly fileSize: number;
  readonly #handles: FileHandles;
  readonly #topics = new Map<string, Map<number, ConsumeQueue>>();

  constructor(root: string, fileSize: number, handles: FileHandles) {
    this.root = root;
    this.fileSize = fileSize;
    this.#handles = handles;
  }

  /** Opens every queue found on disk. */
  load(): void {
    Deno.mkdirSync(this.root, { recursive: true });
    for (const t of Deno.readDirSync(this.root)) {
      if (!t.isDirectory) continue;
      for (const q of Deno.readDirSync(`${this.root}/${t.name}`)) {
        if (!q.isDirectory || !/^\d+$/.test(q.name)) continue;
        const cq = new ConsumeQueue(
          this.root,
          t.name,
          Number(q.name),
          this.fileSize,
          this.#handles,
        );
        cq.load();
        this.#queues(t.name).set(cq.queueId, cq);
      }
    }
  }

  #queues(topic: string): Map<number, ConsumeQueue> {
    let m = this.#topics.get(topic);
    if (!m) {
      m = new Map();
      this.#topics.set(topic, m);
    }
    return m;
  }

  get(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.#topics.get(topic)?.get(queueId);
  }

  getOrCreate(topic: string, queueId: number): ConsumeQueue {
    const m = this.#queues(topic);
    let cq = m.get(queueId);
    if (!cq) {
      cq = new ConsumeQueue(this.root, topic, queueId, this.fileSize, this.#handles);
      m.set(queueId, cq);
    }
    return cq;
  }

  *all(): IterableIterator<ConsumeQueue> {
    for (const m of this.#topics.values()) yield* m.values();
  }

  topics(): string[] {
    return [...this.#topics.keys()];
  }

  /** Every topic with queues, and how many queues it has (its highest queue id + 1). */
  queueNums(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [topic, m] of this.#topics) {
      if (m.size > 0) out.set(topic, Math.max(...m.keys()) + 1);
    }
    return out;
  }

  /** The queues of one topic, by queue id. */
  queuesOf(topic: string): ReadonlyMap<number, ConsumeQueue> | undefined {
    return this.#topics.get(topic);
  }

  /** Deletes a topic's queues and their files. */
  deleteTopic(topic: string): void {
    const m = this.#topics.get(topic);
    if (!m) return;
    for (const cq of m.values()) cq.destroy();
    this.#topics.delete(topic);
    try {
      Deno.removeSync(`${this.root}/${topic}`, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    log.info("Deleted consume queues of topic {topic}", { topic });
  }

  /** Deletes one queue and its files (the topic too when it was its last). */
  deleteQueue(topic: string, queueId: number): void {
    const m = this.#topics.get(topic);
    const cq = m?.get(queueId);
    if (!m || !cq) return;
    if (m.size === 1) return this.deleteTopic(topic);
    cq.destroy();
    m.delete(queueId);
    try {
      Deno.removeSync(`${this.root}/${topic}/${queueId}`, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    log.info("Deleted consume queue {topic}/{queueId}", { topic, queueId });
  }

  close(): void {
    for (const cq of this.all()) cq.close();
  }
}
