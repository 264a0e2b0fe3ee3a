/**
 * One remoting frame, pure encode and decode (REMOTING.md §1). All integers big-endian.
 *
 *   pos  size  field
 *   0    4     length: bytes that follow this field = 4 + h + b
 *   4    1     serialize type of the header: 0 JSON, 1 ROCKETMQ
 *   5    3     header length h (uint24)
 *   8    h     header
 *   8+h  b     body (raw; its length is never sent)
 *
 * ROCKETMQ binary header:
 *   2  code (int16)          1  language (LanguageCode number)   2  version (int16)
 *   4  opaque (int32)        4  flag (int32)
 *   4  remark length R (0 = none)              R  remark UTF-8
 *   4  extFields length E (0 = none)           E  per field: key length (int16), key,
 *                                                 value length (int32), value
 * A zero-length string decodes as absent, so an empty extFields value vanishes.
 */
import { dataView, textDecoder, textEncoder } from "../common/bytes.ts";
import { parseFastJson } from "../common/fastjson.ts";
import { type RemotingCommand, SerializeType } from "./command.ts";
import { languageName, languageNumber } from "./language_code.ts";

/** Largest frame, length field included (Java's `frameMaxLength`). */
export const MAX_FRAME_SIZE = 16_777_216;
/** Largest value of the length field. */
export const MAX_FRAME_LENGTH = MAX_FRAME_SIZE - 4;
/** Bytes before the header: length field and type|header-length word. */
export const FRAME_PREFIX_SIZE = 8;
const BINARY_FIXED_SIZE = 21;

/** Encodes a command's header in its own serialize type. */
export function encodeHeader(cmd: RemotingCommand): Uint8Array {
  return cmd.serializeType === SerializeType.ROCKETMQ
    ? encodeBinaryHeader(cmd)
    : textEncoder.encode(encodeJsonHeader(cmd));
}

/** The JSON header as fastjson writes it: keys sorted, null fields omitted, extFields always. */
export function encodeJsonHeader(cmd: RemotingCommand): string {
  return JSON.stringify({
    code: cmd.code,
    extFields: cmd.extFields,
    flag: cmd.flag,
    language: cmd.language,
    opaque: cmd.opaque,
    remark: cmd.remark ?? undefined,
    serializeTypeCurrentRPC: "JSON",
    version: cmd.version,
  });
}

export function encodeBinaryHeader(cmd: RemotingCommand): Uint8Array {
  // Sized first and written in place: one TextEncoder call per field (an op into Rust each)
  // cost more than the rest of a send put together.
  const remarkLength = cmd.remark ? utf8Length(cmd.remark) : 0;
  const keys: string[] = [];
  const values: string[] = [];
  const lengths: number[] = [];
  let extLength = 0;
  for (const k in cmd.extFields) {
    const v = cmd.extFields[k];
    if (v === undefined || v === null) continue;
    const kl = utf8Length(k);
    const vl = utf8Length(v);
    keys.push(k);
    values.push(v);
    lengths.push(kl, vl);
    extLength += 6 + kl + vl;
  }
  const out = new Uint8Array(BINARY_FIXED_SIZE + remarkLength + extLength);
  const v = dataView(out);
  v.setInt16(0, cmd.code);
  v.setInt8(2, languageNumber(cmd.language));
  v.setInt16(3, cmd.version);
  v.setInt32(5, cmd.opaque);
  v.setInt32(9, cmd.flag);
  let p = 13;
  v.setInt32(p, remarkLength);
  p += 4;
  if (remarkLength > 0) p = writeUtf8(cmd.remark!, remarkLength, out, p);
  v.setInt32(p, extLength);
  p += 4;
  for (let i = 0; i < keys.length; i++) {
    const kl = lengths[2 * i];
    const vl = lengths[2 * i + 1];
    v.setInt16(p, kl);
    p = writeUtf8(keys[i], kl, out, p + 2);
    v.setInt32(p, vl);
    p = writeUtf8(values[i], vl, out, p + 4);
  }
  return out;
}

/** Bytes of `s` in UTF-8 (lone surrogates count as U+FFFD, as TextEncoder writes them). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // two UTF-16 units, four bytes
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** Writes `s` (`byteLength` bytes of UTF-8) at `pos`; returns the position after it. */
function writeUtf8(s: string, byteLength: number, out: Uint8Array, pos: number): number {
  if (byteLength === s.length) {
    for (let i = 0; i < s.length; i++) out[pos + i] = s.charCodeAt(i);
  } else {
    textEncoder.encodeInto(s, out.subarray(pos, pos + byteLength));
  }
  return pos + byteLength;
}

