import { parseArgs } from "node:util";
import type { ClientOptions } from "../client/client_config.ts";
import { errorMessage, UsageError } from "../common/errors.ts";
import { LOG_FORMATS, LOG_LEVELS } from "../common/log.ts";

/** One command-line option. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** One line for --help. */
  doc: string;
  /** Placeholder shown in --help, e.g. `PORT`. */
  value?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/** A subcommand: `rmq <name> [options]`. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage line after `rmq `, e.g. `namesrv [-c FILE] [-p PORT]`. */
  usage: string;
  options: OptionSpecs;
  /** Extra help text after the option list. */
  details?: string;
  /** Whether positional arguments are accepted (else they are a usage error). */
  positionals?: boolean;
  /** Runs the command; the number is the exit code (default 0). */
  run(args: ParsedArgs): Promise<number | void>;
  /**
   * A command with subcommands of their own flags (`rmq admin <command>`): picks the spec that
   * parses the rest of the arguments (undefined: this one does).
   */
  subcommand?(argv: string[]): { spec: CommandSpec; argv: string[] } | undefined;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: "boolean", short: "h", doc: "Show this help" },
  "log-level": {
    type: "string",
    value: "LEVEL",
    doc: `Log level: ${LOG_LEVELS.filter((l) => l !== "warning").join(", ")} (default info)`,
  },
  "log-format": { type: "string", value: "FORMAT", doc: "Log line format: text or json" },
};

/** Parses argv strictly: unknown options and missing values are UsageErrors (exit 2). */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const all = { ...COMMON_OPTIONS, ...spec.options };
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const [k, o] of Object.entries(all)) {
    // node:util parseArgs rejects `multiple: undefined`; only pass the keys that are set.
    options[k] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(
      `rmq ${spec.name}: ${describeParseError(e)} (see rmq ${spec.name} --help)`,
    );
  }
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new UsageError(
      `rmq ${spec.name}: unexpected argument ${
        JSON.stringify(parsed.positionals[0])
      } (see rmq ${spec.name} --help)`,
    );
  }
  const level = parsed.values["log-level"];
  if (typeof level === "string" && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(
      `rmq ${spec.name}: invalid value for --log-level: ${JSON.stringify(level)}`,
    );
  }
  const format = parsed.values["log-format"];
  if (typeof format === "string" && !(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `rmq ${spec.name}: invalid value for --log-format: ${JSON.stringify(format)}`,
    );
  }
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const opt = /'([^']+)'/.exec(msg)?.[1];
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${opt ?? msg}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return opt
        ? `option ${opt.split(",").pop()!.trim().split(" ")[0]} needs a value`
        : msg.split("\n")[0];
    default:
      return msg.split("\n")[0];
  }
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`Usage: rmq ${spec.usage}`, "", spec.summary, "", "Options:"];
  const all = { ...spec.options, ...COMMON_OPTIONS };
  const rows = Object.entries(all).map(([k, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${k}${o.value ? ` ${o.value}` : ""}`;
    return [flag, o.doc + (o.multiple ? " (repeatable)" : "")];
  });
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [f, d] of rows) lines.push(`  ${f.padEnd(w)}${d}`);
  if (spec.details) lines.push("", spec.details.trimEnd());
  return lines.join("\n");
}

/** Reads a string option. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** Reads an integer option; a bad value is a UsageError naming the flag. */
export function intOption(
  values: OptionValues,
  name: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  const v = values[name];
  if (v === undefined || typeof v !== "string") return undefined;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  const n = /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const want = range.min !== undefined || range.max !== undefined
      ? `an integer from ${min} to ${max}`
      : "an integer";
    throw new UsageError(`Invalid value for --${name}: ${JSON.stringify(v)} (expected ${want})`);
  }
  return n;
}

/** Reads a choice option. */
export function choiceOption<const V extends string>(
  values: OptionValues,
  name: string,
  choices: readonly V[],
): V | undefined {
  const v = values[name];
  if (v === undefined || typeof v !== "string") return undefined;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(
      `Invalid value for --${name}: ${JSON.stringify(v)} (expected ${choices.join(", ")})`,
    );
  }
  return v as V;
}

/** Reads a duration like `30s`, `500ms`, `2m`, `1h` or plain seconds; returns milliseconds. */
export function durationOption(values: OptionValues, name: string): number | undefined {
  const v = values[name];
  if (v === undefined || typeof v !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) {
    throw new UsageError(
      `Invalid value for --${name}: ${JSON.stringify(v)} (expected e.g. 30s, 500ms, 2m)`,
    );
  }
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

/** `-n/--namesrv` as every client command takes it. */
export const NAMESRV_OPTION: OptionSpec = {
  type: "string",
  short: "n",
  value: "ADDR",
  doc: "Name server(s), host:port;host:port (default $NAMESRV_ADDR)",
};

/**
 * The name servers a client command talks to: `--namesrv`, else env NAMESRV_ADDR (as RocketMQ
 * clients do); neither is a UsageError. `env` stands in for Deno.env so tests need none.
 */
export function namesrvOption(
  values: OptionValues,
  env: (name: string) => string | undefined,
): string {
  const addr = stringOption(values, "namesrv") ?? env("NAMESRV_ADDR");
  if (!addr) throw new UsageError("no name server: pass --namesrv HOST:PORT or set NAMESRV_ADDR");
  return addr;
}

/** The ACL and TLS options of the client commands. */
export const SECURITY_OPTIONS: OptionSpecs = {
  "access-key": {
    type: "string",
    value: "KEY",
    doc: "ACL access key requests are signed with (default $RMQ_ACCESS_KEY)",
  },
  "secret-key": {
    type: "string",
    value: "KEY",
    doc: "ACL secret key (default $RMQ_SECRET_KEY)",
  },
  tls: { type: "boolean", doc: "Connect over TLS" },
  "tls-ca": {
    type: "string",
    value: "FILE",
    doc: "PEM CA certificate to trust for TLS (implies --tls; default: the system's roots)",
  },
};

/** What a client command passes to its producers and consumers for the ACL and TLS. */
export type ClientSecurity = Pick<ClientOptions, "accessKey" | "secretKey" | "tls" | "tlsCaCerts">;

/**
 * `--access-key`/`--secret-key` (else env RMQ_ACCESS_KEY/RMQ_SECRET_KEY), `--tls`, `--tls-ca`;
 * one without the other, or an unreadable CA file, is a UsageError.
 */
export function securityOption(
  values: OptionValues,
  env: (name: string) => string | undefined,
): ClientSecurity {
  const accessKey = stringOption(values, "access-key") ?? env("RMQ_ACCESS_KEY");
  const secretKey = stringOption(values, "secret-key") ?? env("RMQ_SECRET_KEY");
  if (!accessKey !== !secretKey) {
    throw new UsageError(
      "--access-key and --secret-key go together (or RMQ_ACCESS_KEY and RMQ_SECRET_KEY)",
    );
  }
  const out: ClientSecurity = {};
  if (accessKey && secretKey) Object.assign(out, { accessKey, secretKey });
  const ca = stringOption(values, "tls-ca");
  if (ca !== undefined) {
    let pem: string;
    try {
      pem = Deno.readTextFileSync(ca);
    } catch (e) {
      throw new UsageError(`Cannot read --tls-ca ${ca}: ${errorMessage(e)}`);
    }
    out.tlsCaCerts = [pem];
  }
  if (values.tls === true || ca !== undefined) out.tls = true;
  return out;
}
