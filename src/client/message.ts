/**
 * The message a producer sends, and its conversion into what goes on the wire: a property
 * string (REMOTING.md §5), a body (zlib-compressed from 4 KiB, §4.4) and a sysFlag.
 */
import { deflateSync } from "node:zlib";
import { textEncoder } from "../common/bytes.ts";
import { type BatchItem, encodeBatch } from "../common/message/batch_codec.ts";
import { KEY_SEPARATOR, MessageConst } from "../common/message/message_const.ts";
import { NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from "../common/message/properties.ts";
import { MessageSysFlag } from "../common/message/sys_flag.ts";
import { isRetryTopic } from "../remoting/group_topics.ts";
import { checkBodyLength, checkPropertiesLength, checkTopic } from "./validators.ts";

/**
 * A message to send. Only `topic` and `body` are required.
 *
 * @example
 * ```ts
 * const msg: Message = {
 *   topic: "TopicTest",
 *   body: "Hello RocketMQ",
 *   tags: "TagA",
 *   keys: ["order-1001"],
 *   properties: { region: "eu" },
 * };
 * ```
 */
export interface Message {
  /** Topic: letters, digits, `%`, `|`, `_`, `-`; at most 127 characters. */
  topic: string;
  /** Payload; a string is sent as UTF-8. Must not be empty; at most 4 MiB. */
  body: Uint8Array | string;
  /** One tag consumers can filter on (property TAGS). */
  tags?: string;
  /** Business keys the broker indexes for queries (property KEYS, space-separated). */
  keys?: string | readonly string[];
  /** User properties. System names (TAGS, KEYS, UNIQ_KEY, DELAY, …) are refused. */
  properties?: Readonly<Record<string, string>>;
  /** Delay level 1–18 (1s 5s 10s 30s 1m … 2h); 0 or absent sends at once (property DELAY). */
  delayTimeLevel?: number;
  /** A user int32 stored with the message (FLAG). */
  flag?: number;
  /** Whether the broker answers only once the message is stored (property WAIT, default true). */
  waitStoreMsgOK?: boolean;
}

/**
 * Property names the producer or broker set; a user property with one of these names would
 * change how the message is stored or delivered (Java refuses them in putUserProperty).
 */
const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  ...Object.values(MessageConst),
  "TRANSFER_FLAG",
  "CORRECTION_FLAG",
  "MQ2_FLAG",
  "INSTANCE_ID",
  "CORRELATION_ID",
  "REPLY_TO_CLIENT",
  "TTL",
  "ARRIVE_TIME",
  "PUSH_REPLY_TIME",
  "MSG_TYPE",
  "INNER_MULTI_DISPATCH",
  "INNER_MULTI_QUEUE_OFFSET",
  "__SHARDINGKEY",
]);

/** A message after validation, ready for a request. */
export interface PreparedMessage {
  topic: string;
  /** Body as sent: compressed when sysFlag has COMPRESSED. */
  body: Uint8Array;
  /** Body length before compression, for limits and reports. */
  rawLength: number;
  flag: number;
  sysFlag: number;
  /** The whole property string, UNIQ_KEY included. */
  properties: string;
  /** The client message id (UNIQ_KEY); for a batch, each inner id joined with commas. */
  msgId: string;
  waitStoreMsgOK: boolean;
  /** A SEND_BATCH_MESSAGE body (batch_codec.ts) rather than one message. */
  batch: boolean;
  /** A reply (request-reply): sent with SEND_REPLY_MESSAGE_V2. */
  reply?: boolean;
}

export interface PrepareOptions {
  maxMessageSize: number;
  /** Bodies of at least this many bytes are compressed (compressMsgBodyOverHowmuch). */
  compressOver: number;
  compressLevel: number;
}

/** Reads a message's body as bytes. Throws TypeError for anything but bytes or a string. */
export function messageBody(body: Uint8Array | string, what = "send message"): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return textEncoder.encode(body);
  throw new TypeError(`Cannot ${what}: body must be a Uint8Array or a string`);
}

