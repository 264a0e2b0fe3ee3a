/**
 * Typed custom headers. Each request's header is a schema (see headers.ts): field name → type,
 * whether Java marks it not-null, and its wire key when that differs (SEND_MESSAGE_V2 writes
 * `a`…`n`). decodeHeader parses extFields strings the way Java's decoder does; encodeHeader
 * writes every value as a string, which is what Go clients require.
 */
export type FieldType = "string" | "int" | "long" | "boolean" | "double";

export interface FieldSpec {
  readonly type: FieldType;
  readonly required?: boolean;
  /** The extFields key when it is not the field name. */
  readonly wire?: string;
}

export type HeaderSchema = Readonly<Record<string, FieldSpec>>;

type ValueOf<T extends FieldType> = T extends "string" ? string
  : T extends "boolean" ? boolean
  : number;

type RequiredKeys<S extends HeaderSchema> = {
  [K in keyof S]: S[K]["required"] extends true ? K : never;
}[keyof S];
type OptionalKeys<S extends HeaderSchema> = Exclude<keyof S, RequiredKeys<S>>;

/** The decoded header: required fields present, optional ones possibly undefined. */
export type HeaderOf<S extends HeaderSchema> =
  & { [K in RequiredKeys<S>]: ValueOf<S[K]["type"]> }
  & { [K in OptionalKeys<S>]?: ValueOf<S[K]["type"]> };

/** A header that cannot be decoded; the server answers it with SYSTEM_ERROR and its message. */
export class HeaderError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "HeaderError";
  }
}

const INT_TEXT = /^[+-]?\d+$/;

function parseField(key: string, type: FieldType, raw: string): string | number | boolean {
  switch (type) {
    case "string":
      return raw;
    case "boolean":
      // Boolean.parseBoolean: anything but case-insensitive "true" is false.
      return raw.length === 4 && raw.toLowerCase() === "true";
    case "int": {
      const t = raw.trim();
      const n = INT_TEXT.test(t) ? Number(t) : NaN;
      if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) {
        throw new HeaderError(
          `Cannot decode header field ${key}: ${JSON.stringify(raw)} is not an int`,
        );
      }
      return n;
    }
    case "long": {
      const t = raw.trim();
      if (!INT_TEXT.test(t)) {
        throw new HeaderError(
          `Cannot decode header field ${key}: ${JSON.stringify(raw)} is not a long`,
        );
      }
      // Long.MAX_VALUE (a query's open end) rounds to 2^63 here, which is still "after anything".
      return Number(t);
    }
    case "double": {
      const n = Number(raw);
      if (raw.trim() === "" || Number.isNaN(n)) {
        throw new HeaderError(
          `Cannot decode header field ${key}: ${JSON.stringify(raw)} is not a number`,
        );
      }
      return n;
    }
  }
}

export function decodeHeader<S extends HeaderSchema>(
  schema: S,
  extFields: Record<string, string>,
): HeaderOf<S> {
  const out: Record<string, unknown> = {};
  for (const name in schema) {
    const spec = schema[name];
    const raw = extFields[spec.wire ?? name];
    if (raw === undefined || raw === null) {
      if (spec.required) throw new HeaderError(`Missing header field ${spec.wire ?? name}`);
      continue;
    }
    out[name] = parseField(spec.wire ?? name, spec.type, raw);
  }
  return out as HeaderOf<S>;
}

export function encodeHeader<S extends HeaderSchema>(
  schema: S,
  values: Partial<HeaderOf<S>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const v = values as Record<string, unknown>;
  for (const name in schema) {
    const value = v[name];
    if (value === undefined || value === null) continue;
    out[schema[name].wire ?? name] = String(value);
  }
  return out;
}
