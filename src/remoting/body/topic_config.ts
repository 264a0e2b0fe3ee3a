/**
 * TopicConfig: one topic as a broker holds it, and the wrapper a broker sends the name server.
 *
 * JSON shape (fastjson, keys sorted; REMOTING.md §3.10):
 *   {"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG",
 *    "topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4}
 *   attributes  {str:str}  5.x only; kept when present
 *
 * Text form (compressed REGISTER_BROKER bodies), fields separated by one space:
 *   topicName readQueueNums writeQueueNums perm topicFilterType [attributes JSON (5.x)]
 *
 * TopicConfigSerializeWrapper: {"dataVersion":{...},"topicConfigTable":{"<topic>":{...}}}
 */
import {
  asBoolean,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
  mapEntries,
  parseFastJson,
  stringifyFastJson,
} from "../../common/fastjson.ts";
import { type DataVersion, dataVersionFromJson, dataVersionToJson } from "./data_version.ts";
import { stringMap } from "./json_body.ts";

/** Permission bits of a topic or broker (PermName.java). */
export const PermName = {
  PERM_PRIORITY: 8,
  PERM_READ: 4,
  PERM_WRITE: 2,
  PERM_INHERIT: 1,
} as const;

export function isReadable(perm: number): boolean {
  return (perm & PermName.PERM_READ) !== 0;
}

export function isWriteable(perm: number): boolean {
  return (perm & PermName.PERM_WRITE) !== 0;
}

export function isInherited(perm: number): boolean {
  return (perm & PermName.PERM_INHERIT) !== 0;
}

/** Topic system flags (TopicSysFlag.java). */
export const TopicSysFlag = {
  FLAG_UNIT: 0x1,
  FLAG_UNIT_SUB: 0x2,
} as const;

export function hasUnitFlag(sysFlag: number): boolean {
  return (sysFlag & TopicSysFlag.FLAG_UNIT) !== 0;
}

export function hasUnitSubFlag(sysFlag: number): boolean {
  return (sysFlag & TopicSysFlag.FLAG_UNIT_SUB) !== 0;
}

export const TopicFilterType = { SINGLE_TAG: "SINGLE_TAG", MULTI_TAG: "MULTI_TAG" } as const;
export type TopicFilterType = (typeof TopicFilterType)[keyof typeof TopicFilterType];

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: TopicFilterType;
  topicSysFlag: number;
  order: boolean;
  /** 5.x topic attributes (`+message.type` …); absent for 4.x brokers. */
  attributes?: Record<string, string>;
}

/** TopicConfig.java's defaults: 16 read and write queues, read-write, single tag. */
export const TOPIC_CONFIG_DEFAULTS = {
  readQueueNums: 16,
  writeQueueNums: 16,
  perm: PermName.PERM_READ | PermName.PERM_WRITE,
  topicFilterType: TopicFilterType.SINGLE_TAG,
  topicSysFlag: 0,
  order: false,
} as const;

export function createTopicConfig(
  topicName: string,
  fields: Partial<Omit<TopicConfig, "topicName">> = {},
): TopicConfig {
  return { topicName, ...TOPIC_CONFIG_DEFAULTS, ...fields };
}

function filterType(v: JsonValue | undefined): TopicFilterType {
  return v === TopicFilterType.MULTI_TAG ? TopicFilterType.MULTI_TAG : TopicFilterType.SINGLE_TAG;
}

export function topicConfigToJson(tc: TopicConfig): JsonObject {
  return {
    attributes: tc.attributes ? stringMap(Object.entries(tc.attributes)) : undefined,
    order: tc.order,
    perm: tc.perm,
    readQueueNums: tc.readQueueNums,
    topicFilterType: tc.topicFilterType,
    topicName: tc.topicName,
    topicSysFlag: tc.topicSysFlag,
    writeQueueNums: tc.writeQueueNums,
  };
}

/**
 * Reads a parsed TopicConfig leniently (numbers as strings, missing fields take the class
 * defaults). `name` is used when the object has no `topicName` (its key in a table).
 */
export function topicConfigFromJson(json: JsonValue | undefined, name = ""): TopicConfig {
  const o = asObject(json);
  const d = TOPIC_CONFIG_DEFAULTS;
  const tc: TopicConfig = {
    topicName: asString(o.topicName) ?? name,
    readQueueNums: asNumber(o.readQueueNums) ?? d.readQueueNums,
    writeQueueNums: asNumber(o.writeQueueNums) ?? d.writeQueueNums,
    perm: asNumber(o.perm) ?? d.perm,
    topicFilterType: filterType(o.topicFilterType),
    topicSysFlag: asNumber(o.topicSysFlag) ?? d.topicSysFlag,
    order: asBoolean(o.order) ?? d.order,
  };
  const attrs = mapEntries(o.attributes);
  if (attrs.length > 0) {
    tc.attributes = Object.fromEntries(
      attrs.map(([k, v]) => [asString(k) ?? "", asString(v) ?? ""]),
    );
  }
  return tc;
}

