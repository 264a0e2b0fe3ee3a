/**
 * The broker's topic table (TopicConfigManager): the system topics it creates for itself,
 * topics created by admin tools or on first send, persisted to `config/topics.json` (the
 * TopicConfigSerializeWrapper JSON) after every change, with a DataVersion the name server
 * compares to decide whether the broker's routes changed.
 */
import { errorMessage } from "../common/errors.ts";
import { parseFastJson } from "../common/fastjson.ts";
import { logger } from "../common/log.ts";
import {
  type DataVersion,
  dataVersionEquals,
  newDataVersion,
  nextDataVersion,
} from "../remoting/body/data_version.ts";
import {
  createTopicConfig,
  isInherited,
  PermName,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
  topicConfigWrapperFromJson,
  topicConfigWrapperText,
  TopicSysFlag,
} from "../remoting/body/topic_config.ts";
import { isRetryTopic } from "../remoting/group_topics.ts";
import { ConfigWriter } from "./config_writer.ts";
import { REPLY_TOPIC_POSTFIX, SystemTopic } from "./topic_validator.ts";

const log = logger("broker");

/** Queues of SCHEDULE_TOPIC_XXXX: one per delay level (ScheduleMessageService). */
export const SCHEDULE_QUEUE_NUM = 18;
const BENCHMARK_QUEUE_NUM = 1024;
/**
 * topics.json is written at most this often: creating thousands of topics one by one then
 * costs a write per batch rather than the whole table per topic. (A topic created less than
 * this before a crash and never sent to is lost; one with messages comes back from the store.)
 */
const PERSIST_INTERVAL_MS = 200;

/** The broker settings the topic table depends on. */
export interface TopicConfigSettings {
  brokerClusterName: string;
  brokerName: string;
  autoCreateTopicEnable: boolean;
  defaultTopicQueueNums: number;
  clusterTopicEnable: boolean;
  brokerTopicEnable: boolean;
  traceTopicEnable: boolean;
  msgTraceTopicName: string;
}

/** TopicSysFlag for a topic created by a send with `unitMode` set (retry topics: UNIT_SUB). */
export function topicSysFlagOf(topic: string, unitMode: boolean | undefined): number {
  if (!unitMode) return 0;
  return isRetryTopic(topic) ? TopicSysFlag.FLAG_UNIT_SUB : TopicSysFlag.FLAG_UNIT;
}

export class TopicConfigManager {
  readonly #settings: TopicConfigSettings;
  readonly #table = new Map<string, TopicConfig>();
  #dataVersion: DataVersion = newDataVersion();
  readonly #changeListeners: ((topics: string[]) => void)[] = [];
  readonly #writer: ConfigWriter;
  /** Each topic's JSON text in topics.json, kept while its config object is in the table. */
  readonly #texts = new WeakMap<TopicConfig, string>();

  constructor(path: string, settings: TopicConfigSettings) {
    this.#settings = settings;
    this.#writer = new ConfigWriter(
      path,
      () => topicConfigWrapperText(this.wrapper(), this.#texts),
      PERSIST_INTERVAL_MS,
    );
    for (const tc of systemTopicConfigs(settings)) this.#table.set(tc.topicName, tc);
  }

  get path(): string {
    return this.#writer.path;
  }

