/**
 * The stored message record (RocketMQ's V1 layout): what the commit log holds and what pull,
 * query and view responses carry, byte for byte. All integers big-endian.
 *
 *   pos  size  field
 *   0    4     TOTALSIZE                  whole record, this field included
 *   4    4     MAGICCODE                  0xDAA320A7 (V1)
 *   8    4     BODYCRC                    CRC32 of the body as stored, masked to 31 bits
 *   12   4     QUEUEID
 *   16   4     FLAG                       user flag
 *   20   8     QUEUEOFFSET                logical offset in the consume queue
 *   28   8     PHYSICALOFFSET             this record's commit-log offset
 *   36   4     SYSFLAG
 *   40   8     BORNTIMESTAMP              ms
 *   48   8|20  BORNHOST                   IPv4 (4) or IPv6 (16) address + int32 port
 *   ..   8     STORETIMESTAMP             ms
 *   ..   8|20  STOREHOSTADDRESS           IPv4 or IPv6 address + int32 port
 *   ..   4     RECONSUMETIMES
 *   ..   8     PREPARED TRANSACTION OFFSET
 *   ..   4     BODY length n
 *   ..   n     BODY
 *   ..   1     TOPIC length t (signed byte: at most 127)
 *   ..   t     TOPIC
 *   ..   2     PROPERTIES length p (int16: at most 32767)
 *   ..   p     PROPERTIES
 *
 * Size = 91 + n + t + p, plus 12 for each IPv6 host.
 */
import { maskedCrc32 } from "../crc32.ts";
import { readInt64, textDecoder, textEncoder, writeInt64 } from "../bytes.ts";
import { MessageSysFlag } from "./sys_flag.ts";
import type { SocketAddress } from "./socket_address.ts";

export const MESSAGE_MAGIC_V1 = 0xdaa320a7 | 0;
export const MESSAGE_MAGIC_V2 = 0xdaa320ab | 0;
/** Magic of the blank record that pads the end of a commit-log segment. */
export const BLANK_MAGIC = 0xcbd43194 | 0;

export const MAX_TOPIC_BYTES = 127;
export const MAX_PROPERTIES_BYTES = 32767;
/** The smallest record: IPv4 hosts, empty body, topic and properties. */
export const MIN_RECORD_SIZE = 91;
/** STORETIMESTAMP's position after an IPv4 born host, and after an IPv6 one. */
const STORE_TIMESTAMP_POS_V4 = 56;
const STORE_TIMESTAMP_POS_V6 = 68;
/** Bytes from a record's start that always include its STORETIMESTAMP, whatever its hosts. */
export const STORE_TIMESTAMP_HEAD_BYTES = STORE_TIMESTAMP_POS_V6 + 8;

/** Fixed field positions (IPv4 born host); later fields move when a host is IPv6. */
export const RecordPos = {
  TOTAL_SIZE: 0,
  MAGIC: 4,
  BODY_CRC: 8,
  QUEUE_ID: 12,
  FLAG: 16,
  QUEUE_OFFSET: 20,
  PHYSICAL_OFFSET: 28,
  SYS_FLAG: 36,
  BORN_TIMESTAMP: 40,
  BORN_HOST: 48,
} as const;

/** Every field of a stored record. */
export interface MessageRecord {
  storeSize: number;
  bodyCrc: number;
  queueId: number;
  flag: number;
  queueOffset: number;
  physicalOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: SocketAddress;
  storeTimestamp: number;
  storeHost: SocketAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Uint8Array;
  topic: string;
  /** The raw property string (see properties.ts). */
  properties: string;
}

/** A record's fields before encoding; the CRC is computed when absent, sizes always are. */
export type MessageRecordInput = Omit<MessageRecord, "storeSize" | "bodyCrc"> & {
  bodyCrc?: number;
};

function hostLength(ip: Uint8Array): number {
  return ip.length + 4;
}

/** Adds the IPv6 flags a record's hosts need, as the Java encoder does. */
export function hostFlags(sysFlag: number, bornHost: SocketAddress, storeHost: SocketAddress) {
  let f = sysFlag & ~(MessageSysFlag.BORNHOST_V6 | MessageSysFlag.STOREHOST_V6);
  if (bornHost.ip.length === 16) f |= MessageSysFlag.BORNHOST_V6;
  if (storeHost.ip.length === 16) f |= MessageSysFlag.STOREHOST_V6;
  return f;
}

export function recordSize(
  bodyLength: number,
  topicLength: number,
  propertiesLength: number,
  bornIpLength = 4,
  storeIpLength = 4,
): number {
  return MIN_RECORD_SIZE - 8 + bornIpLength + storeIpLength + bodyLength + topicLength +
    propertiesLength;
}

