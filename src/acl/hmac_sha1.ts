/**
 * HMAC-SHA1 (RFC 2104 over FIPS 180-4 SHA-1), keyed once and computed many times without
 * allocating: what ACL 1.0 signs every request with.
 *
 * Why not a library: a signature is computed on both sides of every send, and on Deno each
 * node:crypto call costs 3–5 µs of op overhead (createHmac about 9 µs for a 128-byte message),
 * and @noble/hashes, reusing a keyed state, about 3 µs, which made `rmq bench produce` a quarter
 * slower with the ACL on. Here the key's inner and outer states are computed once and a message
 * costs its SHA-1 blocks and nothing else. Checked against node:crypto on random keys and
 * messages of every length around the block boundaries (tests/acl/hmac_sha1_test.ts).
 */
import { hash } from "node:crypto";

const BLOCK = 64;
const IV = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0];
/** Message schedule, shared: nothing here awaits, so no two computations interleave. */
const W = new Int32Array(80);
/** The last one or two blocks of a message, with its padding. */
const tail = new Uint8Array(2 * BLOCK);

/** One SHA-1 compression of `b[off..off+64)` into state `h`. */
function compress(h: Int32Array, b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const p = off + 4 * i;
    W[i] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }
  for (let i = 16; i < 80; i++) {
    const v = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
    W[i] = (v << 1) | (v >>> 31);
  }
  let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
  for (let i = 0; i < 20; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((bb & c) | (~bb & d)) + e + 0x5a827999 + W[i]) | 0;
    e = d, d = c, c = (bb << 30) | (bb >>> 2), bb = a, a = t;
  }
  for (let i = 20; i < 40; i++) {
    const t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0x6ed9eba1 + W[i]) | 0;
    e = d, d = c, c = (bb << 30) | (bb >>> 2), bb = a, a = t;
  }
  for (let i = 40; i < 60; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((bb & c) | (bb & d) | (c & d)) + e + 0x8f1bbcdc + W[i]) |
      0;
    e = d, d = c, c = (bb << 30) | (bb >>> 2), bb = a, a = t;
  }
  for (let i = 60; i < 80; i++) {
    const t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0xca62c1d6 + W[i]) | 0;
    e = d, d = c, c = (bb << 30) | (bb >>> 2), bb = a, a = t;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + bb) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
}

/**
 * Hashes `data[0..len)` on from state `h`, which has already taken `before` bytes (one key
 * block here), padding included: `h` ends as the digest's five words.
 */
function finish(h: Int32Array, data: Uint8Array, len: number, before: number): void {
  let off = 0;
  for (; off + BLOCK <= len; off += BLOCK) compress(h, data, off);
  const rest = len - off;
  tail.fill(0);
  tail.set(data.subarray(off, len));
  tail[rest] = 0x80;
  const blocks = rest + 9 > BLOCK ? 2 : 1;
  const bits = (before + len) * 8;
  const end = blocks * BLOCK;
  // The 64-bit bit length, big-endian (messages here are far below 2^53 bits).
  const hi = Math.floor(bits / 4294967296);
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = hi >>> 16;
  tail[end - 6] = hi >>> 8;
  tail[end - 5] = hi;
  tail[end - 4] = bits >>> 24;
  tail[end - 3] = bits >>> 16;
  tail[end - 2] = bits >>> 8;
  tail[end - 1] = bits;
  compress(h, tail, 0);
  if (blocks === 2) compress(h, tail, BLOCK);
}

function writeWords(h: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 5; i++) {
    out[4 * i] = h[i] >>> 24;
    out[4 * i + 1] = h[i] >>> 16;
    out[4 * i + 2] = h[i] >>> 8;
    out[4 * i + 3] = h[i];
  }
}

export class HmacSha1 {
  /** SHA-1 states after the key XOR ipad block, and after the key XOR opad block. */
  readonly #inner = new Int32Array(5);
  readonly #outer = new Int32Array(5);
  readonly #h = new Int32Array(5);
  readonly #innerDigest = new Uint8Array(20);

  constructor(key: Uint8Array) {
    const k = key.length > BLOCK ? new Uint8Array(hash("sha1", key, "buffer")) : key;
    const pad = new Uint8Array(BLOCK);
    this.#inner.set(IV);
    pad.fill(0x36);
    for (let i = 0; i < k.length; i++) pad[i] ^= k[i];
    compress(this.#inner, pad, 0);
    this.#outer.set(IV);
    pad.fill(0x5c);
    for (let i = 0; i < k.length; i++) pad[i] ^= k[i];
    compress(this.#outer, pad, 0);
  }

  /** The HMAC of `data[0..len)`, written to `out` (20 bytes). */
  mac(data: Uint8Array, len: number, out: Uint8Array): void {
    const h = this.#h;
    h.set(this.#inner);
    finish(h, data, len, BLOCK);
    writeWords(h, this.#innerDigest);
    h.set(this.#outer);
    finish(h, this.#innerDigest, 20, BLOCK);
    writeWords(h, out);
  }
}
