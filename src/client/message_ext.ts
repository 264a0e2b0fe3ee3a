/**
 * Received messages (Java's MessageExt): the records of a pull body (REMOTING.md §4.1) read in
 * place. Fixed fields are read when a record is decoded; the property string, ids, hosts and
 * the body are produced on first access, so a listener pays only for what it reads and the
 * pull body is never copied (bodies are views into it, decompressed on demand, §4.4).
 *
 * Record fields read here, by position (IPv4 hosts; each IPv6 host adds 12 bytes after it):
 *   0   4  TOTALSIZE          20  8  QUEUEOFFSET      48  8|20 BORNHOST
 *   4   4  MAGICCODE          28  8  PHYSICALOFFSET   ..  8  STORETIMESTAMP
 *   8   4  BODYCRC            36  4  SYSFLAG          ..  8|20 STOREHOSTADDRESS
 *   12  4  QUEUEID            40  8  BORNTIMESTAMP    ..  4  RECONSUMETIMES
 *   16  4  FLAG                                       ..  8  PREPARED TRANSACTION OFFSET
 *   ..  4  BODY length n, n BODY, 1 (V1) or 2 (V2) TOPIC length t, t TOPIC,
 *   ..  2  PROPERTIES length p, p PROPERTIES
 */
import { inflateSync } from "node:zlib";
import { readInt64, textDecoder } from "../common/bytes.ts";
import { MESSAGE_MAGIC_V1, MESSAGE_MAGIC_V2, RecordPos } from "../common/message/message_codec.ts";
import { KEY_SEPARATOR, MessageConst } from "../common/message/message_const.ts";
import { createOffsetMsgId } from "../common/message/message_id.ts";
import { decodeProperties, getProperty } from "../common/message/properties.ts";
import { formatSocketAddress } from "../common/message/socket_address.ts";
import { MessageSysFlag } from "../common/message/sys_flag.ts";

/**
 * A message as a consumer receives it: every field of the stored record, the body
 * decompressed, and the ids Java's MessageExt offers. Messages redelivered through the
 * group's retry topic carry their original topic (property RETRY_TOPIC), as in Java.
 *
 * @example
 * ```ts
 * consumer.registerMessageListener((msgs) => {
 *   for (const m of msgs) {
 *     console.log(m.topic, m.queueId, m.queueOffset, m.msgId, m.tags, new TextDecoder().decode(m.body));
 *   }
 * });
 * ```
 */
export interface MessageExt {
  /** The topic (the original one for a retried message). */
  readonly topic: string;
  /** The broker group the message was pulled from. */
  readonly brokerName: string;
  /** The queue on that broker. */
  readonly queueId: number;
  /** The message's logical offset in its queue. */
  readonly queueOffset: number;
  /** The record's offset in the broker's commit log. */
  readonly commitLogOffset: number;
  /** The producer's id for the message (UNIQ_KEY), else the offsetMsgId (Java getMsgId). */
  readonly msgId: string;
  /** The broker's id: store host and commit-log offset, 32 hex characters for IPv4. */
  readonly offsetMsgId: string;
  /** Property TAGS. */
  readonly tags: string | undefined;
  /** Property KEYS, split on spaces (empty when there are none). */
  readonly keys: string[];
  /** Every property: user properties and system ones (TAGS, KEYS, UNIQ_KEY, …). */
  readonly properties: Readonly<Record<string, string>>;
  /** The payload, decompressed when the producer compressed it. */
  readonly body: Uint8Array;
  /** The user flag sent with the message. */
  readonly flag: number;
  /** The record's SYSFLAG (compression, transaction type, IPv6 hosts). */
  readonly sysFlag: number;
  /** When the producer made the message (producer clock, ms). */
  readonly bornTimestamp: number;
  /** The producer's address, `ip:port`. */
  readonly bornHost: string;
  /** When the broker stored the message (broker clock, ms). */
  readonly storeTimestamp: number;
  /** The storing broker's address, `ip:port`. */
  readonly storeHost: string;
  /** How many times the message was delivered before (0 on the first delivery). */
  readonly reconsumeTimes: number;
  /** Size of the stored record in bytes. */
  readonly storeSize: number;
  /** CRC32 of the stored body, masked to 31 bits. */
  readonly bodyCRC: number;
  /** For committed transactional messages, the half message's commit-log offset. */
  readonly preparedTransactionOffset: number;
  /**
   * One property.
   *
   * @param name The property name, e.g. `KEYS` or a user property.
   * @returns Its value, or undefined when the message has none.
   */
  getProperty(name: string): string | undefined;
}