/** Bytes 0x01 and 0x02 separate properties, so no name or value may hold them. */
function checkPropertyText(kind: string, text: string, what: string): void {
  if (text.includes(NAME_VALUE_SEPARATOR) || text.includes(PROPERTY_SEPARATOR)) {
    throw new TypeError(
      `Cannot ${what}: ${kind} ${JSON.stringify(text)} contains byte 0x01 or 0x02`,
    );
  }
}

/**
 * The property string for a message, UNIQ_KEY last. Throws TypeError or RangeError for a
 * reserved or blank user property, separator bytes, a bad delay level or an overlong string.
 */
export function encodeMessageProperties(
  msg: Message,
  uniqKey: string,
  what = "send message",
): string {
  let s = "";
  const user = msg.properties;
  if (user !== undefined) {
    if (user === null || typeof user !== "object") {
      throw new TypeError(`Cannot ${what}: properties must be an object of strings`);
    }
    for (const name in user) {
      const value = user[name];
      if (RESERVED_PROPERTIES.has(name)) {
        throw new TypeError(`Cannot ${what}: property name ${name} is reserved for the system`);
      }
      if (typeof value !== "string" || name.trim() === "" || value.trim() === "") {
        throw new TypeError(
          `Cannot ${what}: property ${JSON.stringify(name)} needs a non-blank name and value`,
        );
      }
      checkPropertyText("property name", name, what);
      checkPropertyText("property value", value, what);
      s += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
    }
  }
  const keys = msg.keys;
  if (keys !== undefined) {
    const text = typeof keys === "string" ? keys : joinKeys(keys, what);
    if (text.length > 0) {
      checkPropertyText("keys", text, what);
      s += MessageConst.KEYS + NAME_VALUE_SEPARATOR + text + PROPERTY_SEPARATOR;
    }
  }
  const tags = msg.tags;
  if (tags !== undefined && tags !== "") {
    if (typeof tags !== "string") throw new TypeError(`Cannot ${what}: tags must be a string`);
    checkPropertyText("tags", tags, what);
    s += MessageConst.TAGS + NAME_VALUE_SEPARATOR + tags + PROPERTY_SEPARATOR;
  }
  const delay = msg.delayTimeLevel;
  if (delay !== undefined && delay !== 0) {
    if (!Number.isInteger(delay) || delay < 0 || delay > 0x7fffffff) {
      throw new RangeError(`Cannot ${what}: delayTimeLevel ${delay} is not a level from 0`);
    }
    s += MessageConst.DELAY + NAME_VALUE_SEPARATOR + delay + PROPERTY_SEPARATOR;
  }
  s += msg.waitStoreMsgOK === false ? WAIT_FALSE : WAIT_TRUE;
  s += MessageConst.UNIQ_KEY + NAME_VALUE_SEPARATOR + uniqKey + PROPERTY_SEPARATOR;
  checkPropertiesLength(s, what);
  return s;
}

const WAIT_TRUE = MessageConst.WAIT + NAME_VALUE_SEPARATOR + "true" + PROPERTY_SEPARATOR;
const WAIT_FALSE = MessageConst.WAIT + NAME_VALUE_SEPARATOR + "false" + PROPERTY_SEPARATOR;

function joinKeys(keys: readonly string[], what: string): string {
  if (!Array.isArray(keys)) throw new TypeError(`Cannot ${what}: keys must be strings`);
  let out = "";
  for (const k of keys) {
    if (typeof k !== "string") throw new TypeError(`Cannot ${what}: keys must be strings`);
    if (k.length === 0) continue;
    out = out.length === 0 ? k : out + KEY_SEPARATOR + k;
  }
  return out;
}

/** Checks a flag is an int32; returns it (0 when absent). */
export function messageFlag(flag: number | undefined, what = "send message"): number {
  if (flag === undefined) return 0;
  if (!Number.isInteger(flag) || flag < -0x80000000 || flag > 0x7fffffff) {
    throw new RangeError(`Cannot ${what}: flag ${flag} is not an int32`);
  }
  return flag;
}

