/**
 * The ACL file, in RocketMQ's `plain_acl.yml` format: what it holds, how it is read (every
 * scalar as text, so `secretKey: 12345678` stays the string it is in Java), checked and compiled
 * into rules, and written back.
 *
 *   globalWhiteRemoteAddresses: [pattern, …]   requests from these skip the ACL (see validator)
 *   accounts:
 *     - accessKey, secretKey                  both longer than 6 characters
 *       whiteRemoteAddress                    pattern; a match skips the signature check
 *       admin                                 true: may use the admin codes, owns every resource
 *       defaultTopicPerm, defaultGroupPerm    PUB | SUB | PUB|SUB | DENY (absent: DENY)
 *       topicPerms, groupPerms                [NAME=PERM, …]
 *   dataVersion: [{counter, timestamp}]       bumped by every change made through the admin codes
 */
import { parse, stringify } from "yaml";
import { errorMessage } from "../common/errors.ts";
import type { PlainAccessConfig } from "../remoting/body/acl_config_body.ts";
import type { DataVersion } from "../remoting/body/data_version.ts";
import { AclError } from "./acl_error.ts";
import { type AddressMatcher, parseAddressPattern } from "./address_pattern.ts";
import { isValidPermText, parsePerm, retryTopicOf } from "./permission.ts";

/** One account as written in the file (RocketMQ's PlainAccessConfig, as the wire carries it). */
export type AccountConfig = PlainAccessConfig;

export interface AclFile {
  globalWhiteRemoteAddresses: string[];
  accounts: AccountConfig[];
  dataVersion?: DataVersion;
}

/** An account ready to check requests against. */
export interface Account {
  accessKey: string;
  secretKey: string;
  admin: boolean;
  defaultTopicPerm: number;
  defaultGroupPerm: number;
  /** Topic name, or a group's retry topic, to its permission bits. */
  perms: Map<string, number>;
  /** Matches addresses that need no signature. */
  white: AddressMatcher;
}

export interface AclRules {
  globalWhite: AddressMatcher[];
  accounts: Map<string, Account>;
}

/** RocketMQ wants keys longer than this (AclConstants). */
const MIN_KEY_LENGTH = 6;

/** Parses and checks the file's text; throws AclError saying what is wrong. */
export function parseAclFile(text: string): AclFile {
  let doc: unknown;
  try {
    doc = parse(text, { schema: "failsafe" });
  } catch (e) {
    throw new AclError(`not valid YAML: ${errorMessage(e)}`);
  }
  if (doc === null || doc === undefined || doc === "") {
    return { globalWhiteRemoteAddresses: [], accounts: [] };
  }
  if (!isRecord(doc)) throw new AclError("expected a mapping at the top");
  const file: AclFile = {
    globalWhiteRemoteAddresses: stringList(
      doc.globalWhiteRemoteAddresses,
      "globalWhiteRemoteAddresses",
    ),
    accounts: list(doc.accounts, "accounts").map((a, i) => accountOf(a, i)),
  };
  const dv = list(doc.dataVersion, "dataVersion")[0];
  if (isRecord(dv)) {
    file.dataVersion = {
      counter: Number(dv.counter ?? 0) || 0,
      timestamp: Number(dv.timestamp ?? 0) || 0,
    };
  }
  compileAcl(file); // Every pattern and permission must parse, or the file is refused whole.
  return file;
}

function accountOf(a: unknown, i: number): AccountConfig {
  if (!isRecord(a)) throw new AclError(`accounts[${i}]: expected a mapping`);
  const text = (k: string) => (a[k] === undefined || a[k] === null ? undefined : String(a[k]));
  const account: AccountConfig = {
    accessKey: text("accessKey") ?? "",
    secretKey: text("secretKey") ?? "",
    admin: text("admin")?.trim().toLowerCase() === "true",
    topicPerms: stringList(a.topicPerms, `accounts[${i}].topicPerms`),
    groupPerms: stringList(a.groupPerms, `accounts[${i}].groupPerms`),
  };
  const white = text("whiteRemoteAddress");
  if (white !== undefined && white !== "") account.whiteRemoteAddress = white;
  const dt = text("defaultTopicPerm");
  if (dt !== undefined && dt !== "") account.defaultTopicPerm = dt;
  const dg = text("defaultGroupPerm");
  if (dg !== undefined && dg !== "") account.defaultGroupPerm = dg;
  return account;
}