/** Java MessageAccessor's queue-bounds properties, set by the client on every pulled message. */
const MIN_OFFSET = MessageConst.MIN_OFFSET;
const MAX_OFFSET = MessageConst.MAX_OFFSET;

/** Compression algorithm bits of SYSFLAG (4.9.8+); 0 is zlib for older producers. */
const COMPRESSION_NAMES: Record<number, string> = { 0x100: "LZ4", 0x200: "ZSTD" };

/**
 * The implementation of MessageExt over a pull (or view) body. `topic` and `reconsumeTimes`
 * are writable for the consumer (retry-topic restore, local redelivery).
 */
export class ReceivedMessage implements MessageExt {
  topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly flag: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  reconsumeTimes: number;
  readonly storeSize: number;
  readonly bodyCRC: number;
  readonly preparedTransactionOffset: number;
  /** Queue bounds at pull time (properties MIN_OFFSET / MAX_OFFSET); -1 when unknown. */
  minOffset = -1;
  maxOffset = -1;

  readonly #buf: Uint8Array;
  readonly #pos: number;
  readonly #storeHostPos: number;
  readonly #bodyPos: number;
  readonly #bodyLen: number;
  readonly #propsPos: number;
  readonly #propsLen: number;
  #rawProps: string | undefined;
  #props: Record<string, string> | undefined;
  #body: Uint8Array | undefined;
  #offsetMsgId: string | undefined;

  /**
   * Reads the record at `pos`; throws RangeError when it is truncated or inconsistent. The
   * topic is compared with `topicHint`'s bytes and the hint reused when equal.
   */
  constructor(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    brokerName: string,
    topicHint?: TopicHint,
  ) {
    const avail = buf.length - pos;
    if (avail < 8) throw new RangeError(`Cannot decode message at ${pos}: truncated header`);
    const size = view.getInt32(pos + RecordPos.TOTAL_SIZE);
    const magic = view.getInt32(pos + RecordPos.MAGIC);
    if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) {
      throw new RangeError(
        `Cannot decode message at ${pos}: bad magic 0x${(magic >>> 0).toString(16)}`,
      );
    }
    if (size < 91 || size > avail) {
      throw new RangeError(`Cannot decode message at ${pos}: bad size ${size}`);
    }
    const end = pos + size;
    this.#buf = buf;
    this.#pos = pos;
    this.brokerName = brokerName;
    this.storeSize = size;
    this.bodyCRC = view.getInt32(pos + RecordPos.BODY_CRC);
    this.queueId = view.getInt32(pos + RecordPos.QUEUE_ID);
    this.flag = view.getInt32(pos + RecordPos.FLAG);
    this.queueOffset = readInt64(view, pos + RecordPos.QUEUE_OFFSET);
    this.commitLogOffset = readInt64(view, pos + RecordPos.PHYSICAL_OFFSET);
    const sysFlag = view.getInt32(pos + RecordPos.SYS_FLAG);
    this.sysFlag = sysFlag;
    this.bornTimestamp = readInt64(view, pos + RecordPos.BORN_TIMESTAMP);
    let p = pos + RecordPos.BORN_HOST + (sysFlag & MessageSysFlag.BORNHOST_V6 ? 20 : 8);
    this.storeTimestamp = readInt64(view, p);
    p += 8;
    this.#storeHostPos = p;
    p += sysFlag & MessageSysFlag.STOREHOST_V6 ? 20 : 8;
    this.reconsumeTimes = view.getInt32(p);
    this.preparedTransactionOffset = readInt64(view, p + 4);
    const bodyLen = view.getInt32(p + 12);
    p += 16;
    if (bodyLen < 0 || p + bodyLen + 3 > end) {
      throw new RangeError(`Cannot decode message at ${pos}: bad body length ${bodyLen}`);
    }
    this.#bodyPos = p;
    this.#bodyLen = bodyLen;
    p += bodyLen;
    let topicLen: number;
    if (magic === MESSAGE_MAGIC_V2) {
      topicLen = view.getInt16(p);
      p += 2;
    } else {
      topicLen = view.getInt8(p);
      p += 1;
    }
    if (topicLen < 0 || p + topicLen + 2 > end) {
      throw new RangeError(`Cannot decode message at ${pos}: bad topic length ${topicLen}`);
    }
    this.topic = topicHint !== undefined && topicHint.matches(buf, p, topicLen)
      ? topicHint.topic
      : textDecoder.decode(buf.subarray(p, p + topicLen));
    p += topicLen;
    const propsLen = view.getInt16(p);
    p += 2;
    if (propsLen < 0 || p + propsLen !== end) {
      throw new RangeError(`Cannot decode message at ${pos}: bad properties length ${propsLen}`);
    }
    this.#propsPos = p;
    this.#propsLen = propsLen;
  }

  /** The property string as stored. */
  get rawProperties(): string {
    if (this.#rawProps === undefined) {
      this.#rawProps = this.#propsLen === 0
        ? ""
        : textDecoder.decode(this.#buf.subarray(this.#propsPos, this.#propsPos + this.#propsLen));
    }
    return this.#rawProps;
  }

  get properties(): Readonly<Record<string, string>> {
    if (this.#props === undefined) {
      const props = decodeProperties(this.rawProperties);
      if (this.minOffset >= 0) props[MIN_OFFSET] = String(this.minOffset);
      if (this.maxOffset >= 0) props[MAX_OFFSET] = String(this.maxOffset);
      this.#props = props;
    }
    return this.#props;
  }

  getProperty(name: string): string | undefined {
    if (this.#props !== undefined) return this.#props[name];
    if (name === MIN_OFFSET && this.minOffset >= 0) return String(this.minOffset);
    if (name === MAX_OFFSET && this.maxOffset >= 0) return String(this.maxOffset);
    return getProperty(this.rawProperties, name);
  }

  get tags(): string | undefined {
    return this.getProperty(MessageConst.TAGS);
  }

  get keys(): string[] {
    const k = this.getProperty(MessageConst.KEYS);
    return k === undefined ? [] : k.split(KEY_SEPARATOR).filter((s) => s.length > 0);
  }

  get msgId(): string {
    return this.getProperty(MessageConst.UNIQ_KEY) ?? this.offsetMsgId;
  }

  get offsetMsgId(): string {
    if (this.#offsetMsgId === undefined) {
      this.#offsetMsgId = createOffsetMsgId(
        this.#host(this.#storeHostPos, MessageSysFlag.STOREHOST_V6),
        this.commitLogOffset,
      );
    }
    return this.#offsetMsgId;
  }

  get bornHost(): string {
    return formatSocketAddress(
      this.#host(this.#pos + RecordPos.BORN_HOST, MessageSysFlag.BORNHOST_V6),
    );
  }

  get storeHost(): string {
    return formatSocketAddress(this.#host(this.#storeHostPos, MessageSysFlag.STOREHOST_V6));
  }

  /** The body as stored (compressed when sysFlag has COMPRESSED). */
  get storedBody(): Uint8Array {
    return this.#buf.subarray(this.#bodyPos, this.#bodyPos + this.#bodyLen);
  }

  get body(): Uint8Array {
    if (this.#body === undefined) {
      const stored = this.storedBody;
      this.#body = this.sysFlag & MessageSysFlag.COMPRESSED
        ? decompressBody(stored, this.sysFlag)
        : stored;
    }
    return this.#body;
  }

  #host(at: number, v6Flag: number) {
    const ipLen = this.sysFlag & v6Flag ? 16 : 4;
    const b = this.#buf;
    const q = at + ipLen;
    return {
      ip: b.subarray(at, q),
      port: ((b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3]) | 0,
    };
  }
}

