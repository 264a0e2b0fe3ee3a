/**
 * ResetOffsetBody: the offsets INVOKE_BROKER_TO_RESET_OFFSET computed, sent to the group's
 * clients with RESET_CONSUMER_CLIENT_OFFSET and returned to the admin tool (REMOTING.md §3.8).
 * MessageQueue keys inline (§3.11 quirk 2):
 *   {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:12,...}}
 */
import { asNumber, asObject, type JsonValue, mapEntries } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";
import {
  compareMessageQueues,
  type MessageQueue,
  messageQueueFromJson,
  messageQueueToJson,
} from "./message_queue.ts";

export type ResetOffsetTable = [MessageQueue, number][];

export function encodeResetOffsetBody(table: ResetOffsetTable): Uint8Array {
  const sorted = [...table].sort((a, b) => compareMessageQueues(a[0], b[0]));
  return encodeJsonBody({
    offsetTable: new Map<JsonValue, JsonValue>(
      sorted.map(([mq, offset]) => [messageQueueToJson(mq), offset]),
    ),
  });
}

export function decodeResetOffsetBody(body: Uint8Array): ResetOffsetTable {
  const o = asObject(decodeJsonBody(body, "ResetOffsetBody"));
  return mapEntries(o.offsetTable).map(([k, v]) => [messageQueueFromJson(k), asNumber(v) ?? 0]);
}