/**
 * Writes one record into `target` at `pos` and returns its size. Topic and properties come
 * pre-encoded so a caller can size the record (and check limits) before writing it.
 */
export function writeMessageRecord(
  target: Uint8Array,
  pos: number,
  m: MessageRecordInput,
  topicBytes: Uint8Array,
  propertiesBytes: Uint8Array,
): number {
  const size = recordSize(
    m.body.length,
    topicBytes.length,
    propertiesBytes.length,
    m.bornHost.ip.length,
    m.storeHost.ip.length,
  );
  const v = new DataView(target.buffer, target.byteOffset + pos, size);
  const sysFlag = hostFlags(m.sysFlag, m.bornHost, m.storeHost);
  v.setInt32(RecordPos.TOTAL_SIZE, size);
  v.setInt32(RecordPos.MAGIC, MESSAGE_MAGIC_V1);
  v.setInt32(RecordPos.BODY_CRC, m.bodyCrc ?? maskedCrc32(m.body));
  v.setInt32(RecordPos.QUEUE_ID, m.queueId);
  v.setInt32(RecordPos.FLAG, m.flag);
  writeInt64(v, RecordPos.QUEUE_OFFSET, m.queueOffset);
  writeInt64(v, RecordPos.PHYSICAL_OFFSET, m.physicalOffset);
  v.setInt32(RecordPos.SYS_FLAG, sysFlag);
  writeInt64(v, RecordPos.BORN_TIMESTAMP, m.bornTimestamp);
  let p = RecordPos.BORN_HOST;
  target.set(m.bornHost.ip, pos + p);
  v.setInt32(p + m.bornHost.ip.length, m.bornHost.port);
  p += hostLength(m.bornHost.ip);
  writeInt64(v, p, m.storeTimestamp);
  p += 8;
  target.set(m.storeHost.ip, pos + p);
  v.setInt32(p + m.storeHost.ip.length, m.storeHost.port);
  p += hostLength(m.storeHost.ip);
  v.setInt32(p, m.reconsumeTimes);
  writeInt64(v, p + 4, m.preparedTransactionOffset);
  v.setInt32(p + 12, m.body.length);
  p += 16;
  target.set(m.body, pos + p);
  p += m.body.length;
  v.setInt8(p, topicBytes.length);
  target.set(topicBytes, pos + p + 1);
  p += 1 + topicBytes.length;
  v.setInt16(p, propertiesBytes.length);
  target.set(propertiesBytes, pos + p + 2);
  return size;
}

/** Encodes one record into a new array. Throws RangeError when topic or properties are too long. */
export function encodeMessageRecord(m: MessageRecordInput): Uint8Array {
  const topicBytes = textEncoder.encode(m.topic);
  const propertiesBytes = textEncoder.encode(m.properties);
  if (topicBytes.length > MAX_TOPIC_BYTES) {
    throw new RangeError(`Cannot encode message: topic is ${topicBytes.length} bytes (max 127)`);
  }
  if (propertiesBytes.length > MAX_PROPERTIES_BYTES) {
    throw new RangeError(
      `Cannot encode message: properties are ${propertiesBytes.length} bytes (max 32767)`,
    );
  }
  const out = new Uint8Array(
    recordSize(
      m.body.length,
      topicBytes.length,
      propertiesBytes.length,
      m.bornHost.ip.length,
      m.storeHost.ip.length,
    ),
  );
  writeMessageRecord(out, 0, m, topicBytes, propertiesBytes);
  return out;
}

/**
 * Decodes the record at `pos`. Throws RangeError when the bytes are truncated, the magic is not
 * V1/V2 or the inner lengths disagree with TOTALSIZE; it never checks the CRC (see verifyRecord).
 * With `copyBody` false the body is a view into `bytes`.
 */