/** Writes the 8-byte frame prefix for a header and body of the given sizes. */
export function writeFramePrefix(
  target: Uint8Array,
  pos: number,
  serializeType: SerializeType,
  headerLength: number,
  bodyLength: number,
): void {
  const v = new DataView(target.buffer, target.byteOffset + pos, FRAME_PREFIX_SIZE);
  v.setInt32(0, 4 + headerLength + bodyLength);
  v.setInt32(4, ((serializeType & 0xff) << 24) | (headerLength & 0xffffff));
}

/** Encodes a whole frame. Throws RangeError when it would exceed the 16 MiB frame cap. */
export function encodeFrame(cmd: RemotingCommand): Uint8Array {
  const header = encodeHeader(cmd);
  const bodyLength = cmd.body?.length ?? 0;
  const size = FRAME_PREFIX_SIZE + header.length + bodyLength;
  if (size > MAX_FRAME_SIZE) {
    throw new RangeError(`Cannot encode frame: ${size} bytes exceeds ${MAX_FRAME_SIZE}`);
  }
  const out = new Uint8Array(size);
  writeFramePrefix(out, 0, cmd.serializeType, header.length, bodyLength);
  out.set(header, FRAME_PREFIX_SIZE);
  if (cmd.body) out.set(cmd.body, FRAME_PREFIX_SIZE + header.length);
  return out;
}

/**
 * Decodes the part of a frame after its length field: `bytes[start, start + length)`.
 * The body is copied, so the caller may reuse its buffer. Throws RangeError or SyntaxError
 * for anything malformed; the caller closes that connection.
 */
export function decodeFrameContent(
  bytes: Uint8Array,
  start: number,
  length: number,
): RemotingCommand {
  if (length < 4 || length > MAX_FRAME_LENGTH) {
    throw new RangeError(`Cannot decode frame: length ${length} out of range`);
  }
  if (start + length > bytes.length) {
    throw new RangeError(
      `Cannot decode frame: length ${length} exceeds the ${bytes.length - start} bytes given`,
    );
  }
  const word = dataView(bytes).getInt32(start);
  const type = (word >>> 24) & 0xff;
  const headerLength = word & 0xffffff;
  if (headerLength > length - 4) {
    throw new RangeError(
      `Cannot decode frame: header length ${headerLength} exceeds frame length ${length}`,
    );
  }
  const headerStart = start + 4;
  const header = bytes.subarray(headerStart, headerStart + headerLength);
  let cmd: RemotingCommand;
  if (type === SerializeType.JSON) cmd = decodeJsonHeader(header);
  else if (type === SerializeType.ROCKETMQ) cmd = decodeBinaryHeader(header);
  else throw new RangeError(`Cannot decode frame: unknown serialize type ${type}`);
  const bodyStart = headerStart + headerLength;
  const bodyEnd = start + length;
  if (bodyEnd > bodyStart) cmd.body = bytes.slice(bodyStart, bodyEnd);
  return cmd;
}

/** Decodes a whole frame, its length field included. */
export function decodeFrame(frame: Uint8Array): RemotingCommand {
  if (frame.length < 4) throw new RangeError(`Cannot decode frame: ${frame.length} bytes`);
  const length = dataView(frame).getInt32(0);
  if (length !== frame.length - 4) {
    throw new RangeError(
      `Cannot decode frame: length ${length} but ${frame.length - 4} bytes follow`,
    );
  }
  return decodeFrameContent(frame, 4, length);
}

type JsonHeader = {
  code?: unknown;
  language?: unknown;
  version?: unknown;
  opaque?: unknown;
  flag?: unknown;
  remark?: unknown;
  extFields?: Record<string, unknown> | null;
};

