/**
 * RocketMQ's SQL92 message selector (MessageSelector.bySql), parsed as RocketMQ 4.9's
 * SelectorParser.jj does (the ActiveMQ JMS selector grammar, trimmed): a pure function from
 * text to a tree that sql92_eval.ts evaluates against a message's properties.
 *
 *   expr     := and (OR and)*
 *   and      := equality (AND equality)*
 *   equality := compare ( "=" compare | "<>" compare | IS NULL | IS NOT NULL )*
 *   compare  := unary ( (">" | ">=" | "<" | "<=") unary | [NOT] BETWEEN unary AND unary
 *                     | [NOT] IN "(" 'str' ("," 'str')* ")" )*
 *   unary    := "+" unary | "-" unary | NOT unary | primary
 *   primary  := literal | property | "(" expr ")"
 *
 * Keywords are case-insensitive; properties are `[A-Za-z_$][A-Za-z0-9_$]*` (TAGS among them);
 * literals are 'strings' ('' for a quote), integers (an optional L), decimals with an optional
 * exponent, TRUE, FALSE, NULL; `--` and block comments are skipped. The checks RocketMQ makes
 * while building the tree are made here too, with its messages: only numbers and properties
 * compare with > >= < <=, NULL compares only with IS, IN needs a property on its left, and the
 * whole (and each side of AND / OR / NOT) must be a condition.
 */

/** A literal number as Java keeps it: int when it fits, long, or double. */
export type Sql92Number = { readonly t: "int" | "long" | "double"; readonly v: number };
export type Sql92Constant = string | boolean | null | Sql92Number;

export type Sql92Node =
  | { readonly kind: "const"; readonly value: Sql92Constant }
  | { readonly kind: "prop"; readonly name: string }
  | { readonly kind: "neg"; readonly of: Sql92Node }
  | { readonly kind: "not"; readonly of: Sql92Node }
  | { readonly kind: "and" | "or"; readonly left: Sql92Node; readonly right: Sql92Node }
  | {
    readonly kind: "cmp";
    readonly op: "=" | ">" | ">=" | "<" | "<=";
    readonly left: Sql92Node;
    readonly right: Sql92Node;
  }
  | {
    readonly kind: "in";
    readonly prop: string;
    readonly values: ReadonlySet<string>;
    readonly not: boolean;
  }
  /** A property used as a condition: true only if it were a boolean (never, for a string). */
  | { readonly kind: "cast"; readonly of: Sql92Node };

type Token =
  | { kind: "kw"; word: string; pos: number }
  | { kind: "id"; name: string; pos: number }
  | { kind: "str"; value: string; pos: number }
  | { kind: "int"; text: string; pos: number }
  | { kind: "float"; text: string; pos: number }
  | { kind: "op"; op: string; pos: number }
  | { kind: "end"; pos: number };

const KEYWORDS = new Set(["NOT", "AND", "OR", "BETWEEN", "IN", "TRUE", "FALSE", "NULL", "IS"]);
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MAX = 9223372036854775807n;
/** Java's Double.MIN_VALUE: RocketMQ refuses float literals below it (0.0 among them). */
const DOUBLE_MIN = 4.9e-324;

/** Parses a selector; throws SyntaxError naming what is wrong and where. */
export function parseSql92(text: string): Sql92Node {
  const p = new Parser(tokenize(text));
  const tree = p.boolean(p.or());
  p.expectEnd();
  return tree;
}

function fail(what: string, pos?: number): never {
  throw new SyntaxError(pos === undefined ? what : `${what} at position ${pos + 1}`);
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
      continue;
    }
    if (c === "-" && s[i + 1] === "-") {
      while (i < s.length && s[i] !== "\n" && s[i] !== "\r") i++;
      continue;
    }
    if (c === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      if (end < 0) fail("Unterminated comment", i);
      i = end + 2;
      continue;
    }
    const start = i;
    if (c === "'") {
      let v = "";
      i++;
      while (true) {
        if (i >= s.length) fail("Unterminated string literal", start);
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ kind: "str", value: v, pos: start });
      continue;
    }
    const num = /^(?:(\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|(0|[1-9]\d*)[lL]?)/.exec(
      s.slice(i),
    );
    if (num && (c === "." ? /\d/.test(s[i + 1] ?? "") : /\d/.test(c))) {
      const isInt = num[2] !== undefined && !/[.eE]/.test(num[0]);
      out.push({ kind: isInt ? "int" : "float", text: num[0], pos: start });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(s.slice(i));
    if (id) {
      const upper = id[0].toUpperCase();
      out.push(
        KEYWORDS.has(upper)
          ? { kind: "kw", word: upper, pos: start }
          : { kind: "id", name: id[0], pos: start },
      );
      i += id[0].length;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === "<>" || two === ">=" || two === "<=") {
      out.push({ kind: "op", op: two, pos: start });
      i += 2;
      continue;
    }
    if ("=<>(),+-".includes(c)) {
      out.push({ kind: "op", op: c, pos: start });
      i++;
      continue;
    }
    fail(`Unexpected character ${JSON.stringify(c)}`, start);
  }
  out.push({ kind: "end", pos: s.length });
  return out;
}

