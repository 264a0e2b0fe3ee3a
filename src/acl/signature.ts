/**
 * ACL 1.0 request signatures, as RocketMQ's AclClientRPCHook makes them and its
 * PlainAccessValidator checks them: the values of the request's extFields (AccessKey included,
 * Signature left out) in key order, concatenated, UTF-8, the body appended, HmacSHA1 with the
 * secret key, Base64.
 *
 * Every request is signed by the client and checked by the server, so this is on the hot path
 * of every send: the key's HMAC state is made once (hmac_sha1.ts says why it is not a library's),
 * the header text is written as bytes into one buffer with the body behind it, and nothing is
 * allocated per request but the result.
 */
import { createHmac } from "node:crypto";
import { HmacSha1 } from "./hmac_sha1.ts";
import { textEncoder } from "../common/bytes.ts";
import type { RemotingCommand } from "../remoting/command.ts";

/** extFields names the signature travels in (SessionCredentials). */
export const ACCESS_KEY = "AccessKey";
export const SIGNATURE = "Signature";
export const SECURITY_TOKEN = "SecurityToken";
/** A flag the broker adds to queries itself, after the client signed (MixAll). */
const UNIQUE_KEY_QUERY_FLAG = "_UNIQUE_KEY_QUERY";

/** The account a client signs with. */
export interface Credentials {
  accessKey: string;
  secretKey: string;
  /** Sent and signed when set (SessionCredentials' optional token). */
  securityToken?: string;
}

/**
 * Keyed HMACs by secret key (a server holds a handful of accounts, a client one). A pure cache:
 * dropping it only costs a key setup.
 */
const keyed = new Map<string, HmacSha1>();
const KEYED_MAX = 1024;
const digest = new Uint8Array(20);
let scratch = new Uint8Array(1024);
/**
 * Bodies above this are hashed by node:crypto: its per-call cost (~9 µs here) is less than the
 * JS compression's ~4 µs per KiB beyond a couple of KiB.
 */
const NATIVE_BODY_MIN = 4096;

function keyedMac(secretKey: string): HmacSha1 {
  let m = keyed.get(secretKey);
  if (!m) {
    m = new HmacSha1(textEncoder.encode(secretKey));
    if (keyed.size >= KEYED_MAX) keyed.clear();
    keyed.set(secretKey, m);
  }
  return m;
}

/**
 * Keys in Java's order (String.compareTo: UTF-16 code units, which `<` on JS strings compares
 * too). Requests of one kind list their keys in the same insertion order every time, so the
 * last few orders are remembered rather than sorted again.
 */
const sortedSeen: { keys: string[]; sorted: string[] }[] = [];
const SORTED_SEEN_MAX = 8;

function sortedKeys(keys: string[]): string[] {
  next: for (const seen of sortedSeen) {
    if (seen.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (seen.keys[i] !== keys[i]) continue next;
    return seen.sorted;
  }
  const sorted = [...keys].sort();
  if (sortedSeen.length >= SORTED_SEEN_MAX) sortedSeen.pop();
  sortedSeen.unshift({ keys, sorted });
  return sorted;
}

/** The UTF-8 bytes of the values, concatenated in key order, into `scratch`; their length. */
function writeContent(extFields: Readonly<Record<string, string>>, keys: string[]): number {
  let text = "";
  for (const k of keys) {
    if (k !== SIGNATURE && k !== UNIQUE_KEY_QUERY_FLAG) text += extFields[k];
  }
  // UTF-8 takes at most 3 bytes per UTF-16 code unit; one native encode beats a loop per value
  // here (values are often rope strings, which a per-character loop flattens one by one).
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 6);
  return textEncoder.encodeInto(text, scratch).written;
}

/** The signature of `extFields` + `body` under `secretKey`. */
export function aclSignature(
  extFields: Readonly<Record<string, string>>,
  body: Uint8Array | undefined,
  secretKey: string,
): string {
  let n = writeContent(extFields, sortedKeys(Object.keys(extFields)));
  if (body !== undefined && body.length > NATIVE_BODY_MIN) {
    // Native hashing wins once a body is big, and the body is not copied.
    return createHmac("sha1", secretKey).update(scratch.subarray(0, n)).update(body).digest(
      "base64",
    );
  }
  if (body !== undefined && body.length > 0) {
    if (scratch.length < n + body.length) {
      const grown = new Uint8Array((n + body.length) * 2);
      grown.set(scratch.subarray(0, n));
      scratch = grown;
    }
    scratch.set(body, n);
    n += body.length;
  }
  keyedMac(secretKey).mac(scratch, n, digest);
  return base64OfDigest(digest);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Base64 of the 20-byte digest (28 characters, one `=`). btoa(String.fromCharCode(...)) costs
 * a fifth of a whole signature in op overhead; this is a tenth of that.
 */
function base64OfDigest(d: Uint8Array): string {
  let out = "";
  for (let i = 0; i < 18; i += 3) {
    const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    out += B64[v >>> 18] + B64[(v >>> 12) & 63] + B64[(v >>> 6) & 63] + B64[v & 63];
  }
  const v = (d[18] << 16) | (d[19] << 8);
  return out + B64[v >>> 18] + B64[(v >>> 12) & 63] + B64[(v >>> 6) & 63] + "=";
}

/** Adds AccessKey (and SecurityToken) to the request and signs it, as the Java hook does. */
export function signRequest(request: RemotingCommand, credentials: Credentials): void {
  const f = request.extFields;
  f[ACCESS_KEY] = credentials.accessKey;
  if (credentials.securityToken !== undefined) f[SECURITY_TOKEN] = credentials.securityToken;
  f[SIGNATURE] = aclSignature(f, request.body, credentials.secretKey);
}
