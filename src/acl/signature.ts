/**
 * ACL 1.0 request signatures, as RocketMQ's AclClientRPCHook makes them and its
 * PlainAccessValidator checks them: the values of the request's extFields (AccessKey included,
 * Signature left out) in key order, concatenated, UTF-8, the body appended, HmacSHA1 with the
 * secret key, Base64.
 *
 * Every request is signed by the client and checked by the server, so this is on the hot path
 * of every send: the key's HMAC state is made once (by OpenSSL where it loads, else in JS), the
 * header values are written as bytes into one buffer and hashed with the body behind them
 * without copying it, the server compares without making the expected text, and nothing is
 * allocated per request but the client's result.
 */
import { HmacSha1, type KeyedSha1Mac } from "./hmac_sha1.ts";
import { openSslSha1 } from "./openssl_sha1.ts";
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
 * Keyed HMACs by secret key (a server holds a handful of accounts, a client one), by OpenSSL
 * where it can be loaded, else in JS. A pure cache: dropping it only costs a key setup.
 */
const keyed = new Map<string, KeyedSha1Mac>();
const KEYED_MAX = 1024;
const digest = new Uint8Array(20);
let scratch = new Uint8Array(1024);

/** What computes the HMACs here, for the log. */
export function signatureEngine(): string {
  const sha = openSslSha1();
  return sha ? `OpenSSL's SHA-1 (${sha.library})` : "the built-in SHA-1";
}

function keyedMac(secretKey: string): KeyedSha1Mac {
  let m = keyed.get(secretKey);
  if (!m) {
    const key = textEncoder.encode(secretKey);
    m = openSslSha1()?.keyed(key) ?? new HmacSha1(key);
    if (keyed.size >= KEYED_MAX) keyed.clear();
    keyed.set(secretKey, m);
  }
  return m;
}

/**
 * The order the values are signed in: Java's key order (String.compareTo compares UTF-16 code
 * units, as `<` on JS strings does), Signature and the query flag left out, as indexes into the
 * keys' insertion order. Requests of one kind list their keys in the same insertion order every
 * time, so the last few orders are remembered rather than sorted again.
 */
const ordersSeen: { keys: string[]; signed: number[] }[] = [];
const ORDERS_SEEN_MAX = 8;

function signedOrder(keys: string[]): number[] {
  next: for (const seen of ordersSeen) {
    if (seen.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (seen.keys[i] !== keys[i]) continue next;
    return seen.signed;
  }
  const signed = keys.map((_, i) => i)
    .filter((i) => keys[i] !== SIGNATURE && keys[i] !== UNIQUE_KEY_QUERY_FLAG)
    .sort((x, y) => keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : 0);
  if (ordersSeen.length >= ORDERS_SEEN_MAX) ordersSeen.pop();
  ordersSeen.unshift({ keys, signed });
  return signed;
}

/** The request's values in insertion order (reused). */
const values: string[] = [];

/** The UTF-8 bytes of the values, concatenated in key order, into `scratch`; their length. */
function writeContent(extFields: Readonly<Record<string, string>>, signed: number[]): number {
  // for-in reads the values in insertion order through V8's enum cache; a lookup per key in
  // sorted order is a keyed load each, three times the cost.
  let count = 0;
  for (const k in extFields) values[count++] = extFields[k];
  let n = 0;
  for (let j = 0; j < signed.length; j++) {
    const v = values[signed[j]];
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (scratch.length < n + v.length * 3) grow(n, n + v.length * 3);
    // Header values are ASCII but for the odd key or property: byte by byte, no call and no
    // allocation, until a character needs the encoder.
    const out = scratch;
    let i = 0;
    for (; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) break;
      out[n + i] = c;
    }
    n += i;
    if (i < v.length) n += textEncoder.encodeInto(v.slice(i), out.subarray(n)).written;
  }
  return n;
}

/** Makes `scratch` hold at least `size` bytes, keeping its first `keep`. */
function grow(keep: number, size: number): void {
  const grown = new Uint8Array(size * 2);
  grown.set(scratch.subarray(0, keep));
  scratch = grown;
}

/** The HMAC of `extFields` + `body` under `secretKey`: 20 bytes, valid until the next call. */
function digestOf(
  extFields: Readonly<Record<string, string>>,
  body: Uint8Array | undefined,
  secretKey: string,
): Uint8Array {
  const n = writeContent(extFields, signedOrder(Object.keys(extFields)));
  keyedMac(secretKey).mac(scratch, n, body, digest);
  return digest;
}

/** The signature of `extFields` + `body` under `secretKey`. */
export function aclSignature(
  extFields: Readonly<Record<string, string>>,
  body: Uint8Array | undefined,
  secretKey: string,
): string {
  base64OfDigest(digestOf(extFields, body, secretKey));
  // One flat string: concatenating 28 one-character strings costs three times as much once
  // the result is read (the header writer reads it).
  return String.fromCharCode.apply(null, signatureCodes);
}

/**
 * Whether `presented` is the signature of `extFields` + `body` under `secretKey`, compared in
 * time independent of where it differs (no timing oracle on signatures), without making the
 * expected text.
 */
export function signatureMatches(
  extFields: Readonly<Record<string, string>>,
  body: Uint8Array | undefined,
  secretKey: string,
  presented: string,
): boolean {
  base64OfDigest(digestOf(extFields, body, secretKey));
  if (presented.length !== SIGNATURE_LENGTH) return false;
  let diff = 0;
  for (let i = 0; i < SIGNATURE_LENGTH; i++) diff |= signatureCodes[i] ^ presented.charCodeAt(i);
  return diff === 0;
}

/** Base64 of a 20-byte digest: 28 characters, the last `=`. */
const SIGNATURE_LENGTH = 28;
const B64 = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c) =>
  c.charCodeAt(0)
);
/** The character codes of the last signature made (a plain array, for fromCharCode.apply). */
const signatureCodes: number[] = new Array(SIGNATURE_LENGTH).fill(0);

/** Base64 of the digest into `signatureCodes` (btoa costs more in op overhead than this). */
function base64OfDigest(d: Uint8Array): void {
  const out = signatureCodes;
  for (let i = 0, j = 0; i < 18; i += 3, j += 4) {
    const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    out[j] = B64[v >>> 18];
    out[j + 1] = B64[(v >>> 12) & 63];
    out[j + 2] = B64[(v >>> 6) & 63];
    out[j + 3] = B64[v & 63];
  }
  const v = (d[18] << 16) | (d[19] << 8);
  out[24] = B64[v >>> 18];
  out[25] = B64[(v >>> 12) & 63];
  out[26] = B64[(v >>> 6) & 63];
  out[27] = 61; // "="
}

/** Adds AccessKey (and SecurityToken) to the request and signs it, as the Java hook does. */
export function signRequest(request: RemotingCommand, credentials: Credentials): void {
  const f = request.extFields;
  f[ACCESS_KEY] = credentials.accessKey;
  if (credentials.securityToken !== undefined) f[SECURITY_TOKEN] = credentials.securityToken;
  f[SIGNATURE] = aclSignature(f, request.body, credentials.secretKey);
}
