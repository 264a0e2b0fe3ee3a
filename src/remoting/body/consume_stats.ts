/**
 * ConsumeStats, the body of GET_CONSUME_STATS (REMOTING.md §3.8, §3.10): per queue the broker's
 * max offset, the group's committed offset and the store time of the last consumed message.
 * fastjson writes MessageQueue map keys inline (§3.11 quirk 2), keys sorted, no whitespace:
 *   {"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:
 *     {"brokerOffset":5,"consumerOffset":3,"lastTimestamp":1700000000000},...}}
 * 5.x adds `pullOffset` per queue (read if present).
 */
import { asNumber, asObject, type JsonValue, mapEntries } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";
import {
  compareMessageQueues,
  type MessageQueue,
  messageQueueFromJson,
  messageQueueToJson,
} from "./message_queue.ts";

export interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  /** Store time of the message at consumerOffset − 1 (0 when unknown). */
  lastTimestamp: number;
  pullOffset?: number;
}

export interface ConsumeStats {
  offsetTable: [MessageQueue, OffsetWrapper][];
  consumeTps: number;
}

export function consumeStatsToJson(stats: ConsumeStats): JsonValue {
  const sorted = [...stats.offsetTable].sort((a, b) => compareMessageQueues(a[0], b[0]));
  return {
    consumeTps: stats.consumeTps,
    offsetTable: new Map<JsonValue, JsonValue>(
      sorted.map(([mq, o]) => [messageQueueToJson(mq), {
        brokerOffset: o.brokerOffset,
        consumerOffset: o.consumerOffset,
        lastTimestamp: o.lastTimestamp,
        pullOffset: o.pullOffset,
      }]),
    ),
  };
}

export function encodeConsumeStats(stats: ConsumeStats): Uint8Array {
  return encodeJsonBody(consumeStatsToJson(stats));
}

export function decodeConsumeStats(body: Uint8Array): ConsumeStats {
  const o = asObject(decodeJsonBody(body, "ConsumeStats"));
  return {
    consumeTps: asNumber(o.consumeTps) ?? 0,
    offsetTable: mapEntries(o.offsetTable).map(([k, v]) => {
      const w = asObject(v);
      const wrapper: OffsetWrapper = {
        brokerOffset: asNumber(w.brokerOffset) ?? 0,
        consumerOffset: asNumber(w.consumerOffset) ?? 0,
        lastTimestamp: asNumber(w.lastTimestamp) ?? 0,
      };
      const pull = asNumber(w.pullOffset);
      if (pull !== undefined) wrapper.pullOffset = pull;
      return [messageQueueFromJson(k), wrapper];
    }),
  };
}

/**
 * ConsumeStatsList, GET_BROKER_CONSUME_STATS's body: every group's stats per topic on one
 * broker, and the messages not yet consumed in all.
 *   {"brokerAddr":"…","consumeStatsList":[{"<group>":[ConsumeStats…]}…],"totalDiff":N}
 */
export interface ConsumeStatsList {
  brokerAddr: string;
  totalDiff: number;
  consumeStatsList: Map<string, ConsumeStats[]>[];
}

export function encodeConsumeStatsList(list: ConsumeStatsList): Uint8Array {
  return encodeJsonBody({
    brokerAddr: list.brokerAddr,
    consumeStatsList: list.consumeStatsList.map((m) => {
      const o: Record<string, JsonValue> = {};
      for (const [group, stats] of m) o[group] = stats.map(consumeStatsToJson);
      return o;
    }),
    totalDiff: list.totalDiff,
  });
}

/** Messages behind in all queues (ConsumeStats.computeTotalDiff). */
export function totalDiff(stats: ConsumeStats): number {
  let n = 0;
  for (const [, o] of stats.offsetTable) n += o.brokerOffset - o.consumerOffset;
  return n;
}
