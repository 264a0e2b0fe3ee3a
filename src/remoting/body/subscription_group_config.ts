/**
 * SubscriptionGroupConfig: a consumer group as a broker holds it (REMOTING.md §3.10), the body
 * of UPDATE_AND_CREATE_SUBSCRIPTIONGROUP; and SubscriptionGroupWrapper, the body of
 * GET_ALL_SUBSCRIPTIONGROUP_CONFIG and the content of `config/subscriptionGroup.json`.
 *
 * JSON (fastjson, keys sorted):
 *   {"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,
 *    "consumeFromMinEnable":true,"groupName":"g1","notifyConsumerIdsChangedEnable":true,
 *    "retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}
 *   {"dataVersion":{...},"subscriptionGroupTable":{"g1":{...}}}
 * 5.x fields (consumeMessageOrderly, groupRetryPolicy, attributes …) are ignored.
 */
import {
  asBoolean,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
  mapEntries,
} from "../../common/fastjson.ts";
import { type DataVersion, dataVersionFromJson, dataVersionToJson } from "./data_version.ts";
import { decodeJsonBody, encodeJsonBody, stringMap } from "./json_body.ts";

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  /** Queues of the group's %RETRY% topic; 0 drops failed messages instead of retrying. */
  retryQueueNums: number;
  /** Sends back before a message goes to %DLQ% (clients before V3_4_9; later ones say). */
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
}

/** A group with Java's defaults (what auto-creation makes). */
export function defaultSubscriptionGroupConfig(groupName: string): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
  };
}

export function subscriptionGroupConfigToJson(c: SubscriptionGroupConfig): JsonObject {
  return {
    brokerId: c.brokerId,
    consumeBroadcastEnable: c.consumeBroadcastEnable,
    consumeEnable: c.consumeEnable,
    consumeFromMinEnable: c.consumeFromMinEnable,
    groupName: c.groupName,
    notifyConsumerIdsChangedEnable: c.notifyConsumerIdsChangedEnable,
    retryMaxTimes: c.retryMaxTimes,
    retryQueueNums: c.retryQueueNums,
    whichBrokerWhenConsumeSlowly: c.whichBrokerWhenConsumeSlowly,
  };
}

/** Reads a config leniently; missing fields take Java's defaults. */
export function subscriptionGroupConfigFromJson(
  json: JsonValue | undefined,
): SubscriptionGroupConfig {
  const o = asObject(json);
  const d = defaultSubscriptionGroupConfig(asString(o.groupName) ?? "");
  return {
    groupName: d.groupName,
    consumeEnable: asBoolean(o.consumeEnable) ?? d.consumeEnable,
    consumeFromMinEnable: asBoolean(o.consumeFromMinEnable) ?? d.consumeFromMinEnable,
    consumeBroadcastEnable: asBoolean(o.consumeBroadcastEnable) ?? d.consumeBroadcastEnable,
    retryQueueNums: asNumber(o.retryQueueNums) ?? d.retryQueueNums,
    retryMaxTimes: asNumber(o.retryMaxTimes) ?? d.retryMaxTimes,
    brokerId: asNumber(o.brokerId) ?? d.brokerId,
    whichBrokerWhenConsumeSlowly: asNumber(o.whichBrokerWhenConsumeSlowly) ??
      d.whichBrokerWhenConsumeSlowly,
    notifyConsumerIdsChangedEnable: asBoolean(o.notifyConsumerIdsChangedEnable) ??
      d.notifyConsumerIdsChangedEnable,
  };
}

export function encodeSubscriptionGroupConfig(c: SubscriptionGroupConfig): Uint8Array {
  return encodeJsonBody(subscriptionGroupConfigToJson(c));
}

export function decodeSubscriptionGroupConfig(body: Uint8Array): SubscriptionGroupConfig {
  return subscriptionGroupConfigFromJson(decodeJsonBody(body, "SubscriptionGroupConfig"));
}

export interface SubscriptionGroupWrapper {
  subscriptionGroupTable: Map<string, SubscriptionGroupConfig>;
  dataVersion: DataVersion;
}

export function subscriptionGroupWrapperToJson(w: SubscriptionGroupWrapper): JsonObject {
  return {
    dataVersion: dataVersionToJson(w.dataVersion),
    subscriptionGroupTable: stringMap(
      [...w.subscriptionGroupTable].map(([k, v]) => [k, subscriptionGroupConfigToJson(v)]),
    ),
  };
}

export function subscriptionGroupWrapperFromJson(
  json: JsonValue | undefined,
): SubscriptionGroupWrapper {
  const o = asObject(json);
  const table = new Map<string, SubscriptionGroupConfig>();
  for (const [k, v] of mapEntries(o.subscriptionGroupTable)) {
    const name = asString(k);
    if (name === undefined) continue;
    const c = subscriptionGroupConfigFromJson(v);
    table.set(name, { ...c, groupName: c.groupName || name });
  }
  return {
    subscriptionGroupTable: table,
    dataVersion: dataVersionFromJson(o.dataVersion),
  };
}

export function encodeSubscriptionGroupWrapper(w: SubscriptionGroupWrapper): Uint8Array {
  return encodeJsonBody(subscriptionGroupWrapperToJson(w));
}

export function decodeSubscriptionGroupWrapper(body: Uint8Array): SubscriptionGroupWrapper {
  return subscriptionGroupWrapperFromJson(decodeJsonBody(body, "SubscriptionGroupWrapper"));
}