/** Checks an account's keys and permission lists (RocketMQ's messages). */
export function checkAccount(a: AccountConfig): void {
  if (a.accessKey.length <= MIN_KEY_LENGTH || a.secretKey.length <= MIN_KEY_LENGTH) {
    throw new AclError(
      `The accessKey=${a.accessKey} and secretKey=${a.secretKey} cannot be null and length should longer than 6`,
    );
  }
  for (const r of [...a.topicPerms, ...a.groupPerms]) {
    const [name, perm, ...rest] = r.split("=");
    if (rest.length > 0 || perm === undefined || name.trim() === "") {
      throw new AclError(
        `Parse Resource format error for ${r}. The expected resource format is 'Res=Perm'. For example: topicA=SUB`,
      );
    }
    if (!isValidPermText(perm)) {
      throw new AclError(
        `Parse resource permission error for ${r}. The expected permissions are 'SUB' or 'PUB' or 'SUB|PUB' or 'PUB|SUB'.`,
      );
    }
  }
  for (const p of [a.defaultTopicPerm, a.defaultGroupPerm]) {
    if (p !== undefined && !isValidPermText(p)) {
      throw new AclError(
        `Parse default permission error for ${p}: expected PUB, SUB, PUB|SUB or DENY`,
      );
    }
  }
}

/** The rules a file describes; throws AclError on a bad account or pattern. */
export function compileAcl(file: AclFile): AclRules {
  const accounts = new Map<string, Account>();
  for (const a of file.accounts) {
    checkAccount(a);
    const perms = new Map<string, number>();
    for (const r of a.topicPerms) {
      const [name, perm] = r.split("=");
      perms.set(name.trim(), parsePerm(perm));
    }
    for (const r of a.groupPerms) {
      const [name, perm] = r.split("=");
      perms.set(retryTopicOf(name.trim()), parsePerm(perm));
    }
    // A repeated accessKey: the later entry wins, as in RocketMQ's table.
    accounts.set(a.accessKey, {
      accessKey: a.accessKey,
      secretKey: a.secretKey,
      admin: a.admin,
      defaultTopicPerm: parsePerm(a.defaultTopicPerm),
      defaultGroupPerm: parsePerm(a.defaultGroupPerm),
      perms,
      white: parseAddressPattern(a.whiteRemoteAddress),
    });
  }
  return { globalWhite: file.globalWhiteRemoteAddresses.map(parseAddressPattern), accounts };
}

/** The file's text, as RocketMQ's admin codes write it. */
export function renderAclFile(file: AclFile): string {
  const doc: Record<string, unknown> = {
    globalWhiteRemoteAddresses: file.globalWhiteRemoteAddresses,
    accounts: file.accounts.map((a) => {
      const o: Record<string, unknown> = { accessKey: a.accessKey, secretKey: a.secretKey };
      if (a.whiteRemoteAddress !== undefined) o.whiteRemoteAddress = a.whiteRemoteAddress;
      o.admin = a.admin;
      if (a.defaultTopicPerm !== undefined) o.defaultTopicPerm = a.defaultTopicPerm;
      if (a.defaultGroupPerm !== undefined) o.defaultGroupPerm = a.defaultGroupPerm;
      if (a.topicPerms.length > 0) o.topicPerms = a.topicPerms;
      if (a.groupPerms.length > 0) o.groupPerms = a.groupPerms;
      return o;
    }),
  };
  if (file.dataVersion) {
    doc.dataVersion = [{
      counter: file.dataVersion.counter,
      timestamp: file.dataVersion.timestamp,
    }];
  }
  return stringify(doc);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null || v === "") return [];
  if (!Array.isArray(v)) throw new AclError(`${what}: expected a list`);
  return v;
}

function stringList(v: unknown, what: string): string[] {
  return list(v, what).filter((s) => s !== null && s !== "").map((s) => {
    if (typeof s !== "string") throw new AclError(`${what}: expected a list of text`);
    return s.trim();
  });
}
