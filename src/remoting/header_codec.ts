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
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
/** Longer digit strings may not be exact doubles; they take the careful path. */
const MAX_FAST_DIGITS = 15;

/**
 * A plain decimal integer (optional `-`, at most 15 digits) or NaN. Every client sends numbers
 * this way, so this carries nearly every field; anything else takes parseField's careful path.
 */
function plainInteger(s: string): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (n > 0 && s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  if (n === i || n - i > MAX_FAST_DIGITS) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

function parseField(key: string, type: FieldType, raw: string): string | number | boolean {
  switch (type) {
    case "string":
      return raw;
    case "boolean":
      // Boolean.parseBoolean: anything but case-insensitive "true" is false.
      return raw.length === 4 && raw.toLowerCase() === "true";
    case "int": {
      const fast = plainInteger(raw);
      if (fast >= INT_MIN && fast <= INT_MAX) return fast;
      const t = raw.trim();
      const n = INT_TEXT.test(t) ? Number(t) : NaN;
      if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX) {
        throw new HeaderError(
          `Cannot decode header field ${key}: ${JSON.stringify(raw)} is not an int`,
        );
      }
      return n;
    }
    case "long": {
      const fast = plainInteger(raw);
      if (!Number.isNaN(fast)) return fast;
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

/** A schema as a flat list, built once per schema: the hot paths decode every request. */
interface FieldPlan {
  readonly name: string;
  readonly wire: string;
  readonly type: FieldType;
  readonly required: boolean;
}

const plans = new WeakMap<HeaderSchema, readonly FieldPlan[]>();

function planOf(schema: HeaderSchema): readonly FieldPlan[] {
  let plan = plans.get(schema);
  if (!plan) {
    plan = Object.entries(schema).map(([name, spec]) => ({
      name,
      wire: spec.wire ?? name,
      type: spec.type,
      required: spec.required === true,
    }));
    plans.set(schema, plan);
  }
  return plan;
}

export function decodeHeader<S extends HeaderSchema>(
  schema: S,
  extFields: Record<string, string>,
): HeaderOf<S> {
  const plan = planOf(schema);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < plan.length; i++) {
    const f = plan[i];
    const raw = extFields[f.wire];
    if (raw === undefined || raw === null) {
      if (f.required) throw new HeaderError(`Missing header field ${f.wire}`);
      continue;
    }
    out[f.name] = f.type === "string" ? raw : parseField(f.wire, f.type, raw);
  }
  return out as HeaderOf<S>;
}

export function encodeHeader<S extends HeaderSchema>(
  schema: S,
  values: Partial<HeaderOf<S>>,
): Record<string, string> {
  const plan = planOf(schema);
  const out: Record<string, string> = {};
  const v = values as Record<string, unknown>;
  for (let i = 0; i < plan.length; i++) {
    const f = plan[i];
    const value = v[f.name];
    if (value === undefined || value === null) continue;
    out[f.wire] = typeof value === "string" ? value : `${value}`;
  }
  return out;
}
