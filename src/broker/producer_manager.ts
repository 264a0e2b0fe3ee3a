/**
 * The producers connected to this broker (ProducerManager): per producer group its client
 * connections, from heartbeats, removed by UNREGISTER_CLIENT, a closed connection, or
 * channelExpiredTimeout without a heartbeat. GET_PRODUCER_CONNECTION_LIST reads it (and the
 * transaction check would pick a connection of the group from it).
 */
import { logger } from "../common/log.ts";
import type { Channel } from "../remoting/channel.ts";
import type { ClientChannelInfo } from "./client_channel.ts";

const log = logger("broker");

export class ProducerManager {
  readonly #groups = new Map<string, Map<Channel, ClientChannelInfo>>();

  /** Live producer connections by group. */
  *groupSizes(): IterableIterator<[string, number]> {
    for (const [group, channels] of this.#groups) yield [group, channels.size];
  }

  register(group: string, info: ClientChannelInfo): void {
    let channels = this.#groups.get(group);
    if (!channels) {
      channels = new Map();
      this.#groups.set(group, channels);
    }
    const old = channels.get(info.channel);
    if (old) {
      old.lastUpdateTimestamp = info.lastUpdateTimestamp;
      old.clientId = info.clientId;
      return;
    }
    channels.set(info.channel, info);
    log.debug("New producer {clientId} in group {group}", { clientId: info.clientId, group });
  }

  /**
   * A live connection of the group's producers, picked at random (getAvailableChannel): where a
   * transaction check goes. Undefined when none is connected.
   */
  availableChannel(group: string): Channel | undefined {
    const live = [...(this.#groups.get(group)?.keys() ?? [])].filter((c) => !c.isClosed);
    return live.length > 0 ? live[Math.floor(Math.random() * live.length)] : undefined;
  }

  /** The connection of the producer with this client id, in any group (request-reply). */
  findChannel(clientId: string): Channel | undefined {
    for (const channels of this.#groups.values()) {
      for (const [channel, info] of channels) {
        if (info.clientId === clientId && !channel.isClosed) return channel;
      }
    }
    return undefined;
  }

  unregister(group: string, channel: Channel): void {
    const channels = this.#groups.get(group);
    if (!channels?.delete(channel)) return;
    if (channels.size === 0) this.#groups.delete(group);
  }

  channelClosed(channel: Channel): void {
    for (const [group, channels] of [...this.#groups]) {
      if (channels.delete(channel) && channels.size === 0) this.#groups.delete(group);
    }
  }

  /** Closes and removes connections without a heartbeat for `timeoutMs`. */
  scanNotActiveChannel(timeoutMs: number, now = Date.now()): void {
    for (const [group, channels] of [...this.#groups]) {
      for (const [channel, info] of [...channels]) {
        if (now - info.lastUpdateTimestamp <= timeoutMs) continue;
        log.warn(
          "Producer {clientId} of group {group} sent no heartbeat for {ms} ms; dropping it",
          {
            clientId: info.clientId,
            group,
            ms: now - info.lastUpdateTimestamp,
          },
        );
        channels.delete(channel);
        channel.close("no heartbeat");
      }
      if (channels.size === 0) this.#groups.delete(group);
    }
  }

  /** The group's connections, or undefined when the group has none. */
  get(group: string): ClientChannelInfo[] | undefined {
    const channels = this.#groups.get(group);
    return channels ? [...channels.values()] : undefined;
  }

  groups(): IterableIterator<string> {
    return this.#groups.keys();
  }
}
