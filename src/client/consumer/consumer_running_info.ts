/**
 * Bodies a consumer answers broker-forwarded admin requests with (fastjson, keys sorted):
 *
 * ConsumerRunningInfo (GET_CONSUMER_RUNNING_INFO):
 *   {"mqTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"cachedMsgCount":0,…}},
 *    "properties":{"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY",…},
 *    "statusTable":{"T":{"consumeFailedMsgs":0,"consumeFailedTPS":0,…}},
 *    "subscriptionSet":[{"classFilterMode":false,"codeSet":[],…,"topic":"T"}]}
 * ProcessQueueInfo fields: commitOffset, cachedMsgMinOffset, cachedMsgMaxOffset,
 *   cachedMsgCount, cachedMsgSizeInMiB, transactionMsgMinOffset, transactionMsgMaxOffset,
 *   transactionMsgCount, locked, tryUnlockTimes, lastLockTimestamp, droped (sic),
 *   lastPullTimestamp, lastConsumeTimestamp.
 * ConsumeStatus fields: pullRT, pullTPS, consumeRT, consumeOKTPS, consumeFailedTPS,
 *   consumeFailedMsgs.
 *
 * ConsumeMessageDirectlyResult (CONSUME_MESSAGE_DIRECTLY):
 *   {"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"remark":"…",
 *    "spentTimeMills":3}
 */
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
  mapEntries,
} from "../../common/fastjson.ts";
import {
  type SubscriptionData,
  subscriptionDataFromJson,
  subscriptionDataToJson,
} from "../../remoting/body/heartbeat_data.ts";
import { decodeJsonBody, encodeJsonBody, stringMap } from "../../remoting/body/json_body.ts";
import {
  compareMessageQueues,
  type MessageQueue,
  messageQueueFromJson,
  messageQueueToJson,
} from "../../remoting/body/message_queue.ts";

/** ConsumerRunningInfo property names Java's admin tools read. */
export const RunningInfoProp = {
  NAMESERVER_ADDR: "PROP_NAMESERVER_ADDR",
  THREADPOOL_CORE_SIZE: "PROP_THREADPOOL_CORE_SIZE",
  CONSUME_ORDERLY: "PROP_CONSUMEORDERLY",
  CONSUME_TYPE: "PROP_CONSUME_TYPE",
  CLIENT_VERSION: "PROP_CLIENT_VERSION",
  CONSUMER_START_TIMESTAMP: "PROP_CONSUMER_START_TIMESTAMP",
} as const;

export interface ProcessQueueInfo {
  commitOffset: number;
  cachedMsgMinOffset: number;
  cachedMsgMaxOffset: number;
  cachedMsgCount: number;
  cachedMsgSizeInMiB: number;
  transactionMsgMinOffset: number;
  transactionMsgMaxOffset: number;
  transactionMsgCount: number;
  locked: boolean;
  tryUnlockTimes: number;
  lastLockTimestamp: number;
  droped: boolean;
  lastPullTimestamp: number;
  lastConsumeTimestamp: number;
}

export interface ConsumeStatus {
  pullRT: number;
  pullTPS: number;
  consumeRT: number;
  consumeOKTPS: number;
  consumeFailedTPS: number;
  consumeFailedMsgs: number;
}

export interface ConsumerRunningInfo {
  properties: Record<string, string>;
  subscriptionSet: SubscriptionData[];
  mqTable: [MessageQueue, ProcessQueueInfo][];
  statusTable: Record<string, ConsumeStatus>;
  jstack?: string;
}

export function encodeConsumerRunningInfo(info: ConsumerRunningInfo): Uint8Array {
  const mqTable = [...info.mqTable].sort((a, b) => compareMessageQueues(a[0], b[0]));
  return encodeJsonBody({
    jstack: info.jstack,
    mqTable: new Map<JsonValue, JsonValue>(
      mqTable.map(([mq, pq]) => [messageQueueToJson(mq), { ...pq } as JsonObject]),
    ),
    properties: stringMap(Object.entries(info.properties)),
    statusTable: stringMap(
      Object.entries(info.statusTable).map(([k, v]) => [k, { ...v } as JsonObject]),
    ),
    subscriptionSet: info.subscriptionSet.map(subscriptionDataToJson),
  });
}

