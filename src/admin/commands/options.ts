/** Reading the mqadmin-style flags an admin command needs. */
import { type OptionValues, stringOption } from "../../cli/args.ts";
import { UsageError } from "../../common/errors.ts";
import type { AdminClient } from "../admin_client.ts";

/** A flag the command cannot do without: a UsageError naming it otherwise. */
export function required(values: OptionValues, key: string, flag: string, command: string): string {
  const v = stringOption(values, key);
  if (v === undefined || v === "") throw new UsageError(`${command} needs ${flag}`);
  return v;
}

/** An integer flag within [min, max], `def` when absent. */
export function intFlag(
  values: OptionValues,
  key: string,
  flag: string,
  def: number,
  min: number,
  max: number,
): number {
  const v = stringOption(values, key);
  if (v === undefined) return def;
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) {
    throw new UsageError(
      `Invalid value for ${flag}: ${JSON.stringify(v)} (expected ${min} to ${max})`,
    );
  }
  return n;
}

export function boolFlag(values: OptionValues, key: string, flag: string): boolean {
  const v = stringOption(values, key);
  if (v === undefined) return false;
  if (v === "true" || v === "false") return v === "true";
  throw new UsageError(`Invalid value for ${flag}: ${JSON.stringify(v)} (expected true or false)`);
}

/** The brokers a command acts on: `-b ADDR`, or every master of `-c CLUSTER`. */
export async function brokerTargets(
  admin: AdminClient,
  values: OptionValues,
  command: string,
): Promise<string[]> {
  const one = stringOption(values, "broker");
  const cluster = stringOption(values, "cluster");
  if (one === undefined && cluster === undefined) {
    throw new UsageError(`${command} needs -b BROKER_ADDR or -c CLUSTER`);
  }
  return one !== undefined ? [one] : [...(await admin.masters(cluster)).values()];
}

/** ms since the epoch from a flag (ms, an ISO date, or `now`); undefined when absent. */
export function timeFlag(values: OptionValues, key: string, flag: string): number | undefined {
  const v = stringOption(values, key);
  if (v === undefined) return undefined;
  if (v === "now") return Date.now();
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new UsageError(
      `Invalid value for ${flag}: ${JSON.stringify(v)} (ms, an ISO date or now)`,
    );
  }
  return t;
}
