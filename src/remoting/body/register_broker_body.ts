/**
 * RegisterBrokerBody: what a broker sends with REGISTER_BROKER (REMOTING.md §3.9).
 *
 * Plain (header `compressed` false), JSON:
 *   {"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{...},
 *    "topicConfigTable":{"<topic>":{...TopicConfig...}}}}
 *
 * Compressed (header `compressed` true): one zlib stream (Java's DeflaterOutputStream at
 * BEST_COMPRESSION) whose inflated bytes are, big-endian:
 *   int32   n1          length of the DataVersion JSON
 *   n1      bytes       DataVersion JSON (UTF-8)
 *   int32   count       number of topics
 *   count × (
 *     int32 n           length of one topic's text form (topic_config.ts)
 *     n     bytes       `name read write perm filterType [attributes]`
 *   )
 *   int32   n2          length of the filter server list JSON
 *   n2      bytes       filterServerList JSON array
 * The compressed form drops topicSysFlag and order (the text form has no room for them).
 */
import { deflateSync, inflateSync } from "node:zlib";
import { concatBytes, dataView, textDecoder, textEncoder } from "../../common/bytes.ts";
import {
  asArray,
  asObject,
  asString,
  type JsonValue,
  stringifyFastJson,
} from "../../common/fastjson.ts";
import { dataVersionToJson, decodeDataVersion } from "./data_version.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";
import {
  decodeTopicConfigText,
  encodeTopicConfigText,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
  topicConfigWrapperFromJson,
  topicConfigWrapperToJson,
} from "./topic_config.ts";

export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
}

const INT32 = 4;
/** Java's Deflater.BEST_COMPRESSION. */
const BEST_COMPRESSION = 9;
/** An inflated body larger than this is refused rather than exhausting memory. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed = false): Uint8Array {
  if (!compressed) {
    return encodeJsonBody({
      filterServerList: body.filterServerList,
      topicConfigSerializeWrapper: topicConfigWrapperToJson(body.topicConfigSerializeWrapper),
    });
  }
  const parts: Uint8Array[] = [];
  const lengthPrefixed = (bytes: Uint8Array) => {
    parts.push(int32(bytes.length), bytes);
  };
  const wrapper = body.topicConfigSerializeWrapper;
  lengthPrefixed(textEncoder.encode(stringifyFastJson(dataVersionToJson(wrapper.dataVersion))));
  parts.push(int32(wrapper.topicConfigTable.size));
  for (const tc of wrapper.topicConfigTable.values()) {
    lengthPrefixed(textEncoder.encode(encodeTopicConfigText(tc)));
  }
  lengthPrefixed(textEncoder.encode(stringifyFastJson(body.filterServerList)));
  return new Uint8Array(deflateSync(concatBytes(parts), { level: BEST_COMPRESSION }));
}

/** Reads either form; throws SyntaxError when the body cannot be decoded. */
export function decodeRegisterBrokerBody(
  bytes: Uint8Array,
  compressed = false,
): RegisterBrokerBody {
  if (!compressed) {
    const o = asObject(decodeJsonBody(bytes, "RegisterBrokerBody"));
    return {
      topicConfigSerializeWrapper: topicConfigWrapperFromJson(o.topicConfigSerializeWrapper),
      filterServerList: stringList(o.filterServerList),
    };
  }
  let raw: Uint8Array;
  try {
    raw = inflateSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (e) {
    throw new SyntaxError(`Cannot decode compressed RegisterBrokerBody: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const r = new Reader(raw);
  const dataVersion = decodeDataVersion(r.chunk("DataVersion"));
  const count = r.int32("topic count");
  if (count < 0) {
    throw new SyntaxError(
      `Cannot decode compressed RegisterBrokerBody: topic count ${count} is negative`,
    );
  }
  const table = new Map<string, TopicConfig>();
  for (let i = 0; i < count; i++) {
    const tc = decodeTopicConfigText(textDecoder.decode(r.chunk(`topic ${i}`)));
    table.set(tc.topicName, tc);
  }
  const filterServers = decodeJsonBody(r.chunk("filterServerList"), "filterServerList");
  return {
    topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion },
    filterServerList: stringList(filterServers),
  };
}

function stringList(v: JsonValue | undefined): string[] {
  return asArray(v).map((s) => asString(s)).filter((s): s is string => s !== undefined);
}

class Reader {
  #pos = 0;
  readonly #view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.#view = dataView(bytes);
  }

  int32(what: string): number {
    if (this.#pos + INT32 > this.bytes.length) {
      throw new SyntaxError(
        `Cannot decode compressed RegisterBrokerBody: ${what} is cut off at byte ${this.#pos}`,
      );
    }
    const v = this.#view.getInt32(this.#pos);
    this.#pos += INT32;
    return v;
  }

  chunk(what: string): Uint8Array {
    const n = this.int32(`${what} length`);
    const left = this.bytes.length - this.#pos;
    if (n < 0 || n > left) {
      throw new SyntaxError(
        `Cannot decode compressed RegisterBrokerBody: ${what} length ${n} exceeds the ${left} bytes left`,
      );
    }
    const out = this.bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
}

function int32(n: number): Uint8Array {
  const b = new Uint8Array(INT32);
  dataView(b).setInt32(0, n);
  return b;
}
