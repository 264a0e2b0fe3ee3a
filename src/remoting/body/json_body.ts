/**
 * JSON bodies on the wire: UTF-8 text in fastjson's dialect (REMOTING.md §3.10–3.11). Readers
 * are lenient the way fastjson is; writers are compact with sorted keys.
 */
import { textDecoder, textEncoder } from "../../common/bytes.ts";
import {
  type JsonValue,
  parseFastJson,
  stringifyFastJson,
  type WriteOptions,
} from "../../common/fastjson.ts";

/** Writes a value as a JSON body. */
export function encodeJsonBody(value: JsonValue, options: WriteOptions = {}): Uint8Array {
  return textEncoder.encode(stringifyFastJson(value, options));
}

/** Parses a JSON body; throws SyntaxError naming `what` when the text is not JSON. */
export function decodeJsonBody(body: Uint8Array, what: string): JsonValue {
  const text = textDecoder.decode(body);
  try {
    return parseFastJson(text);
  } catch (e) {
    throw new SyntaxError(`Cannot decode ${what} body: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A string-keyed map for the writer, sorted by key as fastjson sorts with MapSortField. A Map
 * (not a plain object) so a topic named `__proto__` is an ordinary key.
 */
export function stringMap(entries: Iterable<[string, JsonValue]>): Map<JsonValue, JsonValue> {
  return new Map([...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
