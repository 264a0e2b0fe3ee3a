/**
 * Committed consumer offsets (ConsumerOffsetManager): per topic, group and queue the offset a
 * clustering group resumes from. Updated by UPDATE_CONSUMER_OFFSET and by pulls with the
 * COMMIT_OFFSET flag (the hot path: two map lookups, no string building), written to
 * `config/consumerOffset.json` every flushConsumerOffsetInterval and at shutdown. A commit past
 * the queue's end is stored as its end: kept as sent, the group would skip that many messages
 * still to come.
 */
import { parseFastJson, stringifyFastJson } from "../common/fastjson.ts";
import { logger } from "../common/log.ts";
import {
  type ConsumerOffsetTable,
  consumerOffsetTableFromJson,
  consumerOffsetTableToJson,
  TOPIC_GROUP_SEPARATOR,
} from "../remoting/body/consumer_offset.ts";
import { ConfigWriter } from "./config_writer.ts";

const log = logger("broker");

/** topic → group → queue id → offset. */
type Table = Map<string, Map<string, Map<number, number>>>;

export class ConsumerOffsetManager {
  readonly #table: Table = new Map();
  readonly #writer: ConfigWriter;
  #timer: ReturnType<typeof setInterval> | undefined;
  #dirty = false;
  readonly #maxOffsetOf: (topic: string, queueId: number) => number;

  /** `maxOffsetOf` gives a queue's end (the store's max offset), which commits never pass. */
  constructor(
    path: string,
    maxOffsetOf: (topic: string, queueId: number) => number = () => Number.MAX_SAFE_INTEGER,
  ) {
    this.#maxOffsetOf = maxOffsetOf;
    this.#writer = new ConfigWriter(
      path,
      () => stringifyFastJson(consumerOffsetTableToJson(this.snapshot())),
    );
  }

  get path(): string {
    return this.#writer.path;
  }

  /** Loads consumerOffset.json (or its .bak); false when neither is there. */
  async load(): Promise<boolean> {
    const loaded = await this.#writer.load(
      (text) => consumerOffsetTableFromJson(parseFastJson(text)),
    );
    if (!loaded) return false;
    for (const [key, queues] of loaded.value) {
      const at = key.indexOf(TOPIC_GROUP_SEPARATOR);
      if (at <= 0) continue;
      const topic = key.slice(0, at);
      const group = key.slice(at + 1);
      for (const [queueId, offset] of queues) this.#set(topic, group, queueId, offset);
    }
    this.#dirty = false;
    log.info("Loaded consumer offsets of {count} topic-groups from {from}", {
      count: loaded.value.size,
      from: loaded.from,
    });
    return true;
  }

  /**
   * A slave takes its master's offsets (SlaveSynchronize): each topic-group the master has
   * replaces this broker's; others are kept. Written with the next periodic flush.
   */
  putAll(table: ConsumerOffsetTable): void {
    for (const [key, queues] of table) {
      const at = key.indexOf(TOPIC_GROUP_SEPARATOR);
      if (at <= 0) continue;
      const mine = this.#queues(key.slice(0, at), key.slice(at + 1), true);
      mine.clear();
      for (const [queueId, offset] of queues) mine.set(queueId, offset);
    }
    if (table.size > 0) this.#dirty = true;
  }

  /** Writes the table every `intervalMs` while something changed. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      if (this.#dirty) void this.persist();
    }, intervalMs);
  }

  /** Stops the timer and writes the table. */
  async shutdown(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.persist();
    await this.#writer.flush();
  }

  /** Writes consumerOffset.json now; never rejects. */
  persist(): Promise<void> {
    this.#dirty = false;
    return this.#writer.persist();
  }

  #queues(topic: string, group: string, create: true): Map<number, number>;
  #queues(topic: string, group: string, create: false): Map<number, number> | undefined;
  #queues(topic: string, group: string, create: boolean): Map<number, number> | undefined {
    let groups = this.#table.get(topic);
    if (!groups) {
      if (!create) return undefined;
      groups = new Map();
      this.#table.set(topic, groups);
    }
    let queues = groups.get(group);
    if (!queues && create) {
      queues = new Map();
      groups.set(group, queues);
    }
    return queues;
  }

  #set(topic: string, group: string, queueId: number, offset: number): void {
    this.#queues(topic, group, true).set(queueId, offset);
  }

  /** Stores a group's offset for one queue (`clientHost` names who, for the log). */
  commitOffset(
    clientHost: string,
    group: string,
    topic: string,
    queueId: number,
    offset: number,
  ): void {
    const max = this.#maxOffsetOf(topic, queueId);
    if (offset > max) {
      log.warn(
        "Offset {offset} committed by {group} ({client}) for {topic}:{queueId} is past the queue's end {max}; storing {max}",
        { offset, group, client: clientHost, topic, queueId, max },
      );
      offset = max;
    }
    const queues = this.#queues(topic, group, true);
    const old = queues.get(queueId);
    queues.set(queueId, offset);
    this.#dirty = true;
    if (old !== undefined && offset < old) {
      log.debug(
        "Offset of {group} on {topic}:{queueId} went back from {old} to {offset} ({client})",
        {
          group,
          topic,
          queueId,
          old,
          offset,
          client: clientHost,
        },
      );
    }
  }

  /** The group's committed offset for one queue, or -1. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.#queues(topic, group, false)?.get(queueId) ?? -1;
  }

  /** The group's committed offsets on one topic by queue id (a copy), if any. */
  queryOffsets(group: string, topic: string): Map<number, number> | undefined {
    const q = this.#queues(topic, group, false);
    return q ? new Map(q) : undefined;
  }

  /** Topics the group has committed offsets for. */
  whichTopicByConsumer(group: string): Set<string> {
    const out = new Set<string>();
    for (const [topic, groups] of this.#table) if (groups.has(group)) out.add(topic);
    return out;
  }

  /** Groups that have committed offsets for the topic. */
  whichGroupByTopic(topic: string): Set<string> {
    return new Set(this.#table.get(topic)?.keys() ?? []);
  }

  /** Forgets every offset of the group (DELETE_SUBSCRIPTIONGROUP with removeOffset). */
  removeOffset(group: string): void {
    for (const [topic, groups] of this.#table) {
      if (groups.delete(group)) {
        this.#dirty = true;
        if (groups.size === 0) this.#table.delete(topic);
      }
    }
  }

  /** Copies `srcGroup`'s offsets on `topic` to `destGroup` (CLONE_GROUP_OFFSET). */
  cloneOffset(srcGroup: string, destGroup: string, topic: string): void {
    const src = this.#queues(topic, srcGroup, false);
    if (!src) return;
    const dest = this.#queues(topic, destGroup, true);
    for (const [q, o] of src) dest.set(q, o);
    this.#dirty = true;
  }

  /** Every committed offset table as (topic, group, queue id → offset), read in place. */
  *entries(): IterableIterator<[string, string, ReadonlyMap<number, number>]> {
    for (const [topic, groups] of this.#table) {
      for (const [group, queues] of groups) yield [topic, group, queues];
    }
  }

  /** The whole table keyed `topic@group`, as the file and GET_ALL_CONSUMER_OFFSET carry it. */
  snapshot(): ConsumerOffsetTable {
    const out: ConsumerOffsetTable = new Map();
    for (const [topic, groups] of this.#table) {
      for (const [group, queues] of groups) {
        out.set(topic + TOPIC_GROUP_SEPARATOR + group, new Map(queues));
      }
    }
    return out;
  }
}
