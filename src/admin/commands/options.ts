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
