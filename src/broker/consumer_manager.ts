/**
 * The consumers connected to this broker (ConsumerManager, ConsumerGroupInfo): per group its
 * client connections, its subscriptions (the newest subVersion per topic wins), and how it
 * consumes. Heartbeats register and refresh, UNREGISTER_CLIENT and closed connections remove,
 * and connections silent for channelExpiredTimeout are closed and removed. When a group's
 * membership changes every remaining member hears of it (the listener sends
 * NOTIFY_CONSUMER_IDS_CHANGED) so it rebalances at once.
 */
import { logger } from "../common/log.ts";
import {
  ConsumeFromWhere,
  ConsumeType,
  MessageModel,
  type SubscriptionData,
} from "../remoting/body/heartbeat_data.ts";
import type { Channel } from "../remoting/channel.ts";
import type { ClientChannelInfo } from "./client_channel.ts";
import type { Subscription } from "./consumer_subscription.ts";

const log = logger("broker");

/** How often silent clients are looked for: every 10 s, sooner when the timeout is shorter. */
export function clientScanInterval(channelExpiredTimeout: number): number {
  return Math.min(10_000, Math.max(50, Math.floor(channelExpiredTimeout / 2)));
}

/** Called with a group and the connections of its members after its membership changed. */
export type ConsumerIdsChangedListener = (group: string, channels: Channel[]) => void;

export class ConsumerGroupInfo {
  readonly groupName: string;
  readonly subscriptionTable = new Map<string, Subscription>();
  readonly channelInfoTable = new Map<Channel, ClientChannelInfo>();
  consumeType: string = ConsumeType.CONSUME_PASSIVELY;
  messageModel: string = MessageModel.CLUSTERING;
  consumeFromWhere: string = ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET;
  lastUpdateTimestamp = Date.now();

  constructor(groupName: string) {
    this.groupName = groupName;
  }

  /** Adds or refreshes a connection; true when the group's members changed. */
  updateChannel(
    info: ClientChannelInfo,
    consumeType: string,
    messageModel: string,
    consumeFromWhere: string,
  ): boolean {
    this.consumeType = consumeType;
    this.messageModel = messageModel;
    this.consumeFromWhere = consumeFromWhere;
    const old = this.channelInfoTable.get(info.channel);
    this.lastUpdateTimestamp = info.lastUpdateTimestamp;
    if (!old) {
      this.channelInfoTable.set(info.channel, info);
      log.info("New consumer {clientId} in group {group} from {addr}", {
        clientId: info.clientId,
        group: this.groupName,
        addr: info.channel.remoteAddr,
      });
      return true;
    }
    old.lastUpdateTimestamp = info.lastUpdateTimestamp;
    if (old.clientId !== info.clientId) {
      log.warn("Connection {addr} of group {group} changed client id from {old} to {new}", {
        addr: info.channel.remoteAddr,
        group: this.groupName,
        old: old.clientId,
        new: info.clientId,
      });
      this.channelInfoTable.set(info.channel, info);
      return true;
    }
    return false;
  }

  /**
   * Takes a heartbeat's subscriptions: new topics are added, a newer subVersion replaces the
   * old one, topics the heartbeat no longer lists are dropped. True when topics came or went.
   */
  updateSubscription(subs: readonly Subscription[]): boolean {
    let changed = false;
    const topics = new Set<string>();
    for (const s of subs) {
      const topic = s.data.topic;
      topics.add(topic);
      const old = this.subscriptionTable.get(topic);
      if (!old) {
        this.subscriptionTable.set(topic, s);
        changed = true;
      } else if (s.data.subVersion > old.data.subVersion) {
        this.subscriptionTable.set(topic, s);
      }
    }
    for (const topic of this.subscriptionTable.keys()) {
      if (!topics.has(topic)) {
        this.subscriptionTable.delete(topic);
        changed = true;
      }
    }
    this.lastUpdateTimestamp = Date.now();
    return changed;
  }

  findSubscription(topic: string): Subscription | undefined {
    return this.subscriptionTable.get(topic);
  }

  /** The member with this client id, if it is connected. */
  findChannel(clientId: string): ClientChannelInfo | undefined {
    for (const info of this.channelInfoTable.values()) {
      if (info.clientId === clientId && !info.channel.isClosed) return info;
    }
    return undefined;
  }

