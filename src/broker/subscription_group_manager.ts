/**
 * The broker's consumer groups (SubscriptionGroupManager): RocketMQ's built-in tool groups,
 * groups created by admin tools, and groups created on first use when
 * autoCreateSubscriptionGroup is on. Persisted to `config/subscriptionGroup.json` (the
 * SubscriptionGroupWrapper JSON) after every change, with a DataVersion.
 */
import { logger } from "../common/log.ts";
import { parseFastJson, stringifyFastJson } from "../common/fastjson.ts";
import {
  type DataVersion,
  dataVersionEquals,
  newDataVersion,
  nextDataVersion,
} from "../remoting/body/data_version.ts";
import {
  defaultSubscriptionGroupConfig,
  type SubscriptionGroupConfig,
  type SubscriptionGroupWrapper,
  subscriptionGroupWrapperFromJson,
  subscriptionGroupWrapperToJson,
} from "../remoting/body/subscription_group_config.ts";
import { ConfigWriter } from "./config_writer.ts";
import { validateGroup } from "./topic_validator.ts";

const log = logger("broker");

/** Groups every broker has from the start (MixAll's tool and ONS groups). */
export const SYSTEM_CONSUMER_GROUPS = [
  "TOOLS_CONSUMER",
  "FILTERSRV_CONSUMER",
  "SELF_TEST_C_GROUP",
  "CID_ONS-HTTP-PROXY",
  "CID_ONSAPI_PULL",
  "CID_ONSAPI_PERMISSION",
  "CID_ONSAPI_OWNER",
] as const;

/** Groups the broker uses itself; created on first use even without auto-creation. */
export const SYS_CONSUMER_GROUP_PREFIX = "CID_RMQ_SYS_";

export class SubscriptionGroupManager {
  readonly #table = new Map<string, SubscriptionGroupConfig>();
  readonly #autoCreate: () => boolean;
  readonly #writer: ConfigWriter;
  #dataVersion: DataVersion = newDataVersion();

  /** `autoCreate` is read on every lookup (UPDATE_BROKER_CONFIG may change it). */
  constructor(path: string, autoCreate: () => boolean) {
    this.#autoCreate = autoCreate;
    this.#writer = new ConfigWriter(
      path,
      () => stringifyFastJson(subscriptionGroupWrapperToJson(this.wrapper())),
    );
    for (const name of SYSTEM_CONSUMER_GROUPS) {
      this.#table.set(name, defaultSubscriptionGroupConfig(name));
    }
  }

  get path(): string {
    return this.#writer.path;
  }

  /** Loads subscriptionGroup.json (or its .bak) over the built-in groups; false when absent. */
  async load(): Promise<boolean> {
    const loaded = await this.#writer.load(
      (text) => subscriptionGroupWrapperFromJson(parseFastJson(text)),
    );
    if (!loaded) return false;
    for (const [name, c] of loaded.value.subscriptionGroupTable) this.#table.set(name, c);
    this.#dataVersion = loaded.value.dataVersion;
    log.info("Loaded {count} subscription groups from {from}", {
      count: loaded.value.subscriptionGroupTable.size,
      from: loaded.from,
    });
    return true;
  }

  get dataVersion(): DataVersion {
    return this.#dataVersion;
  }

  /** The group's config without creating it. */
  get(group: string): SubscriptionGroupConfig | undefined {
    return this.#table.get(group);
  }

  /**
   * The group's config, created with the defaults when it is unknown and auto-creation is on
   * (or it is one of the broker's own `CID_RMQ_SYS_` groups); undefined otherwise, and always
   * for a name no group may have (its retry topic could not be stored).
   */
  find(group: string): SubscriptionGroupConfig | undefined {
    const c = this.#table.get(group);
    if (c) return c;
    if (!this.#autoCreate() && !group.startsWith(SYS_CONSUMER_GROUP_PREFIX)) return undefined;
    if (validateGroup(group)) return undefined;
    const created = defaultSubscriptionGroupConfig(group);
    this.#table.set(group, created);
    log.info("Auto-created subscription group {group}", { group });
    this.#changed();
    return created;
  }

  /** Creates or replaces a group (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP). */
  update(config: SubscriptionGroupConfig): void {
    const old = this.#table.get(config.groupName);
    this.#table.set(config.groupName, { ...config });
    log.info("{what} subscription group {group}: {config}", {
      what: old ? "Changed" : "Created",
      group: config.groupName,
      config,
    });
    this.#changed();
  }

  /** Removes a group; false when there was none. */
  delete(group: string): boolean {
    if (!this.#table.delete(group)) return false;
    log.info("Deleted subscription group {group}", { group });
    this.#changed();
    return true;
  }

  /**
   * A slave takes its master's groups whole when its data version differs (SlaveSynchronize);
   * true when it did.
   */
  replaceAll(w: SubscriptionGroupWrapper): boolean {
    if (dataVersionEquals(w.dataVersion, this.#dataVersion)) return false;
    this.#table.clear();
    for (const [name, c] of w.subscriptionGroupTable) this.#table.set(name, c);
    this.#dataVersion = { ...w.dataVersion };
    void this.#writer.persist();
    return true;
  }

  groups(): IterableIterator<SubscriptionGroupConfig> {
    return this.#table.values();
  }

  /** What GET_ALL_SUBSCRIPTIONGROUP_CONFIG carries (a snapshot). */
  wrapper(): SubscriptionGroupWrapper {
    return { subscriptionGroupTable: new Map(this.#table), dataVersion: { ...this.#dataVersion } };
  }

  #changed(): void {
    this.#dataVersion = nextDataVersion(this.#dataVersion);
    void this.#writer.persist();
  }

  /** Writes subscriptionGroup.json now; never rejects. */
  persist(): Promise<void> {
    return this.#writer.persist();
  }

  /** Resolves once every change so far is written (or its failure logged). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }
}
