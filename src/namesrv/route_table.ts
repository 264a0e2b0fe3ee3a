/**
 * The name server's route tables (RocketMQ's RouteInfoManager): pure in-memory state, changed
 * by broker registrations and read by clients. No I/O here; the controller owns timers and
 * sockets and passes the clock in.
 *
 *   topicQueueTable    topic → brokerName → QueueData
 *   brokerAddrTable    brokerName → BrokerData (cluster, brokerId → address)
 *   clusterAddrTable   clusterName → brokerNames
 *   brokerLiveTable    brokerAddr → last registration, DataVersion, connection, HA address
 *   filterServerTable  brokerAddr → filter server addresses
 */
import { logger } from "../common/log.ts";
import type { Channel } from "../remoting/channel.ts";
import {
  type DataVersion,
  dataVersionEquals,
  newDataVersion,
} from "../remoting/body/data_version.ts";
import {
  hasUnitFlag,
  hasUnitSubFlag,
  PermName,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
} from "../remoting/body/topic_config.ts";
import type { TopicList } from "../remoting/body/topic_list.ts";
import {
  type BrokerData,
  type ClusterInfo,
  MASTER_ID,
  type QueueData,
  type TopicRouteData,
} from "../remoting/body/topic_route_data.ts";

export interface BrokerLiveInfo {
  lastUpdateTimestamp: number;
  dataVersion: DataVersion;
  /** The connection the broker registered over; its close drops the broker. */
  channel?: Channel;
  haServerAddr: string;
}

export interface RegisterBrokerParams {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigWrapper?: TopicConfigSerializeWrapper;
  filterServerList?: string[];
  channel?: Channel;
}

/** For a slave: where its master is (both unset for masters or when the master is unknown). */
export interface RegisterBrokerResult {
  haServerAddr?: string;
  masterAddr?: string;
}

const log = logger("namesrv");

export class RouteTable {
  readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  readonly brokerAddrTable = new Map<string, BrokerData>();
  readonly clusterAddrTable = new Map<string, Set<string>>();
  readonly brokerLiveTable = new Map<string, BrokerLiveInfo>();
  readonly filterServerTable = new Map<string, string[]>();

  /**
   * The live address a registration would displace: another address holds this broker name and
   * id, and its broker is still connected over a different connection. Undefined when none.
   */
  displacedAddress(
    brokerName: string,
    brokerId: number,
    brokerAddr: string,
    channel: Channel | undefined,
  ): string | undefined {
    const current = this.brokerAddrTable.get(brokerName)?.brokerAddrs.get(brokerId);
    if (current === undefined || current === brokerAddr) return undefined;
    const live = this.brokerLiveTable.get(current)?.channel;
    return live && !live.isClosed && live !== channel ? current : undefined;
  }

  registerBroker(p: RegisterBrokerParams, now = Date.now()): RegisterBrokerResult {
    const { clusterName, brokerAddr, brokerName, brokerId } = p;
    let names = this.clusterAddrTable.get(clusterName);
    if (!names) this.clusterAddrTable.set(clusterName, names = new Set());
    names.add(brokerName);

    let registerFirst = false;
    let brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData) {
      registerFirst = true;
      brokerData = { cluster: clusterName, brokerName, brokerAddrs: new Map() };
      this.brokerAddrTable.set(brokerName, brokerData);
    }
    // A slave promoted to master registers the same address under id 0: one address, one id.
    for (const [id, addr] of brokerData.brokerAddrs) {
      if (addr === brokerAddr && id !== brokerId) brokerData.brokerAddrs.delete(id);
    }
    const oldAddr = brokerData.brokerAddrs.get(brokerId);
    brokerData.brokerAddrs.set(brokerId, brokerAddr);
    registerFirst ||= oldAddr === undefined;

    const wrapper = p.topicConfigWrapper;
    if (wrapper && brokerId === MASTER_ID) {
      if (registerFirst || this.isBrokerTopicConfigChanged(brokerAddr, wrapper.dataVersion)) {
        for (const tc of wrapper.topicConfigTable.values()) {
          this.#createAndUpdateQueueData(brokerName, tc);
        }
      }
    }

