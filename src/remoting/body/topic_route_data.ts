/**
 * Route bodies the name server hands out (REMOTING.md §3.9–3.11).
 *
 * TopicRouteData (GET_ROUTEINFO_BY_TOPIC), fastjson, keys sorted, no whitespace:
 *   {"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"c"}],
 *    "filterServerTable":{},"orderTopicConf":"broker-a:4",
 *    "queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSynFlag":0,
 *                   "topicSysFlag":0,"writeQueueNums":4}]}
 *   brokerAddrs        {long id: "host:port"}  keys unquoted unless standard JSON is asked for
 *   orderTopicConf     string, omitted when null
 *   topicSynFlag       pre-4.9.0 (and Go client) spelling of topicSysFlag; both are written
 *
 * ClusterInfo (GET_BROKER_CLUSTER_INFO), brokerAddrs keys always unquoted (4.9):
 *   {"brokerAddrTable":{"broker-a":{BrokerData}},"clusterAddrTable":{"c":["broker-a"]}}
 */
import {
  asArray,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
  mapEntries,
} from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody, stringMap } from "./json_body.ts";

/** MixAll.MASTER_ID: brokerId 0 is the master of a broker group. */
export const MASTER_ID = 0;

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId → `host:port`; id 0 is the master. */
  brokerAddrs: Map<number, string>;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** broker address → filter server addresses (obsolete feature; normally empty). */
  filterServerTable: Map<string, string[]>;
}

export interface ClusterInfo {
  brokerAddrTable: Map<string, BrokerData>;
  clusterAddrTable: Map<string, string[]>;
}

export interface RouteJsonOptions {
  /**
   * Standard JSON: quoted map keys and non-ASCII escaped (fastjson's BrowserCompatible mode),
   * for clients of version ≥ 401 or that sent `acceptStandardJsonOnly`.
   */
  standardJson?: boolean;
}

export function queueDataToJson(q: QueueData): JsonObject {
  return {
    brokerName: q.brokerName,
    perm: q.perm,
    readQueueNums: q.readQueueNums,
    topicSynFlag: q.topicSysFlag,
    topicSysFlag: q.topicSysFlag,
    writeQueueNums: q.writeQueueNums,
  };
}

export function queueDataFromJson(json: JsonValue | undefined): QueueData {
  const o = asObject(json);
  return {
    brokerName: asString(o.brokerName) ?? "",
    readQueueNums: asNumber(o.readQueueNums) ?? 0,
    writeQueueNums: asNumber(o.writeQueueNums) ?? 0,
    perm: asNumber(o.perm) ?? 0,
    topicSysFlag: asNumber(o.topicSysFlag ?? o.topicSynFlag) ?? 0,
  };
}

export function brokerDataToJson(b: BrokerData): JsonObject {
  return {
    brokerAddrs: new Map([...b.brokerAddrs].sort((x, y) => x[0] - y[0])),
    brokerName: b.brokerName,
    cluster: b.cluster,
  };
}

export function brokerDataFromJson(json: JsonValue | undefined): BrokerData {
  const o = asObject(json);
  const addrs = new Map<number, string>();
  for (const [k, v] of mapEntries(o.brokerAddrs)) {
    const id = asNumber(k);
    const addr = asString(v);
    if (id !== undefined && addr !== undefined) addrs.set(id, addr);
  }
  return {
    cluster: asString(o.cluster) ?? "",
    brokerName: asString(o.brokerName) ?? "",
    brokerAddrs: addrs,
  };
}

export function topicRouteDataToJson(r: TopicRouteData): JsonObject {
  return {
    brokerDatas: r.brokerDatas.map(brokerDataToJson),
    filterServerTable: stringMap([...r.filterServerTable]),
    orderTopicConf: r.orderTopicConf,
    queueDatas: r.queueDatas.map(queueDataToJson),
  };
}

export function topicRouteDataFromJson(json: JsonValue | undefined): TopicRouteData {
  const o = asObject(json);
  const filterServerTable = new Map<string, string[]>();
  for (const [k, v] of mapEntries(o.filterServerTable)) {
    const list = asArray(v).map((s) => asString(s)).filter((s): s is string => s !== undefined);
    filterServerTable.set(asString(k) ?? "", list);
  }
  const route: TopicRouteData = {
    queueDatas: asArray(o.queueDatas).map(queueDataFromJson),
    brokerDatas: asArray(o.brokerDatas).map(brokerDataFromJson),
    filterServerTable,
  };
  const order = asString(o.orderTopicConf);
  if (order !== undefined) route.orderTopicConf = order;
  return route;
}

export function encodeTopicRouteData(
  r: TopicRouteData,
  options: RouteJsonOptions = {},
): Uint8Array {
  const standard = options.standardJson ?? false;
  return encodeJsonBody(topicRouteDataToJson(r), { quoteKeys: standard, asciiOnly: standard });
}

export function decodeTopicRouteData(body: Uint8Array): TopicRouteData {
  return topicRouteDataFromJson(decodeJsonBody(body, "TopicRouteData"));
}

export function clusterInfoToJson(c: ClusterInfo): JsonObject {
  return {
    brokerAddrTable: stringMap([...c.brokerAddrTable].map(([k, b]) => [k, brokerDataToJson(b)])),
    clusterAddrTable: stringMap(
      [...c.clusterAddrTable].map(([k, names]) => [k, [...names].sort()]),
    ),
  };
}

export function clusterInfoFromJson(json: JsonValue | undefined): ClusterInfo {
  const o = asObject(json);
  const brokerAddrTable = new Map<string, BrokerData>();
  for (const [k, v] of mapEntries(o.brokerAddrTable)) {
    brokerAddrTable.set(asString(k) ?? "", brokerDataFromJson(v));
  }
  const clusterAddrTable = new Map<string, string[]>();
  for (const [k, v] of mapEntries(o.clusterAddrTable)) {
    clusterAddrTable.set(
      asString(k) ?? "",
      asArray(v).map((s) => asString(s)).filter((s): s is string => s !== undefined),
    );
  }
  return { brokerAddrTable, clusterAddrTable };
}

/** ClusterInfo is written with unquoted brokerAddrs keys whatever the client (4.9 does so). */
export function encodeClusterInfo(c: ClusterInfo): Uint8Array {
  return encodeJsonBody(clusterInfoToJson(c));
}

export function decodeClusterInfo(body: Uint8Array): ClusterInfo {
  return clusterInfoFromJson(decodeJsonBody(body, "ClusterInfo"));
}