export function decodeMessageRecord(bytes: Uint8Array, pos = 0, copyBody = true): MessageRecord {
  const fail = (what: string): never => {
    throw new RangeError(`Cannot decode message at ${pos}: ${what}`);
  };
  if (bytes.length - pos < 8) fail("truncated header");
  const v = new DataView(bytes.buffer, bytes.byteOffset + pos, bytes.length - pos);
  const storeSize = v.getInt32(RecordPos.TOTAL_SIZE);
  const magic = v.getInt32(RecordPos.MAGIC);
  if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) {
    fail(`bad magic 0x${(magic >>> 0).toString(16)}`);
  }
  if (storeSize < MIN_RECORD_SIZE || storeSize > v.byteLength) fail(`bad size ${storeSize}`);
  const sysFlag = v.getInt32(RecordPos.SYS_FLAG);
  const bornIpLen = sysFlag & MessageSysFlag.BORNHOST_V6 ? 16 : 4;
  const storeIpLen = sysFlag & MessageSysFlag.STOREHOST_V6 ? 16 : 4;
  let p = RecordPos.BORN_HOST;
  const bornHost = {
    ip: bytes.slice(pos + p, pos + p + bornIpLen),
    port: v.getInt32(p + bornIpLen),
  };
  p += bornIpLen + 4;
  const storeTimestamp = readInt64(v, p);
  p += 8;
  const storeHost = {
    ip: bytes.slice(pos + p, pos + p + storeIpLen),
    port: v.getInt32(p + storeIpLen),
  };
  p += storeIpLen + 4;
  const reconsumeTimes = v.getInt32(p);
  const preparedTransactionOffset = readInt64(v, p + 4);
  const bodyLength = v.getInt32(p + 12);
  p += 16;
  if (bodyLength < 0 || p + bodyLength + 3 > storeSize) fail(`bad body length ${bodyLength}`);
  const body = copyBody
    ? bytes.slice(pos + p, pos + p + bodyLength)
    : bytes.subarray(pos + p, pos + p + bodyLength);
  p += bodyLength;
  let topicLength: number;
  if (magic === MESSAGE_MAGIC_V2) {
    topicLength = v.getInt16(p);
    p += 2;
  } else {
    topicLength = v.getInt8(p);
    p += 1;
  }
  if (topicLength < 0 || p + topicLength + 2 > storeSize) fail(`bad topic length ${topicLength}`);
  const topic = textDecoder.decode(bytes.subarray(pos + p, pos + p + topicLength));
  p += topicLength;
  const propertiesLength = v.getInt16(p);
  p += 2;
  if (propertiesLength < 0 || p + propertiesLength !== storeSize) {
    fail(`bad properties length ${propertiesLength}`);
  }
  const properties = textDecoder.decode(bytes.subarray(pos + p, pos + p + propertiesLength));
  return {
    storeSize,
    bodyCrc: v.getInt32(RecordPos.BODY_CRC),
    queueId: v.getInt32(RecordPos.QUEUE_ID),
    flag: v.getInt32(RecordPos.FLAG),
    queueOffset: readInt64(v, RecordPos.QUEUE_OFFSET),
    physicalOffset: readInt64(v, RecordPos.PHYSICAL_OFFSET),
    sysFlag,
    bornTimestamp: readInt64(v, RecordPos.BORN_TIMESTAMP),
    bornHost,
    storeTimestamp,
    storeHost,
    reconsumeTimes,
    preparedTransactionOffset,
    body,
    topic,
    properties,
  };
}

/** True when the record's stored CRC matches its body. */
export function verifyRecordCrc(m: MessageRecord): boolean {
  return maskedCrc32(m.body) === m.bodyCrc;
}

/** Decodes a pull/query body: records back to back, nothing between them. */
export function decodeMessageRecords(bytes: Uint8Array, copyBody = true): MessageRecord[] {
  const out: MessageRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const m = decodeMessageRecord(bytes, pos, copyBody);
    out.push(m);
    pos += m.storeSize;
  }
  return out;
}

/** Store timestamp position for a record, which moves when the born host is IPv6. */
export function storeTimestampPos(sysFlag: number): number {
  return sysFlag & MessageSysFlag.BORNHOST_V6 ? STORE_TIMESTAMP_POS_V6 : STORE_TIMESTAMP_POS_V4;
}

/** Position of the BODY length field, which moves with the size of both hosts. */
export function bodyLengthPos(sysFlag: number): number {
  const storeHostBytes = sysFlag & MessageSysFlag.STOREHOST_V6 ? 20 : 8;
  // STORETIMESTAMP, STOREHOSTADDRESS, RECONSUMETIMES, PREPARED TRANSACTION OFFSET.
  return storeTimestampPos(sysFlag) + 8 + storeHostBytes + 4 + 8;
}

/**
 * Whether `size` bytes at `pos` of `bytes` are one whole stored record whose body matches its
 * CRC: records read back from disk are checked so a damaged one is never served.
 */
export function isIntactRecord(bytes: Uint8Array, pos: number, size: number): boolean {
  if (size < MIN_RECORD_SIZE || pos + size > bytes.length) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset + pos, size);
  const magic = v.getInt32(RecordPos.MAGIC);
  if (v.getInt32(RecordPos.TOTAL_SIZE) !== size) return false;
  if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) return false;
  const bodyLenPos = bodyLengthPos(v.getInt32(RecordPos.SYS_FLAG));
  if (bodyLenPos + 4 > size) return false;
  const bodyLen = v.getInt32(bodyLenPos);
  if (bodyLen < 0 || bodyLenPos + 4 + bodyLen > size) return false;
  const at = pos + bodyLenPos + 4;
  return maskedCrc32(bytes.subarray(at, at + bodyLen)) === v.getInt32(RecordPos.BODY_CRC);
}
