/**
 * Filtering on the broker (ExpressionMessageFilter, REMOTING.md §3.3). TAG: a consume-queue
 * entry passes when its tags code (the Java hash of TAGS) is one of the subscription's codes; a
 * record that passes is then checked by its TAGS string, so a hash collision never delivers a
 * message with another tag. SQL92: every entry passes, the record's properties decide
 * (sql92_parser.ts, sql92_eval.ts). `*` needs no filter at all.
 */
import { textDecoder } from "../../common/bytes.ts";
import { MESSAGE_MAGIC_V2, RecordPos } from "../../common/message/message_codec.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { getProperty } from "../../common/message/properties.ts";
import { MessageSysFlag } from "../../common/message/sys_flag.ts";
import {
  ExpressionType,
  SUB_ALL,
  type SubscriptionData,
} from "../../remoting/body/heartbeat_data.ts";
import { selects } from "./sql92_eval.ts";
import { parseSql92, type Sql92Node } from "./sql92_parser.ts";
import type { MessageFilter } from "../../store/message_store.ts";

/** Host field sizes in a record: IPv4 address + port, or IPv6 address + port. */
const HOST_V4 = 8;
const HOST_V6 = 20;
/** STORETIMESTAMP (8) after the born host; RECONSUMETIMES (4) and PREPARED OFFSET (8) after the store host. */
const STORE_TIMESTAMP_SIZE = 8;
const AFTER_STORE_HOST = 4 + 8;

/**
 * The property string of a stored record (section 4.1 layout), read without decoding the body;
 * undefined when the record is too short to hold its properties.
 */
export function recordProperties(record: Uint8Array): string | undefined {
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
  if (propertiesLength < 0 || p + propertiesLength > record.length) return undefined;
  return propertiesLength === 0 ? "" : textDecoder.decode(record.subarray(p, p + propertiesLength));
}

/** The TAGS property of a stored record; undefined when it has none. */
export function recordTags(record: Uint8Array): string | undefined {
  return getProperty(recordProperties(record), MessageConst.TAGS);
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

/** Matches records whose properties a SQL92 selector picks (TRUE; not FALSE or unknown). */
export class Sql92MessageFilter implements MessageFilter {
  readonly #selector: Sql92Node;

  constructor(selector: Sql92Node) {
    this.#selector = selector;
  }

  /** The consume queue holds only the tags code: every entry is read and judged by its record. */
  isMatchedByConsumeQueue(): boolean {
    return true;
  }

  isMatchedByCommitLog(record: Uint8Array): boolean {
    const props = recordProperties(record);
    if (props === undefined) return false;
    return selects(this.#selector, (name) => getProperty(props, name));
  }
}

/**
 * The filter a subscription needs, or undefined when every message matches (`*`, an empty
 * expression, or a type the pull refuses before it reads). A SQL92 expression that does not
 * parse throws SyntaxError.
 */
export function messageFilterOf(s: SubscriptionData): MessageFilter | undefined {
  if (s.expressionType === ExpressionType.SQL92) {
    return new Sql92MessageFilter(parseSql92(s.subString));
  }
  if (s.expressionType && s.expressionType !== "TAG") return undefined;
  if (s.subString === SUB_ALL || s.subString === "" || s.tagsSet.length === 0) return undefined;
  return new TagMessageFilter(s.tagsSet, s.codeSet);
}