/** A topic's UTF-8 bytes, so each record of a pull can reuse one string for it. */
export class TopicHint {
  readonly topic: string;
  readonly #bytes: Uint8Array;

  constructor(topic: string) {
    this.topic = topic;
    this.#bytes = new TextEncoder().encode(topic);
  }

  matches(buf: Uint8Array, pos: number, len: number): boolean {
    const t = this.#bytes;
    if (t.length !== len) return false;
    for (let i = 0; i < len; i++) if (buf[pos + i] !== t[i]) return false;
    return true;
  }
}

/** Inflates a compressed body; throws TypeError for an algorithm other than zlib. */
export function decompressBody(stored: Uint8Array, sysFlag: number): Uint8Array {
  const type = sysFlag & MessageSysFlag.COMPRESSION_TYPE_MASK;
  const name = COMPRESSION_NAMES[type];
  if (name !== undefined) {
    throw new TypeError(`Cannot decompress message body: ${name} is not supported (only zlib)`);
  }
  const b = inflateSync(stored);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The records of a pull (or query/view) body, back to back. Throws RangeError for a malformed
 * record. `topic` (the topic pulled) lets records share its string.
 */
export function decodeMessages(
  body: Uint8Array,
  brokerName: string,
  topic?: TopicHint,
): ReceivedMessage[] {
  const out: ReceivedMessage[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let pos = 0;
  while (pos < body.length) {
    const m = new ReceivedMessage(body, view, pos, brokerName, topic);
    out.push(m);
    pos += m.storeSize;
  }
  return out;
}