const TEXT_SEPARATOR = " ";
const INT_TEXT = /^-?\d+$/;

/** The text form compressed REGISTER_BROKER bodies carry (no sysFlag, no order flag). */
export function encodeTopicConfigText(tc: TopicConfig): string {
  const fields = [tc.topicName, tc.readQueueNums, tc.writeQueueNums, tc.perm, tc.topicFilterType];
  if (tc.attributes && Object.keys(tc.attributes).length > 0) {
    fields.push(stringifyFastJson(stringMap(Object.entries(tc.attributes))));
  }
  return fields.join(TEXT_SEPARATOR);
}

/** Reads the text form; throws SyntaxError when a field is missing or not a number. */
export function decodeTopicConfigText(text: string): TopicConfig {
  const parts = text.split(TEXT_SEPARATOR);
  if (parts.length < 5) {
    throw new SyntaxError(
      `Cannot decode topic config text: ${
        JSON.stringify(text)
      } has ${parts.length} fields, expected 5`,
    );
  }
  const [name, read, write, perm, type] = parts;
  for (
    const [field, value] of [["readQueueNums", read], ["writeQueueNums", write], ["perm", perm]]
  ) {
    if (!INT_TEXT.test(value)) {
      throw new SyntaxError(
        `Cannot decode topic config text: ${field} ${JSON.stringify(value)} is not an integer`,
      );
    }
  }
  if (type !== TopicFilterType.SINGLE_TAG && type !== TopicFilterType.MULTI_TAG) {
    throw new SyntaxError(
      `Cannot decode topic config text: unknown topicFilterType ${JSON.stringify(type)}`,
    );
  }
  const tc = createTopicConfig(name, {
    readQueueNums: Number(read),
    writeQueueNums: Number(write),
    perm: Number(perm),
    topicFilterType: type,
  });
  if (parts.length > 5) {
    // The attributes JSON may itself contain spaces; it is everything after the fifth field.
    const attrs = mapEntries(parseFastJson(parts.slice(5).join(TEXT_SEPARATOR)));
    tc.attributes = Object.fromEntries(
      attrs.map(([k, v]) => [asString(k) ?? "", asString(v) ?? ""]),
    );
  }
  return tc;
}

/** The topic table and its version, as a broker registers them (TopicConfigSerializeWrapper). */
export interface TopicConfigSerializeWrapper {
  topicConfigTable: Map<string, TopicConfig>;
  dataVersion: DataVersion;
}

export function topicConfigWrapperToJson(w: TopicConfigSerializeWrapper): JsonObject {
  return {
    dataVersion: dataVersionToJson(w.dataVersion),
    topicConfigTable: stringMap(
      [...w.topicConfigTable].map(([k, tc]) => [k, topicConfigToJson(tc)]),
    ),
  };
}

/**
 * The wrapper's JSON text, byte for byte what stringifyFastJson(topicConfigWrapperToJson(w))
 * gives, with each topic's text taken from `cache` when that config object was rendered
 * before: a broker with ten thousand topics rewrites topics.json after every batch of
 * creations, and rendering every topic each time was most of the cost.
 */
export function topicConfigWrapperText(
  w: TopicConfigSerializeWrapper,
  cache: WeakMap<TopicConfig, string>,
): string {
  const names = [...w.topicConfigTable.keys()].sort();
  const parts: string[] = [];
  for (const name of names) {
    const tc = w.topicConfigTable.get(name)!;
    let text = cache.get(tc);
    if (text === undefined) {
      text = stringifyFastJson(topicConfigToJson(tc));
      cache.set(tc, text);
    }
    parts.push(`${stringifyFastJson(name)}:${text}`);
  }
  const dv = stringifyFastJson(dataVersionToJson(w.dataVersion));
  return `{"dataVersion":${dv},"topicConfigTable":{${parts.join(",")}}}`;
}

export function topicConfigWrapperFromJson(
  json: JsonValue | undefined,
): TopicConfigSerializeWrapper {
  const o = asObject(json);
  const table = new Map<string, TopicConfig>();
  for (const [k, v] of mapEntries(o.topicConfigTable)) {
    const key = asString(k) ?? "";
    const tc = topicConfigFromJson(v, key);
    table.set(tc.topicName || key, tc);
  }
  return {
    topicConfigTable: table,
    dataVersion: dataVersionFromJson(o.dataVersion),
  };
}
