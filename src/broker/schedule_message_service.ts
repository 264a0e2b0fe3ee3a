/**
 * Delayed delivery (ScheduleMessageService, REMOTING.md §8.3). The store parks a message with a
 * DELAY level in SCHEDULE_TOPIC_XXXX queue level−1 with its delivery time as the consume-queue
 * tags code; this service walks each level's queue from its delivered offset and, once a
 * message is due, stores it again under REAL_TOPIC / REAL_QID with DELAY removed (WAIT false),
 * then advances the level's offset.
 *
 * One loop per level, woken by the store's dispatch when the level's queue grows and by one
 * timer for the head message's delivery time; an idle level costs nothing. Offsets go to
 * `config/delayOffset.json` every flushDelayOffsetInterval and at shutdown, after the loops
 * stopped, so a graceful restart neither loses nor repeats a delivery. (A crash may repeat
 * what was delivered since the last write, as in RocketMQ.)
 *
 * A due message that can never be stored again (its topic or properties are refused for good)
 * never holds its level up: it goes to its group's DLQ when it is a retry, else it is dropped
 * with an ERROR line, and the level moves on. Only failures that pass (a full disk, a busy
 * store) make a level wait and try again.
 */
import { errorMessage } from "../common/errors.ts";
import { parseFastJson, stringifyFastJson } from "../common/fastjson.ts";
import { logger } from "../common/log.ts";
import { decodeMessageRecord, type MessageRecord } from "../common/message/message_codec.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty, removeProperty } from "../common/message/properties.ts";
import {
  type DelayOffsetTable,
  delayOffsetTableFromJson,
  delayOffsetTableToJson,
} from "../remoting/body/consumer_offset.ts";
import {
  FILLER_SIZE,
  type MessageInput,
  type MessageStore,
  PutStatus,
  SCHEDULE_TOPIC,
} from "../store/message_store.ts";
import { ConfigWriter } from "./config_writer.ts";
import { SystemTopic } from "./topic_validator.ts";

const log = logger("broker");

/** Entries read from a level's queue per step. */
const BATCH = 32;
/** Put statuses a message will get however often it is tried. */
const NEVER_STORABLE: ReadonlySet<string> = new Set([
  PutStatus.MESSAGE_ILLEGAL,
  PutStatus.PROPERTIES_SIZE_EXCEEDED,
]);
/** Wait after a failed re-put or an unreadable queue (Java's DELAY_FOR_A_PERIOD). */
const RETRY_AFTER_FAILURE_MS = 10_000;

interface Level {
  readonly level: number;
  readonly delayMs: number;
  offset: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  running: Promise<void> | undefined;
  /** The queue grew while the loop ran. */
  again: boolean;
}

export class ScheduleMessageService {
  readonly #store: MessageStore;
  readonly #levels: Level[];
  readonly #writer: ConfigWriter;
  readonly #flushIntervalMs: number;
  readonly #deadLetterOf: (msg: MessageInput) => MessageInput | undefined;
  readonly #loaded = new Map<number, number>();
  #flushTimer: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = true;
  #dirty = false;

