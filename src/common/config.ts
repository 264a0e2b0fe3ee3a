import { parse as parseToml } from "smol-toml";
import { UsageError } from "./errors.ts";

/**
 * Typed configuration with RocketMQ's key names. A schema lists every key with its default, a
 * one-line description and a parser; config files are flat TOML tables of those keys, and
 * command-line flags override file values. Values are read leniently (a translated broker.conf
 * has everything as strings), but a value that cannot mean anything is a UsageError.
 */
export interface KeySpec<T> {
  readonly kind: string;
  readonly default: T;
  readonly doc: string;
  /** Integers: the smallest and largest value accepted. */
  readonly min?: number;
  readonly max?: number;
  /** Choices: every value accepted. */
  readonly values?: readonly string[];
  parse(raw: unknown, key: string): T;
}

export type ConfigSchema = Record<string, KeySpec<unknown>>;
export type ConfigOf<S extends ConfigSchema> = { -readonly [K in keyof S]: S[K]["default"] };

function bad(key: string, raw: unknown, want: string): UsageError {
  return new UsageError(`Invalid value for ${key}: ${JSON.stringify(raw)} (expected ${want})`);
}

export function str(def: string, doc: string): KeySpec<string> {
  return {
    kind: "string",
    default: def,
    doc,
    parse(raw, key) {
      if (typeof raw === "string") return raw;
      if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
      throw bad(key, raw, "a string");
    },
  };
}

export function int(
  def: number,
  doc: string,
  range: { min?: number; max?: number } = {},
): KeySpec<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  return {
    kind: "integer",
    default: def,
    doc,
    min,
    max,
    parse(raw, key) {
      const n = typeof raw === "number"
        ? raw
        : typeof raw === "bigint"
        ? Number(raw)
        : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw)
        ? Number(raw)
        : NaN;
      if (!Number.isInteger(n)) throw bad(key, raw, "an integer");
      if (n < min || n > max) throw bad(key, raw, `an integer from ${min} to ${max}`);
      return n;
    },
  };
}

export function num(def: number, doc: string): KeySpec<number> {
  return {
    kind: "number",
    default: def,
    doc,
    parse(raw, key) {
      // Number("") and Number(" ") are 0; an empty value means nothing, not zero.
      const n = typeof raw === "number"
        ? raw
        : typeof raw === "string" && raw.trim() !== ""
        ? Number(raw)
        : NaN;
      if (!Number.isFinite(n)) throw bad(key, raw, "a number");
      return n;
    },
  };
}

export function bool(def: boolean, doc: string): KeySpec<boolean> {
  return {
    kind: "boolean",
    default: def,
    doc,
    parse(raw, key) {
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string" && /^(true|false)$/i.test(raw.trim())) {
        return raw.trim().toLowerCase() === "true";
      }
      throw bad(key, raw, "true or false");
    },
  };
}

export function oneOf<const V extends string>(
  values: readonly V[],
  def: V,
  doc: string,
): KeySpec<V> {
  return {
    kind: values.join("|"),
    default: def,
    doc,
    values,
    parse(raw, key) {
      if (typeof raw === "string" && (values as readonly string[]).includes(raw)) return raw as V;
      throw bad(key, raw, values.join(" or "));
    },
  };
}

export function defaults<S extends ConfigSchema>(schema: S): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(schema)) out[k] = spec.default;
  return out as ConfigOf<S>;
}

export interface LoadedConfig<S extends ConfigSchema> {
  config: ConfigOf<S>;
  /** Keys found in the file that rmq does not know (RocketMQ has many); worth a warning. */
  unknownKeys: string[];
}

/**
 * Builds a config from defaults, then the TOML file (if any), then `overrides` (flags).
 * Undefined overrides are skipped so absent flags leave file values alone.
 */
export async function loadConfig<S extends ConfigSchema>(
  schema: S,
  file: string | undefined,
  overrides: Record<string, unknown> = {},
): Promise<LoadedConfig<S>> {
  let table: Record<string, unknown> = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      throw new UsageError(`Cannot read config file ${file}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    table = parseConfigText(text, file);
  }
  return applyConfig(schema, table, overrides);
}

export function parseConfigText(text: string, file = "config"): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const first = (e as Error).message.split("\n")[0];
    throw new UsageError(`Cannot parse config file ${file}: ${first}`, { cause: e });
  }
}

export function applyConfig<S extends ConfigSchema>(
  schema: S,
  table: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): LoadedConfig<S> {
  const config = defaults(schema) as Record<string, unknown>;
  const unknownKeys: string[] = [];
  for (const [k, v] of Object.entries(table)) {
    const spec = schema[k];
    if (!spec) {
      unknownKeys.push(k);
      continue;
    }
    config[k] = spec.parse(v, k);
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    const spec = schema[k];
    if (!spec) throw new Error(`No config key ${k}`);
    config[k] = spec.parse(v, k);
  }
  return { config: config as ConfigOf<S>, unknownKeys };
}

/** Renders a schema as a commented TOML file: the form of `config/*.toml`. */
export function renderConfigToml(schema: ConfigSchema, title: string): string {
  const lines = [`# ${title}`, "# Every key with its default. Key names are RocketMQ's own.", ""];
  for (const [k, spec] of Object.entries(schema)) {
    lines.push(`# ${spec.doc}`);
    const v = spec.default;
    lines.push(`${k} = ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
    lines.push("");
  }
  return lines.join("\n");
}