  /** Client ids of the members, in connection order. */
  clientIds(): string[] {
    return [...this.channelInfoTable.values()].map((i) => i.clientId);
  }

  channels(): Channel[] {
    return [...this.channelInfoTable.keys()];
  }

  subscriptionData(): Map<string, SubscriptionData> {
    return new Map([...this.subscriptionTable].map(([t, s]) => [t, s.data]));
  }
}

export class ConsumerManager {
  readonly #groups = new Map<string, ConsumerGroupInfo>();
  readonly #onIdsChanged: ConsumerIdsChangedListener;

  constructor(onIdsChanged: ConsumerIdsChangedListener) {
    this.#onIdsChanged = onIdsChanged;
  }

  get(group: string): ConsumerGroupInfo | undefined {
    return this.#groups.get(group);
  }

  groups(): IterableIterator<ConsumerGroupInfo> {
    return this.#groups.values();
  }

  /**
   * Registers (or refreshes) one member of a group from its heartbeat. When a connection
   * joined or the group's topics changed and `notify` is set, tells every member. True when
   * anything changed.
   */
  register(
    group: string,
    info: ClientChannelInfo,
    consumeType: string,
    messageModel: string,
    consumeFromWhere: string,
    subs: readonly Subscription[],
    notify: boolean,
  ): boolean {
    let g = this.#groups.get(group);
    if (!g) {
      g = new ConsumerGroupInfo(group);
      this.#groups.set(group, g);
    }
    const joined = g.updateChannel(info, consumeType, messageModel, consumeFromWhere);
    const resubscribed = g.updateSubscription(subs);
    if ((joined || resubscribed) && notify) this.#notify(g);
    return joined || resubscribed;
  }

  /** Removes one member (UNREGISTER_CLIENT); the others hear of it when `notify` is set. */
  unregister(group: string, channel: Channel, notify: boolean): void {
    const g = this.#groups.get(group);
    if (!g) return;
    const info = g.channelInfoTable.get(channel);
    if (!info) return;
    g.channelInfoTable.delete(channel);
    log.info("Consumer {clientId} left group {group}", { clientId: info.clientId, group });
    if (g.channelInfoTable.size === 0) this.#groups.delete(group);
    else if (notify) this.#notify(g);
  }

  /** A connection closed: it leaves every group it was in, and their other members hear of it. */
  channelClosed(channel: Channel): void {
    for (const g of [...this.#groups.values()]) {
      const info = g.channelInfoTable.get(channel);
      if (!info) continue;
      g.channelInfoTable.delete(channel);
      log.info("Consumer {clientId} of group {group} disconnected", {
        clientId: info.clientId,
        group: g.groupName,
      });
      if (g.channelInfoTable.size === 0) this.#groups.delete(g.groupName);
      else this.#notify(g);
    }
  }

  /**
   * Closes and removes connections without a heartbeat for `timeoutMs`; the rest of their
   * groups hear of it.
   */
  scanNotActiveChannel(timeoutMs: number, now = Date.now()): void {
    for (const g of [...this.#groups.values()]) {
      let removed = false;
      for (const [channel, info] of [...g.channelInfoTable]) {
        if (now - info.lastUpdateTimestamp <= timeoutMs) continue;
        log.warn(
          "Consumer {clientId} of group {group} sent no heartbeat for {ms} ms; dropping it",
          {
            clientId: info.clientId,
            group: g.groupName,
            ms: now - info.lastUpdateTimestamp,
          },
        );
        g.channelInfoTable.delete(channel);
        channel.close("no heartbeat");
        removed = true;
      }
      if (g.channelInfoTable.size === 0) this.#groups.delete(g.groupName);
      else if (removed) this.#notify(g);
    }
  }

  /** Groups whose members subscribe the topic. */
  queryTopicConsumeByWho(topic: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.#groups.values()) {
      if (g.subscriptionTable.has(topic)) out.add(g.groupName);
    }
    return out;
  }

  #notify(g: ConsumerGroupInfo): void {
    this.#onIdsChanged(g.groupName, g.channels());
  }
}
