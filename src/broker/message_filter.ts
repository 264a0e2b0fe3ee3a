/**
 * Tag filtering on the broker (ExpressionMessageFilter, REMOTING.md §3.3): a consume-queue entry
 * passes when its tags code (the Java hash of TAGS) is one of the subscription's codes; a record
 * that passes is then checked by its TAGS string, so a hash collision never delivers a message
 * with another tag. `*` (and SQL92, which rmq does not evaluate) needs no filter at all.
 */
import { textDecoder } from "../common/bytes.ts";
import { MESSAGE_MAGIC_V2, RecordPos } from "../common/message/message_codec.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty } from "../common/message/properties.ts";
import { MessageSysFlag } from "../common/message/sys_flag.ts";
import { SUB_ALL, type SubscriptionData } from "../remoting/body/heartbeat_data.ts";
import type { MessageFilter } from "../store/message_store.ts";

/** Host field sizes in a record: IPv4 address + port, or IPv6 address + port. */
const HOST_V4 = 8;
const HOST_V6 = 20;
/** STORETIMESTAMP (8) after the born host; RECONSUMETIMES (4) and PREPARED OFFSET (8) after the store host. */
const STORE_TIMESTAMP_SIZE = 8;
const AFTER_STORE_HOST = 4 + 8;

/**
 * The TAGS property of a stored record (section 4.1 layout), read without decoding the body;
 * undefined when the record has none or is too short to hold its properties.
 */
export function recordTags(record: Uint8Array): string | undefined {
  const v = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (record.length < RecordPos.BORN_HOST) return undefined;
  const sysFlag = v.getInt32(RecordPos.SYS_FLAG);
  let p = RecordPos.BORN_HOST;
  p += (sysFlag & MessageSysFlag.BORNHOST_V6) ? HOST_V6 : HOST_V4;
  p += STORE_TIMESTAMP_SIZE;
  p += (sysFlag & MessageSysFlag.STOREHOST_V6) ? HOST_V6 : HOST_V4;
  p += AFTER_STORE_HOST;
  if (p + 4 > record.length) return undefined;
  p += 4 + v.getInt32(p); // body
  // V2 records (5.x) carry a 2-byte topic length.
  const v2 = v.getInt32(RecordPos.MAGIC) === MESSAGE_MAGIC_V2;
  if (p + (v2 ? 2 : 1) > record.length) return undefined;
  p += v2 ? 2 + v.getInt16(p) : 1 + v.getInt8(p);
  if (p + 2 > record.length) return undefined;
  const propertiesLength = v.getInt16(p);
  p += 2;
  if (propertiesLength <= 0 || p + propertiesLength > record.length) return undefined;
  return getProperty(
    textDecoder.decode(record.subarray(p, p + propertiesLength)),
    MessageConst.TAGS,
  );
}

/** Matches messages whose tag is one of a subscription's tags: hash code first, then the tag. */
export class TagMessageFilter implements MessageFilter {
  readonly #codes: ReadonlySet<number>;
  readonly #tags: ReadonlySet<string>;

  constructor(tags: readonly string[], codes: readonly number[]) {
    this.#tags = new Set(tags);
    this.#codes = new Set(codes);
  }

  /** Java compares `tagsCode.intValue()`: the low 32 bits of the 8-byte entry field. */
  isMatchedByConsumeQueue(tagsCode: number): boolean {
    return this.#codes.has(tagsCode | 0);
  }

  isMatchedByCommitLog(record: Uint8Array): boolean {
    const tag = recordTags(record);
    return tag !== undefined && this.#tags.has(tag);
  }
}

/**
 * The filter a subscription needs, or undefined when every message matches (`*`, an empty
 * expression, or a non-TAG expression, which the pull refuses before it reads).
 */
export function messageFilterOf(s: SubscriptionData): MessageFilter | undefined {
  if (s.expressionType && s.expressionType !== "TAG") return undefined;
  if (s.subString === SUB_ALL || s.subString === "" || s.tagsSet.length === 0) return undefined;
  return new TagMessageFilter(s.tagsSet, s.codeSet);
}
