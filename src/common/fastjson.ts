/**
 * JSON in fastjson's dialect, the one RocketMQ's Java side speaks on the wire.
 *
 * Reading is lenient the way fastjson is: keys may be unquoted (`{0:"a"}`), numbers or whole
 * objects (`{{"topic":"t","queueId":0}:5}`); strings may use single quotes; trailing commas
 * are allowed. Integers beyond 2^53 come back as `bigint` so no offset is ever rounded.
 *
 * Writing is compact (fastjson never emits whitespace, and the Go client splits route and
 * offset-table text on `,` and `},{`), omits null fields, sorts plain-object keys as fastjson
 * sorts bean properties, and writes a `Map` with non-string keys the fastjson way: numeric keys
 * unquoted, object keys inline.
 */

/** A value the reader returns and the writer accepts. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | JsonObject
  | JsonMap;
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}
/** A map with keys JSON cannot name as plain strings (numbers, objects). */
export type JsonMap = Map<JsonValue, JsonValue>;

export interface WriteOptions {
  /** Quote numeric map keys (`{"0":"a"}`): route data for clients of version ≥ 401. */
  quoteKeys?: boolean;
  /** Escape non-ASCII characters as \uXXXX (fastjson's browser-compatible mode). */
  asciiOnly?: boolean;
}

/** Parses fastjson-dialect text; throws SyntaxError naming the position of the first error. */
export function parseFastJson(text: string): JsonValue {
  const p = new Parser(text);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.pos < text.length) p.fail("unexpected trailing text");
  return v;
}