/**
 * Validates one message and turns it into its wire form, compressing a large body (never a
 * batch item: batches go through prepareBatch without compression).
 */
export function prepareMessage(
  msg: Message,
  uniqKey: string,
  options: PrepareOptions,
  what = "send message",
): PreparedMessage {
  if (msg === null || typeof msg !== "object") {
    throw new TypeError(`Cannot ${what}: message must be an object`);
  }
  checkTopic(msg.topic, what);
  const raw = messageBody(msg.body, what);
  checkBodyLength(raw.length, options.maxMessageSize, what);
  const flag = messageFlag(msg.flag, what);
  const properties = encodeMessageProperties(msg, uniqKey, what);
  let body = raw;
  let sysFlag = 0;
  if (raw.length >= options.compressOver) {
    const z = deflateSync(raw, { level: options.compressLevel });
    body = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
    sysFlag |= MessageSysFlag.COMPRESSED | MessageSysFlag.COMPRESSION_ZLIB;
  }
  return {
    topic: msg.topic,
    body,
    rawLength: raw.length,
    flag,
    sysFlag,
    properties,
    msgId: uniqKey,
    waitStoreMsgOK: msg.waitStoreMsgOK !== false,
    batch: false,
  };
}

/**
 * Validates a batch and encodes its SEND_BATCH_MESSAGE body: one topic, no delay, one WAIT
 * value, each item with its own UNIQ_KEY, never compressed, at most maxMessageSize in all.
 */
export function prepareBatch(
  msgs: readonly Message[],
  nextUniqKey: () => string,
  options: PrepareOptions,
): PreparedMessage {
  const what = "send batch";
  if (!Array.isArray(msgs) || msgs.length === 0) {
    throw new RangeError(`Cannot ${what}: it has no messages`);
  }
  const first = msgs[0];
  if (first === null || typeof first !== "object") {
    throw new TypeError(`Cannot ${what}: message 0 is not an object`);
  }
  checkTopic(first.topic, what);
  // Retry topics carry consumer state per message, so they cannot be batched (MessageBatch).
  if (isRetryTopic(first.topic)) {
    throw new TypeError(`Cannot ${what}: retry topic ${first.topic} cannot take batches`);
  }
  const wait = first.waitStoreMsgOK !== false;
  const items: BatchItem[] = [];
  const ids: string[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m === null || typeof m !== "object") {
      throw new TypeError(`Cannot ${what}: message ${i} is not an object`);
    }
    if (m.topic !== first.topic) {
      throw new TypeError(
        `Cannot ${what}: message ${i} has topic ${JSON.stringify(m.topic)}, not ${first.topic}`,
      );
    }
    if (m.delayTimeLevel !== undefined && m.delayTimeLevel > 0) {
      throw new TypeError(
        `Cannot ${what}: message ${i} has a delay level (not allowed in batches)`,
      );
    }
    if ((m.waitStoreMsgOK !== false) !== wait) {
      throw new TypeError(`Cannot ${what}: message ${i} differs from message 0 in waitStoreMsgOK`);
    }
    const body = messageBody(m.body, what);
    checkBodyLength(body.length, options.maxMessageSize, what);
    const id = nextUniqKey();
    ids.push(id);
    items.push({
      flag: messageFlag(m.flag, what),
      body,
      properties: encodeMessageProperties(m, id, what),
    });
  }
  const body = encodeBatch(items);
  if (body.length > options.maxMessageSize) {
    throw new RangeError(
      `Cannot ${what}: ${msgs.length} messages encode to ${body.length} bytes (max ${options.maxMessageSize})`,
    );
  }
  return {
    topic: first.topic,
    body,
    rawLength: body.length,
    flag: 0,
    sysFlag: 0,
    properties: wait ? WAIT_TRUE : WAIT_FALSE,
    msgId: ids.join(","),
    waitStoreMsgOK: wait,
    batch: true,
  };
}