  /** Loads topics.json (or its .bak) over the system topics; false when neither is there. */
  async load(): Promise<boolean> {
    const loaded = await this.#writer.load(
      (text) => topicConfigWrapperFromJson(parseFastJson(text)),
    );
    if (!loaded) return false;
    for (const [name, tc] of loaded.value.topicConfigTable) this.#table.set(name, tc);
    this.#dataVersion = loaded.value.dataVersion;
    log.info("Loaded {count} topics from {from}", {
      count: loaded.value.topicConfigTable.size,
      from: loaded.from,
    });
    return true;
  }

  /**
   * Adds the topics the store has messages for but the table lacks (its file was lost), with
   * as many queues as the store has for each, read-write; returns their names.
   */
  restoreTopics(queueNums: ReadonlyMap<string, number>): string[] {
    const restored: TopicConfig[] = [];
    for (const [topic, queues] of queueNums) {
      if (this.#table.has(topic)) continue;
      restored.push(createTopicConfig(topic, {
        readQueueNums: queues,
        writeQueueNums: queues,
        perm: PermName.PERM_READ | PermName.PERM_WRITE,
      }));
    }
    if (restored.length > 0) this.#put(restored);
    return restored.map((tc) => tc.topicName);
  }

  get dataVersion(): DataVersion {
    return this.#dataVersion;
  }

  get size(): number {
    return this.#table.size;
  }

  get(topic: string): TopicConfig | undefined {
    return this.#table.get(topic);
  }

  topics(): IterableIterator<TopicConfig> {
    return this.#table.values();
  }

  isOrderTopic(topic: string): boolean {
    return this.#table.get(topic)?.order ?? false;
  }

  /** What REGISTER_BROKER and GET_ALL_TOPIC_CONFIG carry (a snapshot). */
  wrapper(): TopicConfigSerializeWrapper {
    return { topicConfigTable: new Map(this.#table), dataVersion: { ...this.#dataVersion } };
  }

  /** Called after topics were created, changed or deleted (already persisted or persisting). */
  onChange(listener: (topics: string[]) => void): void {
    this.#changeListeners.push(listener);
  }

  /**
   * Creates `topic` on its first send from the template `defaultTopic` (TBW102): queues =
   * min(the client's default, the template's write queues), perm = the template's without
   * INHERIT. Undefined when the template is missing or does not allow inheriting (and for
   * TBW102 itself when autoCreateTopicEnable is off).
   */
  createTopicInSendMessageMethod(
    topic: string,
    defaultTopic: string,
    clientDefaultTopicQueueNums: number,
    topicSysFlag: number,
  ): TopicConfig | undefined {
    const existing = this.#table.get(topic);
    if (existing) return existing;
    const template = this.#table.get(defaultTopic);
    if (!template) {
      log.warn("Cannot create topic {topic}: the default topic {defaultTopic} does not exist", {
        topic,
        defaultTopic,
      });
      return undefined;
    }
    let templatePerm = template.perm;
    if (
      defaultTopic === SystemTopic.AUTO_CREATE_TOPIC_KEY && !this.#settings.autoCreateTopicEnable
    ) {
      templatePerm = PermName.PERM_READ | PermName.PERM_WRITE;
    }
    if (!isInherited(templatePerm)) {
      log.warn("Cannot create topic {topic}: the default topic {defaultTopic} has perm {perm}", {
        topic,
        defaultTopic,
        perm: templatePerm,
      });
      return undefined;
    }
    const queueNums = Math.max(0, Math.min(clientDefaultTopicQueueNums, template.writeQueueNums));
    const tc = createTopicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm: templatePerm & ~PermName.PERM_INHERIT,
      topicSysFlag,
      topicFilterType: template.topicFilterType,
    });
    log.info("Created topic {topic} from {defaultTopic} with {queues} queues", {
      topic,
      defaultTopic,
      queues: queueNums,
    });
    this.#put([tc]);
    return tc;
  }

  /**
   * Creates a topic the broker needs for itself (a %RETRY% or %DLQ% topic, the transaction
   * half topic) unless it exists; returns the topic's config either way.
   */
  createTopicInSendMessageBackMethod(
    topic: string,
    queueNums: number,
    perm: number,
    topicSysFlag: number,
  ): TopicConfig {
    const existing = this.#table.get(topic);
    if (existing) return existing;
    const tc = createTopicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm,
      topicSysFlag,
    });
    log.info("Created topic {topic} with {queues} queues", { topic, queues: queueNums });
    this.#put([tc]);
    return tc;
  }

  /** Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC). */
  updateTopicConfig(tc: TopicConfig): void {
    const old = this.#table.get(tc.topicName);
    log.info("{what} topic {topic}: {config}", {
      what: old ? "Changed" : "Created",
      topic: tc.topicName,
      config: tc,
    });
    this.#put([tc]);
  }

  /**
   * A slave takes its master's table whole when its data version differs (SlaveSynchronize);
   * true when it did. Not announced: the next registration carries the new version.
   */
  replaceAll(w: TopicConfigSerializeWrapper): boolean {
    if (dataVersionEquals(w.dataVersion, this.#dataVersion)) return false;
    this.#table.clear();
    for (const [name, tc] of w.topicConfigTable) this.#table.set(name, tc);
    this.#dataVersion = { ...w.dataVersion };
    void this.persist();
    return true;
  }

  /** Removes a topic; false when there was none. */
  deleteTopicConfig(topic: string): boolean {
    if (!this.#table.delete(topic)) return false;
    log.info("Deleted topic {topic}", { topic });
    this.#changed([topic]);
    return true;
  }

  /**
   * A new DataVersion without a topic change, so the name servers re-read every topic (after
   * the broker's permission changed, which the registered topics carry).
   */
  touch(): void {
    this.#changed([]);
  }

  #put(tcs: TopicConfig[]): void {
    for (const tc of tcs) this.#table.set(tc.topicName, tc);
    this.#changed(tcs.map((tc) => tc.topicName));
  }

  #changed(topics: string[]): void {
    this.#dataVersion = nextDataVersion(this.#dataVersion);
    void this.persist();
    for (const l of this.#changeListeners) {
      try {
        l(topics);
      } catch (e) {
        log.error("Topic change listener failed: {error}", { error: errorMessage(e) });
      }
    }
  }

  /**
   * Writes topics.json. Calls made while a write runs share one more write after it, so a
   * burst of changes costs two writes and the file always ends with the latest table.
   * Never rejects: a failed write is logged (the next change or shutdown tries again).
   */
  persist(): Promise<void> {
    return this.#writer.persist();
  }

  /** Resolves once every change so far is on disk (or its write failed and was logged). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }
}

/** The topics a broker creates for itself at start (TopicConfigManager's constructor). */
export function systemTopicConfigs(s: TopicConfigSettings): TopicConfig[] {
  const RW = PermName.PERM_READ | PermName.PERM_WRITE;
  const out: TopicConfig[] = [
    createTopicConfig(SystemTopic.SELF_TEST, { readQueueNums: 1, writeQueueNums: 1 }),
  ];
  if (s.autoCreateTopicEnable) {
    out.push(createTopicConfig(SystemTopic.AUTO_CREATE_TOPIC_KEY, {
      readQueueNums: s.defaultTopicQueueNums,
      writeQueueNums: s.defaultTopicQueueNums,
      perm: PermName.PERM_INHERIT | RW,
    }));
  }
  out.push(
    createTopicConfig(SystemTopic.BENCHMARK, {
      readQueueNums: BENCHMARK_QUEUE_NUM,
      writeQueueNums: BENCHMARK_QUEUE_NUM,
    }),
    createTopicConfig(s.brokerClusterName, {
      perm: PermName.PERM_INHERIT | (s.clusterTopicEnable ? RW : 0),
    }),
    createTopicConfig(s.brokerName, {
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: PermName.PERM_INHERIT | (s.brokerTopicEnable ? RW : 0),
    }),
    createTopicConfig(SystemTopic.OFFSET_MOVED_EVENT, { readQueueNums: 1, writeQueueNums: 1 }),
    createTopicConfig(SystemTopic.SCHEDULE, {
      readQueueNums: SCHEDULE_QUEUE_NUM,
      writeQueueNums: SCHEDULE_QUEUE_NUM,
    }),
    createTopicConfig(SystemTopic.TRANS_HALF, { readQueueNums: 1, writeQueueNums: 1 }),
  );
  if (s.traceTopicEnable) {
    out.push(createTopicConfig(s.msgTraceTopicName, { readQueueNums: 1, writeQueueNums: 1 }));
  }
  out.push(
    createTopicConfig(`${s.brokerClusterName}_${REPLY_TOPIC_POSTFIX}`, {
      readQueueNums: 1,
      writeQueueNums: 1,
    }),
  );
  return out;
}