/** Writes a value in fastjson's compact form. */
export function stringifyFastJson(
  value: JsonValue | undefined,
  options: WriteOptions = {},
): string {
  const out: string[] = [];
  write(value ?? null, out, options);
  return out.join("");
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`Cannot parse JSON: ${what} at position ${this.pos}`);
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(): JsonValue {
    const t = this.text;
    if (this.pos >= t.length) this.fail("unexpected end");
    const c = t[this.pos];
    switch (c) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
      case "'":
        return this.string();
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
        return this.word();
    }
  }

  word(): JsonValue {
    const m = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!m) this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`);
    this.pos += m[0].length;
    if (m[0] === "true") return true;
    if (m[0] === "false") return false;
    if (m[0] === "null") return null;
    this.fail(`unexpected word ${m[0]}`);
  }

  number(): number | bigint {
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) this.fail("bad number");
    this.pos += m[0].length;
    // fastjson accepts Java's long suffixes (12L) and float suffixes; skip them.
    const s = this.text[this.pos];
    if (s === "L" || s === "l" || s === "F" || s === "f" || s === "D" || s === "d") this.pos++;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  }

  string(): string {
    const t = this.text;
    const quote = t[this.pos++];
    let out = "";
    let start = this.pos;
    while (true) {
      if (this.pos >= t.length) this.fail("unterminated string");
      const c = t[this.pos];
      if (c === quote) {
        out += t.slice(start, this.pos++);
        return out;
      }
      if (c === "\\") {
        out += t.slice(start, this.pos);
        const e = t[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case "n":
            out += "\n";
            break;
          case "t":
            out += "\t";
            break;
          case "r":
            out += "\r";
            break;
          case "b":
            out += "\b";
            break;
          case "f":
            out += "\f";
            break;
          case "u": {
            const hex = t.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape");
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          case "x": {
            const hex = t.slice(this.pos, this.pos + 2);
            if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail("bad \\x escape");
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 2;
            break;
          }
          case undefined:
            this.fail("unterminated string");
            break;
          default:
            out += e; // \" \\ \/ \' and fastjson's tolerance of any other escaped character
        }
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    while (true) {
      this.ws();
      if (this.text[this.pos] === "]") { // trailing comma
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.ws();
      const c = this.text[this.pos++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected , or ]");
    }
  }

  /** A key: quoted string, bare word or number (as its text), or an inline object/array. */
  key(): { text: string } | { value: JsonValue } {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return { text: this.string() };
    if (c === "{" || c === "[") return { value: this.value() };
    const m = /^[^\s:,{}[\]"']+/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) this.fail("expected a key");
    this.pos += m[0].length;
    return { text: m[0] };
  }

  object(): JsonObject | JsonMap {
    this.pos++;
    let obj: JsonObject | undefined = {};
    let map: JsonMap | undefined;
    this.ws();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return obj;
    }
    while (true) {
      this.ws();
      if (this.text[this.pos] === "}") { // trailing comma
        this.pos++;
        break;
      }
      const k = this.key();
      this.ws();
      if (this.text[this.pos++] !== ":") this.fail("expected :");
      this.ws();
      const v = this.value();
      if ("value" in k) {
        // An object key: the whole object becomes a Map, keeping the keys read so far.
        map ??= new Map(Object.entries(obj ?? {}) as [JsonValue, JsonValue][]);
        obj = undefined;
        map.set(k.value, v);
      } else if (map) {
        map.set(k.text, v);
      } else if (k.text === "__proto__") {
        Object.defineProperty(obj, k.text, { value: v, enumerable: true, writable: true });
      } else {
        obj![k.text] = v;
      }
      this.ws();
      const c = this.text[this.pos++];
      if (c === "}") break;
      if (c !== ",") this.fail("expected , or }");
    }
    return map ?? obj!;
  }
}

function writeString(s: string, out: string[], o: WriteOptions): void {
  const json = JSON.stringify(s);
  out.push(o.asciiOnly ? json.replace(/[\u007f-\uffff]/g, unicodeEscape) : json);
}

function unicodeEscape(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

function write(v: JsonValue, out: string[], o: WriteOptions): void {
  switch (typeof v) {
    case "string":
      writeString(v, out, o);
      return;
    case "number":
      out.push(Number.isFinite(v) ? String(v) : "null");
      return;
    case "bigint":
    case "boolean":
      out.push(String(v));
      return;
  }
  if (v === null) {
    out.push("null");
    return;
  }
  if (Array.isArray(v)) {
    out.push("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(",");
      write(v[i] ?? null, out, o);
    }
    out.push("]");
    return;
  }
  if (v instanceof Map) {
    out.push("{");
    let first = true;
    for (const [k, val] of v) {
      if (val === null || val === undefined) continue;
      if (!first) out.push(",");
      first = false;
      if (typeof k === "string") writeString(k, out, o);
      else if (typeof k === "number" || typeof k === "bigint") {
        out.push(o.quoteKeys ? `"${k}"` : String(k));
      } else write(k, out, o);
      out.push(":");
      write(val, out, o);
    }
    out.push("}");
    return;
  }
  out.push("{");
  let first = true;
  for (const k of Object.keys(v).sort()) {
    const val = v[k];
    if (val === null || val === undefined) continue;
    if (!first) out.push(",");
    first = false;
    writeString(k, out, o);
    out.push(":");
    write(val, out, o);
  }
  out.push("}");
}

/** Reads the entries of a parsed map whether it came back as an object or a Map. */
export function mapEntries(v: JsonValue | undefined): [JsonValue, JsonValue][] {
  if (v instanceof Map) return [...v.entries()];
  if (v && typeof v === "object" && !Array.isArray(v)) {
    return Object.entries(v).filter((e): e is [string, JsonValue] => e[1] !== undefined);
  }
  return [];
}

/** Lenient field readers: fastjson coerces numbers into String fields and strings into numbers. */
export function asString(v: JsonValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "object") return stringifyFastJson(v);
  return String(v);
}

export function asNumber(v: JsonValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

export function asBoolean(v: JsonValue | undefined): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v.toLowerCase() === "true";
  if (typeof v === "number") return v !== 0;
  return undefined;
}

export function asArray(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

export function asObject(v: JsonValue | undefined): JsonObject {
  return v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Map) ? v : {};
}
