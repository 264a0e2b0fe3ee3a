/**
 * TopicStatsTable, the body of GET_TOPIC_STATS_INFO (REMOTING.md §3.8, §3.10): per queue its
 * offset range and the store time of its newest message. fastjson writes MessageQueue map keys
 * as inline objects (§3.11 quirk 2), keys sorted, no whitespace:
 *   {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:
 *     {"lastUpdateTimestamp":1700000000000,"maxOffset":5,"minOffset":0},...}}
 */
import { asNumber, asObject, type JsonValue, mapEntries } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";
import {
  compareMessageQueues,
  type MessageQueue,
  messageQueueFromJson,
  messageQueueToJson,
} from "./message_queue.ts";

export interface TopicOffset {
  minOffset: number;
  maxOffset: number;
  /** Store time of the newest message (0 when the queue is empty). */
  lastUpdateTimestamp: number;
}

export type TopicStatsTable = [MessageQueue, TopicOffset][];

export function encodeTopicStatsTable(table: TopicStatsTable): Uint8Array {
  const sorted = [...table].sort((a, b) => compareMessageQueues(a[0], b[0]));
  const offsetTable = new Map<JsonValue, JsonValue>(
    sorted.map(([mq, o]) => [messageQueueToJson(mq), {
      lastUpdateTimestamp: o.lastUpdateTimestamp,
      maxOffset: o.maxOffset,
      minOffset: o.minOffset,
    }]),
  );
  return encodeJsonBody({ offsetTable });
}

export function decodeTopicStatsTable(body: Uint8Array): TopicStatsTable {
  const o = asObject(decodeJsonBody(body, "TopicStatsTable"));
  return mapEntries(o.offsetTable).map(([k, v]) => {
    const t = asObject(v);
    return [messageQueueFromJson(k), {
      minOffset: asNumber(t.minOffset) ?? 0,
      maxOffset: asNumber(t.maxOffset) ?? 0,
      lastUpdateTimestamp: asNumber(t.lastUpdateTimestamp) ?? 0,
    }];
  });
}