export function decodeJsonHeader(header: Uint8Array): RemotingCommand {
  const text = textDecoder.decode(header);
  let h: JsonHeader;
  try {
    h = JSON.parse(text);
  } catch (e) {
    // Standard JSON is what every known client sends; fastjson's looser dialect (unquoted
    // keys, single quotes) is still accepted, as a Java server would.
    try {
      h = parseFastJson(text) as JsonHeader;
    } catch {
      throw new SyntaxError(`Cannot decode frame: bad JSON header (${(e as Error).message})`);
    }
  }
  if (h === null || typeof h !== "object" || typeof h.code !== "number") {
    throw new SyntaxError("Cannot decode frame: JSON header has no numeric code");
  }
  let ext = h.extFields;
  if (ext !== undefined && ext !== null && (typeof ext !== "object" || Array.isArray(ext))) {
    throw new SyntaxError("Cannot decode frame: extFields is not an object");
  }
  if (ext && !allStrings(ext)) ext = normalizeExtFields(ext, text);
  return {
    code: h.code,
    language: typeof h.language === "string" ? h.language : "OTHER",
    version: typeof h.version === "number" ? h.version : 0,
    opaque: typeof h.opaque === "number" ? h.opaque | 0 : 0,
    flag: typeof h.flag === "number" ? h.flag : 0,
    remark: typeof h.remark === "string" ? h.remark : undefined,
    extFields: (ext ?? {}) as Record<string, string>,
    serializeType: SerializeType.JSON,
  };
}

function allStrings(ext: Record<string, unknown>): boolean {
  for (const k in ext) if (typeof ext[k] !== "string") return false;
  return true;
}

/**
 * ali-ons sends extFields values as raw numbers and booleans; fastjson turns them into strings.
 * A number past 2^53 must keep its source digits, so it is read again with the source text.
 */
function normalizeExtFields(ext: Record<string, unknown>, text: string): Record<string, string> {
  let sources: Record<string, string> | undefined;
  const out: Record<string, string> = {};
  for (const k in ext) {
    const v = ext[k];
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "number") {
      if (Number.isSafeInteger(v) || !Number.isInteger(v)) out[k] = String(v);
      else {
        sources ??= extFieldSources(text);
        out[k] = sources[k] ?? String(v);
      }
    } else if (typeof v === "boolean" || typeof v === "bigint") out[k] = String(v);
    else if (v !== null && v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

function extFieldSources(text: string): Record<string, string> {
  // Sources are kept per holding object: a top-level key ("opaque", "version") may share its
  // name with an extFields key, and the top-level one is revived after extFields.
  const byHolder = new Map<unknown, Record<string, string>>();
  let sources: Record<string, string> = {};
  JSON.parse(text, function (this: unknown, key, value, context?: { source?: string }) {
    if (typeof value === "number" && context?.source !== undefined) {
      let held = byHolder.get(this);
      if (!held) byHolder.set(this, held = {});
      held[key] = context.source;
    } else if (key === "extFields" && value !== null && typeof value === "object") {
      sources = byHolder.get(value) ?? {};
    }
    return value;
  });
  return sources;
}

export function decodeBinaryHeader(header: Uint8Array): RemotingCommand {
  const fail = (what: string): never => {
    throw new RangeError(`Cannot decode frame: binary header ${what}`);
  };
  if (header.length < BINARY_FIXED_SIZE) fail(`is ${header.length} bytes, shorter than 21`);
  const v = dataView(header);
  const code = v.getInt16(0);
  const language = languageName(v.getUint8(2));
  const version = v.getInt16(3);
  const opaque = v.getInt32(5);
  const flag = v.getInt32(9);
  let p = 13;
  const remarkLength = v.getInt32(p);
  p += 4;
  if (remarkLength < 0 || p + remarkLength > header.length) {
    fail(`remark length ${remarkLength} out of range`);
  }
  const remark = remarkLength > 0
    ? textDecoder.decode(header.subarray(p, p + remarkLength))
    : undefined;
  p += remarkLength;
  if (p + 4 > header.length) fail("is truncated before extFields");
  const extLength = v.getInt32(p);
  p += 4;
  if (extLength < 0 || p + extLength > header.length) {
    fail(`extFields length ${extLength} out of range`);
  }
  const end = p + extLength;
  const extFields: Record<string, string> = {};
  while (p < end) {
    if (p + 2 > end) fail("field key length is truncated");
    const kl = v.getInt16(p);
    p += 2;
    if (kl < 0 || p + kl + 4 > end) fail(`field key length ${kl} out of range`);
    const key = textDecoder.decode(header.subarray(p, p + kl));
    p += kl;
    const vl = v.getInt32(p);
    p += 4;
    if (vl < 0 || p + vl > end) fail(`field value length ${vl} out of range`);
    if (kl > 0 && vl > 0) extFields[key] = textDecoder.decode(header.subarray(p, p + vl));
    p += vl;
  }
  return {
    code,
    language,
    version,
    opaque,
    flag,
    remark,
    extFields,
    serializeType: SerializeType.ROCKETMQ,
  };
}
