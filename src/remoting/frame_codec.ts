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

/**
 * A command measured for writing: the JSON header text (built once) or an upper bound of the
 * binary header's size, and an upper bound of the whole frame's size.
 */
export interface PreparedFrame {
  readonly cmd: RemotingCommand;
  readonly json: string | undefined;
  readonly headerBound: number;
  readonly maxSize: number;
}

/** Measures a command for writeFrame (JSON text is built here, once). */
export function prepareFrame(cmd: RemotingCommand): PreparedFrame {
  const bodyLength = cmd.body?.length ?? 0;
  const json = cmd.serializeType === SerializeType.ROCKETMQ ? undefined : encodeJsonHeader(cmd);
  // Bounds, not sizes: a UTF-16 unit takes at most 3 bytes of UTF-8, and scanning every string
  // just to size it would cost as much as writing it.
  const headerBound = json === undefined ? binaryHeaderBound(cmd) : json.length * 3;
  return { cmd, json, headerBound, maxSize: FRAME_PREFIX_SIZE + headerBound + bodyLength };
}

/**
 * Writes a prepared frame at `pos`; `target` must have `maxSize` bytes free there. Headers go
 * straight into the target: a TextEncoder.encode per header (an allocation and a call into
 * Rust) cost more than the rest of a send. Returns the frame's size.
 */
export function writeFrame(p: PreparedFrame, target: Uint8Array, pos: number): number {
  const cmd = p.cmd;
  const headerStart = pos + FRAME_PREFIX_SIZE;
  const headerLength = p.json === undefined
    ? writeBinaryHeader(cmd, target, headerStart)
    : writeText(p.json, target, headerStart);
  const bodyLength = cmd.body?.length ?? 0;
  writeFramePrefix(target, pos, cmd.serializeType, headerLength, bodyLength);
  if (bodyLength > 0) target.set(cmd.body!, headerStart + headerLength);
  return FRAME_PREFIX_SIZE + headerLength + bodyLength;
}

/** Encodes a command's header in its own serialize type. */
export function encodeHeader(cmd: RemotingCommand): Uint8Array {
  const p = prepareFrame(cmd);
  const buf = new Uint8Array(p.headerBound);
  const n = p.json === undefined ? writeBinaryHeader(cmd, buf, 0) : writeText(p.json, buf, 0);
  return buf.slice(0, n);
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
  const out = new Uint8Array(binaryHeaderBound(cmd));
  return out.slice(0, writeBinaryHeader(cmd, out, 0));
}

/** An upper bound of the binary header's size (3 bytes per UTF-16 unit). */
function binaryHeaderBound(cmd: RemotingCommand): number {
  let size = BINARY_FIXED_SIZE + (cmd.remark ? cmd.remark.length * 3 : 0);
  for (const k in cmd.extFields) {
    const v = cmd.extFields[k];
    if (v === undefined || v === null) continue;
    size += 6 + (k.length + v.length) * 3;
  }
  return size;
}

/**
 * Writes the ROCKETMQ binary header at `pos` (with room for binaryHeaderBound bytes); returns
 * its size. Each string's length field is filled in once the string is written.
 */
function writeBinaryHeader(cmd: RemotingCommand, out: Uint8Array, pos: number): number {
  const v = new DataView(out.buffer, out.byteOffset);
  v.setInt16(pos, cmd.code);
  v.setInt8(pos + 2, languageNumber(cmd.language));
  v.setInt16(pos + 3, cmd.version);
  v.setInt32(pos + 5, cmd.opaque);
  v.setInt32(pos + 9, cmd.flag);
  let p = pos + 13;
  const remarkLength = cmd.remark ? writeText(cmd.remark, out, p + 4) : 0;
  v.setInt32(p, remarkLength);
  p += 4 + remarkLength;
  const extStart = p;
  p += 4;
  for (const k in cmd.extFields) {
    const value = cmd.extFields[k];
    if (value === undefined || value === null) continue;
    const kl = writeText(k, out, p + 2);
    v.setInt16(p, kl);
    p += 2 + kl;
    const vl = writeText(value, out, p + 4);
    v.setInt32(p, vl);
    p += 4 + vl;
  }
  v.setInt32(extStart, p - extStart - 4);
  return p - pos;
}

/**
 * Writes `s` as UTF-8 at `pos` (room for 3 bytes per UTF-16 unit); returns the bytes written.
 * ASCII, nearly all header text, is copied in JS: cheaper than a call into TextEncoder.
 */
function writeText(s: string, out: Uint8Array, pos: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return textEncoder.encodeInto(s, out.subarray(pos, pos + n * 3)).written;
    out[pos + i] = c;
  }
  return n;
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
  const p = prepareFrame(cmd);
  const out = new Uint8Array(p.maxSize);
  const size = writeFrame(p, out, 0);
  if (size > MAX_FRAME_SIZE) {
    throw new RangeError(`Cannot encode frame: ${size} bytes exceeds ${MAX_FRAME_SIZE}`);
  }
  return size === out.length ? out : out.slice(0, size);
}

/** Copies `bytes[start, end)` out of a buffer that will be reused. */
export type BodyCopier = (bytes: Uint8Array, start: number, end: number) => Uint8Array;

const sliceBody: BodyCopier = (bytes, start, end) => bytes.slice(start, end);

/**
 * Decodes the part of a frame after its length field: `bytes[start, start + length)`.
 * The body is copied (by `copyBody`), so the caller may reuse its buffer. Throws RangeError or
 * SyntaxError for anything malformed; the caller closes that connection.
 */
export function decodeFrameContent(
  bytes: Uint8Array,
  start: number,
  length: number,
  copyBody: BodyCopier = sliceBody,
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
  if (bodyEnd > bodyStart) cmd.body = copyBody(bytes, bodyStart, bodyEnd);
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

/** Strings up to this long are decoded in JS when ASCII; longer ones by TextDecoder. */
const SHORT_TEXT = 64;
/** Strings up to this long are looked up in the intern cache first. */
const INTERN_MAX = 24;
const INTERN_SLOTS = 1024;
const internCache: (string | undefined)[] = new Array(INTERN_SLOTS);
const CHARS: string[] = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

/**
 * Decodes UTF-8 text. Header keys and values are mostly a few ASCII characters, where a call
 * into TextDecoder costs three times a JS loop. Most repeat from one request to the next
 * (group, topic, `TBW102`, small numbers, `false`), so short ones go through a direct-mapped
 * cache: a hit allocates nothing; a miss (a timestamp) just replaces its slot.
 */
function decodeShortText(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 1 && bytes[start] < 0x80) return CHARS[bytes[start]];
  if (n > SHORT_TEXT) return textDecoder.decode(bytes.subarray(start, end));
  let h = n;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b >= 0x80) return textDecoder.decode(bytes.subarray(start, end));
    h = (Math.imul(h, 31) + b) | 0;
  }
  if (n > INTERN_MAX) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  const slot = h & (INTERN_SLOTS - 1);
  const cached = internCache[slot];
  if (cached !== undefined && cached.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (cached.charCodeAt(i) !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const s = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  internCache[slot] = s;
  return s;
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
    const key = decodeShortText(header, p, p + kl);
    p += kl;
    const vl = v.getInt32(p);
    p += 4;
    if (vl < 0 || p + vl > end) fail(`field value length ${vl} out of range`);
    if (kl > 0 && vl > 0) extFields[key] = decodeShortText(header, p, p + vl);
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