  /**
   * `delayLevels[i]` is the delay of level i+1 in ms; `deadLetterOf` gives where a due message
   * that cannot be stored again goes instead (undefined: it is dropped).
   */
  constructor(
    store: MessageStore,
    path: string,
    delayLevels: readonly number[],
    flushIntervalMs: number,
    deadLetterOf: (msg: MessageInput) => MessageInput | undefined = () => undefined,
  ) {
    this.#store = store;
    this.#flushIntervalMs = flushIntervalMs;
    this.#deadLetterOf = deadLetterOf;
    this.#levels = delayLevels.map((delayMs, i) => ({
      level: i + 1,
      delayMs,
      offset: 0,
      timer: undefined,
      running: undefined,
      again: false,
    }));
    this.#writer = new ConfigWriter(
      path,
      () => stringifyFastJson(delayOffsetTableToJson(this.offsetTable())),
    );
  }

  get path(): string {
    return this.#writer.path;
  }

  get maxDelayLevel(): number {
    return this.#levels.length;
  }

  /**
   * Loads delayOffset.json (or its .bak); false when neither is there. Levels it does not name
   * start at 0.
   */
  async load(): Promise<boolean> {
    const loaded = await this.#writer.load(
      (text) => delayOffsetTableFromJson(parseFastJson(text)),
    );
    if (!loaded) return false;
    for (const [level, offset] of loaded.value) {
      this.#loaded.set(level, offset);
      const l = this.#levels[level - 1];
      if (l) l.offset = offset;
    }
    log.info("Loaded delay offsets of {count} levels from {from}", {
      count: loaded.value.size,
      from: loaded.from,
    });
    return true;
  }

  /** A slave takes its master's progress (SlaveSynchronize), and writes it. */
  replaceOffsets(table: DelayOffsetTable): void {
    for (const [level, offset] of table) {
      this.#loaded.set(level, offset);
      const l = this.#levels[level - 1];
      if (l) l.offset = offset;
    }
    void this.persist();
  }

  /** Delivered offset per level (levels beyond the configured ones kept as loaded). */
  offsetTable(): DelayOffsetTable {
    const out = new Map(this.#loaded);
    for (const l of this.#levels) out.set(l.level, l.offset);
    return out;
  }

  /** Starts every level's loop and the periodic write. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#unsubscribe = this.#store.onQueueGrow((topic, queueId) => {
      if (topic !== SCHEDULE_TOPIC) return;
      const l = this.#levels[queueId];
      // Deferred: the store calls this from inside its dispatch pass.
      if (l) queueMicrotask(() => this.#kick(l));
    });
    this.#flushTimer = setInterval(() => {
      if (this.#dirty) void this.persist();
    }, this.#flushIntervalMs);
    for (const l of this.#levels) this.#kick(l);
  }

  /** Stops the loops (a re-put in flight completes first) and writes the offsets. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#flushTimer !== undefined) clearInterval(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const l of this.#levels) {
      if (l.timer !== undefined) clearTimeout(l.timer);
      l.timer = undefined;
    }
    await Promise.all(this.#levels.map((l) => l.running));
    await this.persist();
    await this.#writer.flush();
  }

  /** Writes delayOffset.json now; never rejects. */
  persist(): Promise<void> {
    this.#dirty = false;
    return this.#writer.persist();
  }

  /** Runs a level's loop now unless it runs or waits for a due time already. */
  #kick(l: Level): void {
    if (this.#stopped) return;
    if (l.running) {
      l.again = true;
      return;
    }
    if (l.timer !== undefined) return; // Waiting for the head message; newer ones are due later.
    l.running = this.#run(l).finally(() => {
      l.running = undefined;
    });
  }

  #wakeAt(l: Level, ms: number): void {
    if (this.#stopped) return;
    l.timer = setTimeout(() => {
      l.timer = undefined;
      this.#kick(l);
    }, Math.max(0, ms));
  }

  async #run(l: Level): Promise<void> {
    do {
      l.again = false;
      const wait = await this.#deliverDue(l);
      if (wait !== undefined) {
        this.#wakeAt(l, wait);
        return;
      }
    } while (l.again && !this.#stopped);
  }

  /**
   * Delivers the level's due messages in order. Returns how long to wait for the next one to be
   * due (or to try again after a failure), or undefined when the queue is drained.
   */
  async #deliverDue(l: Level): Promise<number | undefined> {
    const store = this.#store;
    const queueId = l.level - 1;
    while (!this.#stopped) {
      const min = store.getMinOffsetInQueue(SCHEDULE_TOPIC, queueId);
      if (l.offset < min) {
        log.warn("Delay level {level}: offset {offset} is below the queue's minimum {min}", {
          level: l.level,
          offset: l.offset,
          min,
        });
        this.#advance(l, min);
      }
      const max = store.getMaxOffsetInQueue(SCHEDULE_TOPIC, queueId);
      if (l.offset >= max) return undefined;
      const entries = store.readConsumeQueue(SCHEDULE_TOPIC, queueId, l.offset, BATCH);
      if (entries.length === 0) {
        log.error("Delay level {level}: cannot read the schedule queue at {offset}", {
          level: l.level,
          offset: l.offset,
        });
        return RETRY_AFTER_FAILURE_MS;
      }
      for (const e of entries) {
        if (this.#stopped) return undefined;
        const now = Date.now();
        // A delivery time beyond now + the level's delay means the clock went back: deliver now.
        if (e.size === FILLER_SIZE) {
          this.#advance(l, e.offset + 1); // A gap: no message was ever stored there.
          continue;
        }
        const due = e.tagsCode > now + l.delayMs ? now : e.tagsCode;
        if (due > now) return due - now;
        const record = await store.lookMessageByOffset(e.commitLogOffset);
        if (!record) {
          log.warn("Delay level {level}: message at {offset} is gone; skipping it", {
            level: l.level,
            offset: e.commitLogOffset,
          });
          this.#advance(l, e.offset + 1);
          continue;
        }
        const msg = messageTimeup(decodeMessageRecord(record, 0, false));
        if (!msg) {
          log.error("Delay level {level}: message at {offset} has no usable REAL_TOPIC/REAL_QID", {
            level: l.level,
            offset: e.commitLogOffset,
          });
          this.#advance(l, e.offset + 1);
          continue;
        }
        let result;
        try {
          result = await store.putMessage(msg);
        } catch (err) {
          result = { status: PutStatus.UNKNOWN_ERROR, remark: errorMessage(err) };
        }
        if (result.status !== PutStatus.PUT_OK && !NEVER_STORABLE.has(result.status)) {
          log.error("Delay level {level}: re-putting a due message to {topic} failed: {status}", {
            level: l.level,
            topic: msg.topic,
            status: `${result.status} ${result.remark ?? ""}`,
          });
          return RETRY_AFTER_FAILURE_MS;
        }
        if (result.status !== PutStatus.PUT_OK) {
          await this.#moveAside(l, e.commitLogOffset, msg, result);
        }
        this.#advance(l, e.offset + 1);
      }
    }
    return undefined;
  }

  /** A due message the store refuses for good: to its DLQ if it has one, else dropped. */
  async #moveAside(
    l: Level,
    offset: number,
    msg: MessageInput,
    refused: { status: string; remark?: string },
  ): Promise<void> {
    const aside = this.#deadLetterOf(msg);
    const moved = aside ? (await this.#store.putMessage(aside)).status === PutStatus.PUT_OK : false;
    log.error(
      "Delay level {level}: the due message at {offset} cannot be stored under {topic} " +
        "({status}); {what}",
      {
        level: l.level,
        offset,
        topic: msg.topic,
        status: `${refused.status} ${refused.remark ?? ""}`.trim(),
        what: moved ? `moved to ${aside!.topic}` : "dropped",
      },
    );
  }

  #advance(l: Level, offset: number): void {
    l.offset = offset;
    this.#dirty = true;
  }
}

/**
 * A due message as it is stored again (messageTimeup): its real topic and queue, DELAY removed,
 * everything else kept; undefined when REAL_TOPIC / REAL_QID are missing or name the
 * transaction half topic.
 */
export function messageTimeup(m: MessageRecord): MessageInput | undefined {
  const topic = getProperty(m.properties, MessageConst.REAL_TOPIC);
  const qid = getProperty(m.properties, MessageConst.REAL_QID);
  if (!topic || !qid || !/^\d{1,9}$/.test(qid) || topic === SystemTopic.TRANS_HALF) {
    return undefined;
  }
  return {
    topic,
    queueId: Number(qid),
    flag: m.flag,
    sysFlag: m.sysFlag,
    bornTimestamp: m.bornTimestamp,
    bornHost: m.bornHost,
    storeHost: m.storeHost,
    reconsumeTimes: m.reconsumeTimes,
    preparedTransactionOffset: 0,
    body: m.body,
    properties: removeProperty(m.properties, MessageConst.DELAY),
    waitStoreMsgOK: false,
  };
}