    const prev = this.brokerLiveTable.get(brokerAddr);
    this.brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: now,
      dataVersion: wrapper?.dataVersion ?? newDataVersion(0),
      channel: p.channel,
      haServerAddr: p.haServerAddr,
    });
    if (!prev) {
      log.info(
        "New broker registered: {brokerAddr} ({brokerName}, id {brokerId}, HA {haServerAddr})",
        {
          brokerAddr,
          brokerName,
          brokerId,
          haServerAddr: p.haServerAddr,
        },
      );
    }

    if (p.filterServerList) {
      if (p.filterServerList.length === 0) this.filterServerTable.delete(brokerAddr);
      else this.filterServerTable.set(brokerAddr, p.filterServerList);
    }

    const result: RegisterBrokerResult = {};
    if (brokerId !== MASTER_ID) {
      const masterAddr = brokerData.brokerAddrs.get(MASTER_ID);
      const master = masterAddr === undefined ? undefined : this.brokerLiveTable.get(masterAddr);
      if (masterAddr !== undefined && master) {
        result.haServerAddr = master.haServerAddr;
        result.masterAddr = masterAddr;
      }
    }
    return result;
  }

  #createAndUpdateQueueData(brokerName: string, tc: TopicConfig): void {
    const qd: QueueData = {
      brokerName,
      readQueueNums: tc.readQueueNums,
      writeQueueNums: tc.writeQueueNums,
      perm: tc.perm,
      topicSysFlag: tc.topicSysFlag,
    };
    let byBroker = this.topicQueueTable.get(tc.topicName);
    if (!byBroker) {
      this.topicQueueTable.set(tc.topicName, byBroker = new Map());
      log.info("New topic registered: {topic} on {brokerName}", {
        topic: tc.topicName,
        brokerName,
      });
    }
    const old = byBroker.get(brokerName);
    byBroker.set(brokerName, qd);
    if (old && !queueDataEquals(old, qd)) {
      log.info("Topic {topic} changed on {brokerName}", { topic: tc.topicName, brokerName });
    }
  }

  /** True when the broker is unknown or its last registered DataVersion differs. */
  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    return !dataVersionEquals(this.queryBrokerDataVersion(brokerAddr), dataVersion);
  }

  queryBrokerDataVersion(brokerAddr: string): DataVersion | undefined {
    return this.brokerLiveTable.get(brokerAddr)?.dataVersion;
  }

  /** A QUERY_DATA_VERSION that found nothing changed counts as a sign of life. */
  updateBrokerInfoUpdateTimestamp(brokerAddr: string, now = Date.now()): void {
    const live = this.brokerLiveTable.get(brokerAddr);
    if (live) live.lastUpdateTimestamp = now;
  }

  unregisterBroker(
    clusterName: string,
    brokerAddr: string,
    brokerName: string,
    brokerId: number,
  ): void {
    const live = this.brokerLiveTable.delete(brokerAddr);
    this.filterServerTable.delete(brokerAddr);
    log.info("Unregistering broker {brokerAddr} ({brokerName}, id {brokerId}): {state}", {
      brokerAddr,
      brokerName,
      brokerId,
      state: live ? "was live" : "was not live",
    });
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData) return;
    brokerData.brokerAddrs.delete(brokerId);
    if (brokerData.brokerAddrs.size > 0) return;
    this.brokerAddrTable.delete(brokerName);
    const names = this.clusterAddrTable.get(clusterName);
    if (names) {
      names.delete(brokerName);
      if (names.size === 0) this.clusterAddrTable.delete(clusterName);
    }
    this.#removeTopicsOfBroker(brokerName);
  }

  /**
   * Drops the brokers that registered over `channel` (its connection closed). Returns the
   * broker addresses dropped. (A Java broker has one connection per name server; rmq's own
   * in-process brokers may share one, so every match goes.)
   */
  onChannelDestroy(channel: Channel): string[] {
    const dropped: string[] = [];
    for (const [addr, live] of this.brokerLiveTable) {
      if (live.channel === channel) dropped.push(addr);
    }
    for (const addr of dropped) {
      log.info("Connection of broker {addr} closed; dropping its routes", { addr });
      this.removeBrokerByAddr(addr);
    }
    return dropped;
  }

  /**
   * Drops every broker whose last registration is older than `expiredMs`; returns what was
   * dropped so the caller can close the connections.
   */
  scanNotActiveBroker(expiredMs: number, now = Date.now()): [string, BrokerLiveInfo][] {
    const expired: [string, BrokerLiveInfo][] = [];
    for (const [addr, live] of this.brokerLiveTable) {
      if (live.lastUpdateTimestamp + expiredMs < now) expired.push([addr, live]);
    }
    for (const [addr] of expired) {
      log.warn("Broker {addr} has not registered for {ms} ms; dropping its routes", {
        addr,
        ms: expiredMs,
      });
      this.removeBrokerByAddr(addr);
    }
    return expired;
  }

  /**
   * Forgets one broker address. When it was the last address of its broker name, the name
   * leaves its cluster and its queues leave every topic (a slave left alone keeps serving reads).
   */
  removeBrokerByAddr(brokerAddr: string): void {
    this.brokerLiveTable.delete(brokerAddr);
    this.filterServerTable.delete(brokerAddr);
    for (const [brokerName, brokerData] of this.brokerAddrTable) {
      let found = false;
      for (const [id, addr] of brokerData.brokerAddrs) {
        if (addr === brokerAddr) {
          brokerData.brokerAddrs.delete(id);
          found = true;
          break;
        }
      }
      if (!found) continue;
      if (brokerData.brokerAddrs.size === 0) {
        this.brokerAddrTable.delete(brokerName);
        for (const [cluster, names] of this.clusterAddrTable) {
          if (names.delete(brokerName)) {
            if (names.size === 0) this.clusterAddrTable.delete(cluster);
            break;
          }
        }
        this.#removeTopicsOfBroker(brokerName);
      }
      return;
    }
  }

  #removeTopicsOfBroker(brokerName: string): void {
    for (const [topic, byBroker] of this.topicQueueTable) {
      byBroker.delete(brokerName);
      if (byBroker.size === 0) this.topicQueueTable.delete(topic);
    }
  }

  /** The route of a topic, or undefined when no live broker serves it. */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const byBroker = this.topicQueueTable.get(topic);
    if (!byBroker) return undefined;
    const route: TopicRouteData = {
      queueDatas: [...byBroker.values()].map((q) => ({ ...q })),
      brokerDatas: [],
      filterServerTable: new Map(),
    };
    for (const brokerName of byBroker.keys()) {
      const bd = this.brokerAddrTable.get(brokerName);
      if (!bd) continue;
      route.brokerDatas.push(cloneBrokerData(bd));
      for (const addr of bd.brokerAddrs.values()) {
        const filters = this.filterServerTable.get(addr);
        if (filters) route.filterServerTable.set(addr, [...filters]);
      }
    }
    return route.brokerDatas.length > 0 ? route : undefined;
  }

  wipeWritePermOfBroker(brokerName: string): number {
    return this.#operateWritePerm(brokerName, (perm) => perm & ~PermName.PERM_WRITE);
  }

  addWritePermOfBroker(brokerName: string): number {
    return this.#operateWritePerm(brokerName, () => PermName.PERM_READ | PermName.PERM_WRITE);
  }

  #operateWritePerm(brokerName: string, change: (perm: number) => number): number {
    let count = 0;
    for (const byBroker of this.topicQueueTable.values()) {
      const qd = byBroker.get(brokerName);
      if (!qd) continue;
      qd.perm = change(qd.perm);
      count++;
    }
    return count;
  }

  /** Removes a topic everywhere, or only from the brokers of `clusterName` when given. */
  deleteTopic(topic: string, clusterName?: string): void {
    if (clusterName === undefined || clusterName === "") {
      this.topicQueueTable.delete(topic);
      return;
    }
    const names = this.clusterAddrTable.get(clusterName);
    const byBroker = this.topicQueueTable.get(topic);
    if (!names || !byBroker) return;
    for (const name of names) byBroker.delete(name);
    if (byBroker.size === 0) this.topicQueueTable.delete(topic);
  }

  getAllClusterInfo(): ClusterInfo {
    return {
      brokerAddrTable: new Map(
        [...this.brokerAddrTable].map(([k, bd]) => [k, cloneBrokerData(bd)]),
      ),
      clusterAddrTable: new Map([...this.clusterAddrTable].map(([k, names]) => [k, [...names]])),
    };
  }

  getAllTopicList(): string[] {
    return [...this.topicQueueTable.keys()];
  }

  /** Cluster and broker names (brokers create topics named after both) and one broker address. */
  getSystemTopicList(): TopicList {
    const list: TopicList = { topicList: [] };
    for (const [cluster, names] of this.clusterAddrTable) list.topicList.push(cluster, ...names);
    for (const bd of this.brokerAddrTable.values()) {
      const first = bd.brokerAddrs.values().next();
      if (!first.done) {
        list.brokerAddr = first.value;
        break;
      }
    }
    return list;
  }

  getTopicsByCluster(cluster: string): string[] {
    const names = this.clusterAddrTable.get(cluster);
    if (!names) return [];
    const out: string[] = [];
    for (const [topic, byBroker] of this.topicQueueTable) {
      for (const name of names) {
        if (byBroker.has(name)) {
          out.push(topic);
          break;
        }
      }
    }
    return out;
  }

  /** Topics whose first QueueData carries the UNIT flag. */
  getUnitTopics(): string[] {
    return this.#topicsBySysFlag((f) => hasUnitFlag(f));
  }

  getHasUnitSubTopicList(): string[] {
    return this.#topicsBySysFlag((f) => hasUnitSubFlag(f));
  }

  getHasUnitSubUnUnitTopicList(): string[] {
    return this.#topicsBySysFlag((f) => !hasUnitFlag(f) && hasUnitSubFlag(f));
  }

  #topicsBySysFlag(test: (sysFlag: number) => boolean): string[] {
    const out: string[] = [];
    for (const [topic, byBroker] of this.topicQueueTable) {
      const first = byBroker.values().next();
      if (!first.done && test(first.value.topicSysFlag)) out.push(topic);
    }
    return out;
  }
}

function cloneBrokerData(bd: BrokerData): BrokerData {
  return { cluster: bd.cluster, brokerName: bd.brokerName, brokerAddrs: new Map(bd.brokerAddrs) };
}

function queueDataEquals(a: QueueData, b: QueueData): boolean {
  return a.brokerName === b.brokerName && a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums && a.perm === b.perm && a.topicSysFlag === b.topicSysFlag;
}