class Parser {
  #i = 0;
  readonly #t: Token[];

  constructor(tokens: Token[]) {
    this.#t = tokens;
  }

  #peek(ahead = 0): Token {
    return this.#t[Math.min(this.#i + ahead, this.#t.length - 1)];
  }

  #isKw(word: string, ahead = 0): boolean {
    const t = this.#peek(ahead);
    return t.kind === "kw" && t.word === word;
  }

  #isOp(op: string): boolean {
    const t = this.#peek();
    return t.kind === "op" && t.op === op;
  }

  #expectKw(word: string): void {
    if (!this.#isKw(word)) this.#unexpected(word);
    this.#i++;
  }

  #expectOp(op: string): void {
    if (!this.#isOp(op)) this.#unexpected(`"${op}"`);
    this.#i++;
  }

  #unexpected(wanted: string): never {
    const t = this.#peek();
    const seen = t.kind === "end" ? "the end" : `"${describe(t)}"`;
    fail(`Encountered ${seen}, expected ${wanted}`, t.pos);
  }

  expectEnd(): void {
    if (this.#peek().kind !== "end") this.#unexpected("the end");
  }

  /** asBooleanExpression: a condition, or a property cast to one. */
  boolean(n: Sql92Node): Sql92Node {
    if (isBoolean(n)) return n;
    if (n.kind === "prop") return { kind: "cast", of: n };
    fail(`Expression will not result in a boolean value: ${show(n)}`);
  }

  or(): Sql92Node {
    let left = this.#and();
    while (this.#isKw("OR")) {
      this.#i++;
      left = { kind: "or", left: this.boolean(left), right: this.boolean(this.#and()) };
    }
    return left;
  }

  #and(): Sql92Node {
    let left = this.#equality();
    while (this.#isKw("AND")) {
      this.#i++;
      left = { kind: "and", left: this.boolean(left), right: this.boolean(this.#equality()) };
    }
    return left;
  }

  #equality(): Sql92Node {
    let left = this.#comparison();
    while (true) {
      if (this.#isOp("=") || this.#isOp("<>")) {
        const ne = this.#isOp("<>");
        this.#i++;
        const right = this.#comparison();
        checkEqualOperand(left);
        checkEqualOperand(right);
        if (
          left.kind === "const" && right.kind === "const" && typeof left.value === "boolean" &&
          typeof right.value !== "boolean"
        ) {
          fail(`'${show(left)}' cannot be compared with '${show(right)}'`);
        }
        const eq: Sql92Node = { kind: "cmp", op: "=", left, right };
        left = ne ? { kind: "not", of: eq } : eq;
      } else if (this.#isKw("IS")) {
        this.#i++;
        const not = this.#isKw("NOT");
        if (not) this.#i++;
        this.#expectKw("NULL");
        const isNull: Sql92Node = {
          kind: "cmp",
          op: "=",
          left,
          right: { kind: "const", value: null },
        };
        left = not ? { kind: "not", of: isNull } : isNull;
      } else {
        return left;
      }
    }
  }

  #comparison(): Sql92Node {
    let left = this.#unary();
    while (true) {
      const t = this.#peek();
      if (t.kind === "op" && (t.op === ">" || t.op === ">=" || t.op === "<" || t.op === "<=")) {
        this.#i++;
        const right = this.#unary();
        left = lessThanComparison(t.op, left, right);
      } else if (this.#isKw("BETWEEN") || (this.#isKw("NOT") && this.#isKw("BETWEEN", 1))) {
        const not = this.#isKw("NOT");
        this.#i += not ? 2 : 1;
        const low = this.#unary();
        this.#expectKw("AND");
        const high = this.#unary();
        checkBetween(low, high);
        left = not
          ? {
            kind: "or",
            left: lessThanComparison("<", left, low),
            right: lessThanComparison(">", left, high),
          }
          : {
            kind: "and",
            left: lessThanComparison(">=", left, low),
            right: lessThanComparison("<=", left, high),
          };
      } else if (this.#isKw("IN") || (this.#isKw("NOT") && this.#isKw("IN", 1))) {
        const not = this.#isKw("NOT");
        this.#i += not ? 2 : 1;
        if (left.kind !== "prop") fail(`Expected a property for In expression, got: ${show(left)}`);
        this.#expectOp("(");
        const values = new Set<string>([this.#string()]);
        while (this.#isOp(",")) {
          this.#i++;
          values.add(this.#string());
        }
        this.#expectOp(")");
        left = { kind: "in", prop: left.name, values, not };
      } else {
        return left;
      }
    }
  }

  #string(): string {
    const t = this.#peek();
    if (t.kind !== "str") this.#unexpected("a string literal");
    this.#i++;
    return t.value;
  }

  #unary(): Sql92Node {
    if (this.#isOp("+")) {
      this.#i++;
      return this.#unary();
    }
    if (this.#isOp("-")) {
      this.#i++;
      const of = this.#unary();
      if (of.kind === "const" && isNumber(of.value)) {
        return { kind: "const", value: negate(of.value) };
      }
      return { kind: "neg", of };
    }
    if (this.#isKw("NOT")) {
      this.#i++;
      return { kind: "not", of: this.boolean(this.#unary()) };
    }
    return this.#primary();
  }

  #primary(): Sql92Node {
    const t = this.#peek();
    switch (t.kind) {
      case "str":
        this.#i++;
        return { kind: "const", value: t.value };
      case "int":
        this.#i++;
        return { kind: "const", value: decimal(t.text) };
      case "float":
        this.#i++;
        return { kind: "const", value: float(t.text) };
      case "id":
        this.#i++;
        return { kind: "prop", name: t.name };
      case "kw":
        if (t.word === "TRUE" || t.word === "FALSE" || t.word === "NULL") {
          this.#i++;
          return { kind: "const", value: t.word === "NULL" ? null : t.word === "TRUE" };
        }
        break;
      case "op":
        if (t.op === "(") {
          this.#i++;
          const inner = this.or();
          this.#expectOp(")");
          return inner;
        }
    }
    this.#unexpected("a literal, a property or (");
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case "kw":
      return t.word;
    case "id":
      return t.name;
    case "str":
      return `'${t.value}'`;
    case "int":
    case "float":
      return t.text;
    case "op":
      return t.op;
    case "end":
      return "";
  }
}

export function isNumber(v: Sql92Constant): v is Sql92Number {
  return v !== null && typeof v === "object";
}

/** Whether a node yields a boolean (RocketMQ's BooleanExpression): conditions and TRUE/FALSE/NULL. */
function isBoolean(n: Sql92Node): boolean {
  switch (n.kind) {
    case "const":
      return n.value === null || typeof n.value === "boolean";
    case "prop":
    case "neg":
      return false;
    default:
      return true;
  }
}

/** Only numbers and non-conditions compare with > >= < <= (checkLessThanOperand). */
function lessThanComparison(
  op: ">" | ">=" | "<" | "<=",
  left: Sql92Node,
  right: Sql92Node,
): Sql92Node {
  for (const side of [left, right]) {
    if (
      (side.kind === "const" && !isNumber(side.value)) || (side.kind !== "const" && isBoolean(side))
    ) {
      fail(`Value '${show(side)}' cannot be compared.`);
    }
  }
  return { kind: "cmp", op, left, right };
}

/** NULL is compared with IS NULL, never = or <> (checkEqualOperand). */
function checkEqualOperand(n: Sql92Node): void {
  if (n.kind === "const" && n.value === null) fail(`'${show(n)}' cannot be compared.`);
}

function checkBetween(low: Sql92Node, high: Sql92Node): void {
  if (low.kind !== "const" || high.kind !== "const") return;
  if (low.value === null || high.value === null) {
    fail("Illegal values of between, values can not be null!");
  }
  if (isNumber(low.value) && isNumber(high.value) && high.value.v < low.value.v) {
    fail(
      `Illegal values of between, left value(${show(low)}) must less than or equal to right value(${
        show(high)
      })`,
    );
  }
}

function decimal(text: string): Sql92Number {
  const digits = text.replace(/[lL]$/, "");
  const big = BigInt(digits);
  if (big > LONG_MAX) fail(`For input string: "${digits}"`);
  const v = Number(big);
  return { t: v >= INT_MIN && v <= INT_MAX ? "int" : "long", v };
}

function float(text: string): Sql92Number {
  const v = Number(text);
  if (!Number.isFinite(v)) fail(`${text} is greater than ${Number.MAX_VALUE}`);
  if (v < DOUBLE_MIN) fail(`${text} is less than 4.9E-324`);
  return { t: "double", v };
}

function negate(n: Sql92Number): Sql92Number {
  return { t: n.t, v: -n.v };
}

/** A node as text, for messages. */
export function show(n: Sql92Node): string {
  switch (n.kind) {
    case "const":
      return n.value === null
        ? "NULL"
        : typeof n.value === "string"
        ? `'${n.value.replaceAll("'", "''")}'`
        : typeof n.value === "boolean"
        ? (n.value ? "TRUE" : "FALSE")
        : String(n.value.v);
    case "prop":
      return n.name;
    case "neg":
      return `-${show(n.of)}`;
    case "not":
      return `NOT ${show(n.of)}`;
    case "cast":
      return show(n.of);
    case "and":
    case "or":
      return `(${show(n.left)} ${n.kind.toUpperCase()} ${show(n.right)})`;
    case "cmp":
      return `${show(n.left)} ${n.op} ${show(n.right)}`;
    case "in":
      return `${n.prop} ${n.not ? "NOT IN" : "IN"} (${
        [...n.values].map((v) => `'${v}'`).join(", ")
      })`;
  }
}
