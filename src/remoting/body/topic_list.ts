/**
 * Small list/table bodies (REMOTING.md §3.10).
 *
 * TopicList: {"brokerAddr":"10.0.0.1:10911","topicList":["T1","T2"]}
 *   brokerAddr  only in GET_SYSTEM_TOPIC_LIST_FROM_NS answers; omitted when null
 * KVTable:   {"table":{"key":"value"}}
 */
import { asArray, asObject, asString, mapEntries } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody, stringMap } from "./json_body.ts";

export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

export function encodeTopicList(list: TopicList): Uint8Array {
  return encodeJsonBody({ brokerAddr: list.brokerAddr, topicList: list.topicList });
}

export function decodeTopicList(body: Uint8Array): TopicList {
  const o = asObject(decodeJsonBody(body, "TopicList"));
  const list: TopicList = {
    topicList: asArray(o.topicList).map((s) => asString(s)).filter((s): s is string =>
      s !== undefined
    ),
  };
  const addr = asString(o.brokerAddr);
  if (addr !== undefined) list.brokerAddr = addr;
  return list;
}

export function encodeKVTable(table: ReadonlyMap<string, string>): Uint8Array {
  return encodeJsonBody({ table: stringMap(table) });
}

export function decodeKVTable(body: Uint8Array): Map<string, string> {
  const o = asObject(decodeJsonBody(body, "KVTable"));
  const out = new Map<string, string>();
  for (const [k, v] of mapEntries(o.table)) {
    const key = asString(k);
    const value = asString(v);
    if (key !== undefined && value !== undefined) out.set(key, value);
  }
  return out;
}
