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

export function encodeConsumeStats(stats: ConsumeStats): Uint8Array {
  const sorted = [...stats.offsetTable].sort((a, b) => compareMessageQueues(a[0], b[0]));
  return encodeJsonBody({
    consumeTps: stats.consumeTps,
    offsetTable: new Map<JsonValue, JsonValue>(
      sorted.map(([mq, o]) => [messageQueueToJson(mq), {
        brokerOffset: o.brokerOffset,
        consumerOffset: o.consumerOffset,
        lastTimestamp: o.lastTimestamp,
        pullOffset: o.pullOffset,
      }]),
    ),
  });
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
