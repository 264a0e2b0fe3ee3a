/**
 * Evaluates a parsed SQL92 selector (sql92_parser.ts) against a message's properties the way
 * RocketMQ 4.9's expressions do: three-valued logic (a missing property makes a comparison
 * unknown, and only TRUE selects), property strings converted to the other side's type for a
 * comparison (Integer/Long/Double.valueOf, Boolean.valueOf), two strings compared with > >= <
 * <= as doubles. A value that cannot be converted is an error, which RocketMQ treats as "does
 * not match"; so does the caller of evaluate().
 */
import { isNumber, type Sql92Constant, type Sql92Node, type Sql92Number } from "./sql92_parser.ts";

/** A property's value, or undefined when the message has none. */
export type PropertyLookup = (name: string) => string | undefined;

/** The value a selector gives a message: TRUE selects it; FALSE and unknown (null) do not. */
export function evaluateSql92(n: Sql92Node, props: PropertyLookup): boolean | null {
  const v = value(n, props);
  return typeof v === "boolean" ? v : null;
}

/** Whether the selector picks the message; an evaluation error counts as no. */
export function selects(n: Sql92Node, props: PropertyLookup): boolean {
  try {
    return evaluateSql92(n, props) === true;
  } catch {
    return false;
  }
}

function value(n: Sql92Node, props: PropertyLookup): Sql92Constant {
  switch (n.kind) {
    case "const":
      return n.value;
    case "prop":
      return props(n.name) ?? null;
    case "neg": {
      const v = value(n.of, props);
      return isNumber(v) ? { t: v.t, v: -v.v } : null;
    }
    case "cast": {
      const v = value(n.of, props);
      return v === null ? null : typeof v === "boolean" ? v : false;
    }
    case "not": {
      const v = value(n.of, props);
      return v === null ? null : !v;
    }
    case "and": {
      const l = value(n.left, props);
      if (l === false) return false;
      const r = value(n.right, props);
      if (r === false) return false;
      return l === null || r === null ? null : true;
    }
    case "or": {
      const l = value(n.left, props);
      if (l === true) return true;
      const r = value(n.right, props);
      if (r === true) return true;
      return l === null || r === null ? null : false;
    }
    case "in": {
      const v = props(n.prop);
      if (v === undefined) return null;
      return n.values.has(v) !== n.not;
    }
    case "cmp":
      return n.op === "="
        ? equal(value(n.left, props), value(n.right, props))
        : order(n.op, value(n.left, props), value(n.right, props));
  }
}

function equal(l: Sql92Constant, r: Sql92Constant): boolean | null {
  if ((l === null) !== (r === null)) return l === null ? null : false;
  if (l === null || l === r) return true;
  if (sameValue(l, r!)) return true;
  return compare(l, r!) === 0;
}

/** Java's equals: same type and value (an Integer never equals a Long). */
function sameValue(l: Sql92Constant, r: Sql92Constant): boolean {
  if (isNumber(l) && isNumber(r)) return l.t === r.t && l.v === r.v;
  return l === r;
}

function order(op: ">" | ">=" | "<" | "<=", l: Sql92Constant, r: Sql92Constant): boolean | null {
  if (l === null || r === null) return null;
  let c: number;
  if (typeof l === "string" && typeof r === "string") {
    c = compare(toDouble(l), toDouble(r));
  } else {
    c = compare(l, r);
  }
  return op === ">" ? c > 0 : op === ">=" ? c >= 0 : op === "<" ? c < 0 : c <= 0;
}

/** ComparisonExpression.__compare with string conversion on. */
function compare(l: Sql92Constant, r: Sql92Constant): number {
  if (typeof l === typeof r && !(isNumber(l) && isNumber(r) && l.t !== r.t)) {
    return cmp(l, r);
  }
  if (typeof l === "boolean") {
    // Java casts the Boolean to String here and fails; anything else sorts it first.
    if (typeof r === "string") throw new TypeError("a boolean cannot be converted from a string");
    return -1;
  }
  if (isNumber(l)) {
    if (isNumber(r)) return cmp(promote(l, r.t), promote(r, l.t));
    if (typeof r === "string") return cmp(l, parseAs(l.t, r));
    return -1;
  }
  if (typeof l === "string") {
    if (typeof r === "boolean") return cmp(/^true$/i.test(l), r);
    if (isNumber(r)) return cmp(parseAs(r.t, l), r);
  }
  return -1;
}

function cmp(l: Sql92Constant, r: Sql92Constant): number {
  const a = isNumber(l) ? l.v : l;
  const b = isNumber(r) ? r.v : r;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Widens `n` to the other side's type where Java does (int → long → double). */
function promote(n: Sql92Number, other: Sql92Number["t"]): Sql92Number {
  const rank = { int: 0, long: 1, double: 2 } as const;
  return rank[other] > rank[n.t] ? { t: other, v: n.v } : n;
}

/** Integer/Long/Double.valueOf of a property string; throws where Java would. */
function parseAs(t: Sql92Number["t"], s: string): Sql92Number {
  if (t === "double") return toDouble(s);
  if (!/^[+-]?\d+$/.test(s)) throw new RangeError(`For input string: "${s}"`);
  const v = Number(s);
  const [min, max] = t === "int" ? [-2147483648, 2147483647] : [-(2 ** 63), 2 ** 63 - 1];
  if (v < min || v > max) throw new RangeError(`For input string: "${s}"`);
  return { t, v };
}

/** Double.valueOf: decimal or exponent forms, NaN, Infinity, surrounding blanks, a d/f suffix. */
function toDouble(s: string): Sql92Number {
  const m = /^\s*([+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))[fFdD]?\s*$/.exec(s);
  if (!m) throw new RangeError(`For input string: "${s}"`);
  return { t: "double", v: Number(m[1]) };
}
