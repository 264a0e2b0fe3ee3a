/**
 * Offset tables with int keys, written the fastjson way (unquoted numeric keys, §3.11 quirk 1):
 *
 * ConsumerOffsetSerializeWrapper: `config/consumerOffset.json` and the GET_ALL_CONSUMER_OFFSET
 * body, committed offset per `topic@group` and queue id:
 *   {"offsetTable":{"TopicTest@g1":{0:12,1:7},"%RETRY%g1@g1":{0:0}}}
 *
 * DelayOffsetSerializeWrapper: `config/delayOffset.json` and the GET_ALL_DELAY_OFFSET body,
 * delivered offset of SCHEDULE_TOPIC_XXXX queue level−1 per delay level:
 *   {"offsetTable":{1:0,2:15,3:4}}
 *
 * Readers take quoted keys too.
 */
import { asNumber, asObject, asString, type JsonValue, mapEntries } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody, stringMap } from "./json_body.ts";

/** Committed offsets: `topic@group` → queue id → offset. */
export type ConsumerOffsetTable = Map<string, Map<number, number>>;

/** Separator of the topic and the group in an offset-table key. */
export const TOPIC_GROUP_SEPARATOR = "@";

function intMap(entries: Iterable<[number, number]>): Map<JsonValue, JsonValue> {
  return new Map([...entries].sort((a, b) => a[0] - b[0]));
}

function readIntMap(json: JsonValue | undefined): Map<number, number> {
  const out = new Map<number, number>();
  for (const [k, v] of mapEntries(json)) {
    const key = asNumber(k);
    const value = asNumber(v);
    if (key !== undefined && value !== undefined && Number.isInteger(key)) out.set(key, value);
  }
  return out;
}

export function consumerOffsetTableToJson(table: ConsumerOffsetTable): JsonValue {
  return {
    offsetTable: stringMap([...table].map(([k, queues]) => [k, intMap(queues)])),
  };
}

export function consumerOffsetTableFromJson(json: JsonValue | undefined): ConsumerOffsetTable {
  const out: ConsumerOffsetTable = new Map();
  for (const [k, v] of mapEntries(asObject(json).offsetTable)) {
    const key = asString(k);
    if (key !== undefined) out.set(key, readIntMap(v));
  }
  return out;
}

export function encodeConsumerOffsetTable(table: ConsumerOffsetTable): Uint8Array {
  return encodeJsonBody(consumerOffsetTableToJson(table));
}

export function decodeConsumerOffsetTable(body: Uint8Array): ConsumerOffsetTable {
  return consumerOffsetTableFromJson(decodeJsonBody(body, "ConsumerOffsetSerializeWrapper"));
}

/** Delivered offsets of SCHEDULE_TOPIC_XXXX: delay level → offset in queue level−1. */
export type DelayOffsetTable = Map<number, number>;

export function delayOffsetTableToJson(table: DelayOffsetTable): JsonValue {
  return { offsetTable: intMap(table) };
}

export function delayOffsetTableFromJson(json: JsonValue | undefined): DelayOffsetTable {
  return readIntMap(asObject(json).offsetTable);
}

export function encodeDelayOffsetTable(table: DelayOffsetTable): Uint8Array {
  return encodeJsonBody(delayOffsetTableToJson(table));
}

export function decodeDelayOffsetTable(body: Uint8Array): DelayOffsetTable {
  return delayOffsetTableFromJson(decodeJsonBody(body, "DelayOffsetSerializeWrapper"));
}