export function decodeConsumerRunningInfo(body: Uint8Array): ConsumerRunningInfo {
  const o = asObject(decodeJsonBody(body, "ConsumerRunningInfo"));
  const properties: Record<string, string> = {};
  for (const [k, v] of mapEntries(o.properties)) {
    const key = asString(k);
    if (key !== undefined) properties[key] = asString(v) ?? String(v);
  }
  const statusTable: Record<string, ConsumeStatus> = {};
  for (const [k, v] of mapEntries(o.statusTable)) {
    const s = asObject(v);
    statusTable[asString(k) ?? ""] = {
      pullRT: asNumber(s.pullRT) ?? 0,
      pullTPS: asNumber(s.pullTPS) ?? 0,
      consumeRT: asNumber(s.consumeRT) ?? 0,
      consumeOKTPS: asNumber(s.consumeOKTPS) ?? 0,
      consumeFailedTPS: asNumber(s.consumeFailedTPS) ?? 0,
      consumeFailedMsgs: asNumber(s.consumeFailedMsgs) ?? 0,
    };
  }
  const num = (p: JsonObject, k: string) => asNumber(p[k]) ?? 0;
  return {
    properties,
    subscriptionSet: asArray(o.subscriptionSet).map(subscriptionDataFromJson),
    mqTable: mapEntries(o.mqTable).map(([k, v]) => {
      const p = asObject(v);
      return [messageQueueFromJson(k), {
        commitOffset: num(p, "commitOffset"),
        cachedMsgMinOffset: num(p, "cachedMsgMinOffset"),
        cachedMsgMaxOffset: num(p, "cachedMsgMaxOffset"),
        cachedMsgCount: num(p, "cachedMsgCount"),
        cachedMsgSizeInMiB: num(p, "cachedMsgSizeInMiB"),
        transactionMsgMinOffset: num(p, "transactionMsgMinOffset"),
        transactionMsgMaxOffset: num(p, "transactionMsgMaxOffset"),
        transactionMsgCount: num(p, "transactionMsgCount"),
        locked: asBoolean(p.locked) ?? false,
        tryUnlockTimes: num(p, "tryUnlockTimes"),
        lastLockTimestamp: num(p, "lastLockTimestamp"),
        droped: asBoolean(p.droped) ?? false,
        lastPullTimestamp: num(p, "lastPullTimestamp"),
        lastConsumeTimestamp: num(p, "lastConsumeTimestamp"),
      }];
    }),
    statusTable,
    jstack: asString(o.jstack),
  };
}

/** CMResult: how a directly consumed message fared. */
export const CMResult = {
  CR_SUCCESS: "CR_SUCCESS",
  CR_LATER: "CR_LATER",
  CR_THROW_EXCEPTION: "CR_THROW_EXCEPTION",
} as const;

export interface ConsumeMessageDirectlyResult {
  order: boolean;
  autoCommit: boolean;
  consumeResult: string;
  remark: string;
  spentTimeMills: number;
}

export function encodeConsumeMessageDirectlyResult(r: ConsumeMessageDirectlyResult): Uint8Array {
  return encodeJsonBody({ ...r });
}

export function decodeConsumeMessageDirectlyResult(body: Uint8Array): ConsumeMessageDirectlyResult {
  const o = asObject(decodeJsonBody(body, "ConsumeMessageDirectlyResult"));
  return {
    order: asBoolean(o.order) ?? false,
    autoCommit: asBoolean(o.autoCommit) ?? true,
    consumeResult: asString(o.consumeResult) ?? "",
    remark: asString(o.remark) ?? "",
    spentTimeMills: asNumber(o.spentTimeMills) ?? 0,
  };
}
