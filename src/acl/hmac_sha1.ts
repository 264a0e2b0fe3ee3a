/**
 * HMAC-SHA1 (RFC 2104 over FIPS 180-4 SHA-1), keyed once and computed many times without
 * allocating: what ACL 1.0 signs every request with where OpenSSL cannot be loaded
 * (openssl_sha1.ts), and the reference that one is checked against.
 *
 * Why not a library: a signature is computed on both sides of every send, and on Deno each
 * node:crypto call costs 2–5 µs of op overhead (createHmac about 9 µs for a 128-byte message),
 * and @noble/hashes, reusing a keyed state, about 3 µs, which made `rmq bench produce` a quarter
 * slower with the ACL on. Here the key's inner and outer states are computed once and a message
 * costs its SHA-1 blocks and nothing else. Checked against node:crypto on random keys and
 * messages of every length around the block boundaries (tests/acl/hmac_sha1_test.ts).
 */
import { createHmac, hash } from "node:crypto";

const BLOCK = 64;
const IV = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0];
/**
 * Message bytes short of a whole block, then the last one or two blocks with their padding.
 * Shared: nothing here awaits, so no two computations interleave.
 */
const pending = new Uint8Array(2 * BLOCK);

/**
 * One SHA-1 compression of `m[off..off+64)` into state `h`, written out round by round: the
 * message schedule lives in sixteen locals and the five working variables take turns by name
 * instead of moving, so V8 keeps it all in registers — 140 ns a block here against 240 ns for
 * loops over an Int32Array schedule. (A helper function per round, or the constants as module
 * consts, cost 170 ns: V8 stops inlining and folding.) The round constants of rounds 40-79
 * are written as the int32 values they wrap to.
 */
// deno-fmt-ignore
function compress(h: Int32Array, m: Uint8Array, off: number): void {
  let w0 = (m[off + 0] << 24) | (m[off + 1] << 16) | (m[off + 2] << 8) | m[off + 3];
  let w1 = (m[off + 4] << 24) | (m[off + 5] << 16) | (m[off + 6] << 8) | m[off + 7];
  let w2 = (m[off + 8] << 24) | (m[off + 9] << 16) | (m[off + 10] << 8) | m[off + 11];
  let w3 = (m[off + 12] << 24) | (m[off + 13] << 16) | (m[off + 14] << 8) | m[off + 15];
  let w4 = (m[off + 16] << 24) | (m[off + 17] << 16) | (m[off + 18] << 8) | m[off + 19];
  let w5 = (m[off + 20] << 24) | (m[off + 21] << 16) | (m[off + 22] << 8) | m[off + 23];
  let w6 = (m[off + 24] << 24) | (m[off + 25] << 16) | (m[off + 26] << 8) | m[off + 27];
  let w7 = (m[off + 28] << 24) | (m[off + 29] << 16) | (m[off + 30] << 8) | m[off + 31];
  let w8 = (m[off + 32] << 24) | (m[off + 33] << 16) | (m[off + 34] << 8) | m[off + 35];
  let w9 = (m[off + 36] << 24) | (m[off + 37] << 16) | (m[off + 38] << 8) | m[off + 39];
  let w10 = (m[off + 40] << 24) | (m[off + 41] << 16) | (m[off + 42] << 8) | m[off + 43];
  let w11 = (m[off + 44] << 24) | (m[off + 45] << 16) | (m[off + 46] << 8) | m[off + 47];
  let w12 = (m[off + 48] << 24) | (m[off + 49] << 16) | (m[off + 50] << 8) | m[off + 51];
  let w13 = (m[off + 52] << 24) | (m[off + 53] << 16) | (m[off + 54] << 8) | m[off + 55];
  let w14 = (m[off + 56] << 24) | (m[off + 57] << 16) | (m[off + 58] << 8) | m[off + 59];
  let w15 = (m[off + 60] << 24) | (m[off + 61] << 16) | (m[off + 62] << 8) | m[off + 63];
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], x = 0;
  // Rounds 0-19: Ch, K = 0x5a827999.
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + 0x5a827999 + e + w0) | 0; b = (b << 30) | (b >>> 2);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + 0x5a827999 + d + w1) | 0; a = (a << 30) | (a >>> 2);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + 0x5a827999 + c + w2) | 0; e = (e << 30) | (e >>> 2);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + 0x5a827999 + b + w3) | 0; d = (d << 30) | (d >>> 2);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + 0x5a827999 + a + w4) | 0; c = (c << 30) | (c >>> 2);
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + 0x5a827999 + e + w5) | 0; b = (b << 30) | (b >>> 2);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + 0x5a827999 + d + w6) | 0; a = (a << 30) | (a >>> 2);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + 0x5a827999 + c + w7) | 0; e = (e << 30) | (e >>> 2);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + 0x5a827999 + b + w8) | 0; d = (d << 30) | (d >>> 2);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + 0x5a827999 + a + w9) | 0; c = (c << 30) | (c >>> 2);
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + 0x5a827999 + e + w10) | 0; b = (b << 30) | (b >>> 2);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + 0x5a827999 + d + w11) | 0; a = (a << 30) | (a >>> 2);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + 0x5a827999 + c + w12) | 0; e = (e << 30) | (e >>> 2);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + 0x5a827999 + b + w13) | 0; d = (d << 30) | (d >>> 2);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + 0x5a827999 + a + w14) | 0; c = (c << 30) | (c >>> 2);
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + 0x5a827999 + e + w15) | 0; b = (b << 30) | (b >>> 2);
  x = w13 ^ w8 ^ w2 ^ w0; w0 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (~a & c)) + 0x5a827999 + d + w0) | 0; a = (a << 30) | (a >>> 2);
  x = w14 ^ w9 ^ w3 ^ w1; w1 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (~e & b)) + 0x5a827999 + c + w1) | 0; e = (e << 30) | (e >>> 2);
  x = w15 ^ w10 ^ w4 ^ w2; w2 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (~d & a)) + 0x5a827999 + b + w2) | 0; d = (d << 30) | (d >>> 2);
  x = w0 ^ w11 ^ w5 ^ w3; w3 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (~c & e)) + 0x5a827999 + a + w3) | 0; c = (c << 30) | (c >>> 2);
  // Rounds 20-39: Parity, K = 0x6ed9eba1.
  x = w1 ^ w12 ^ w6 ^ w4; w4 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + e + w4) | 0; b = (b << 30) | (b >>> 2);
  x = w2 ^ w13 ^ w7 ^ w5; w5 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + d + w5) | 0; a = (a << 30) | (a >>> 2);
  x = w3 ^ w14 ^ w8 ^ w6; w6 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + c + w6) | 0; e = (e << 30) | (e >>> 2);
  x = w4 ^ w15 ^ w9 ^ w7; w7 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + b + w7) | 0; d = (d << 30) | (d >>> 2);
  x = w5 ^ w0 ^ w10 ^ w8; w8 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + a + w8) | 0; c = (c << 30) | (c >>> 2);
  x = w6 ^ w1 ^ w11 ^ w9; w9 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + e + w9) | 0; b = (b << 30) | (b >>> 2);
  x = w7 ^ w2 ^ w12 ^ w10; w10 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + d + w10) | 0; a = (a << 30) | (a >>> 2);
  x = w8 ^ w3 ^ w13 ^ w11; w11 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + c + w11) | 0; e = (e << 30) | (e >>> 2);
  x = w9 ^ w4 ^ w14 ^ w12; w12 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + b + w12) | 0; d = (d << 30) | (d >>> 2);
  x = w10 ^ w5 ^ w15 ^ w13; w13 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + a + w13) | 0; c = (c << 30) | (c >>> 2);
  x = w11 ^ w6 ^ w0 ^ w14; w14 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + e + w14) | 0; b = (b << 30) | (b >>> 2);
  x = w12 ^ w7 ^ w1 ^ w15; w15 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + d + w15) | 0; a = (a << 30) | (a >>> 2);
  x = w13 ^ w8 ^ w2 ^ w0; w0 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + c + w0) | 0; e = (e << 30) | (e >>> 2);
  x = w14 ^ w9 ^ w3 ^ w1; w1 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + b + w1) | 0; d = (d << 30) | (d >>> 2);
  x = w15 ^ w10 ^ w4 ^ w2; w2 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + a + w2) | 0; c = (c << 30) | (c >>> 2);
  x = w0 ^ w11 ^ w5 ^ w3; w3 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + e + w3) | 0; b = (b << 30) | (b >>> 2);
  x = w1 ^ w12 ^ w6 ^ w4; w4 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + d + w4) | 0; a = (a << 30) | (a >>> 2);
  x = w2 ^ w13 ^ w7 ^ w5; w5 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + c + w5) | 0; e = (e << 30) | (e >>> 2);
  x = w3 ^ w14 ^ w8 ^ w6; w6 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + b + w6) | 0; d = (d << 30) | (d >>> 2);
  x = w4 ^ w15 ^ w9 ^ w7; w7 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + a + w7) | 0; c = (c << 30) | (c >>> 2);
  // Rounds 40-59: Maj, K = 0x8f1bbcdc (as int32).
  x = w5 ^ w0 ^ w10 ^ w8; w8 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) - 0x70e44324 + e + w8) | 0; b = (b << 30) | (b >>> 2);
  x = w6 ^ w1 ^ w11 ^ w9; w9 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (a & c) | (b & c)) - 0x70e44324 + d + w9) | 0; a = (a << 30) | (a >>> 2);
  x = w7 ^ w2 ^ w12 ^ w10; w10 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (e & b) | (a & b)) - 0x70e44324 + c + w10) | 0; e = (e << 30) | (e >>> 2);
  x = w8 ^ w3 ^ w13 ^ w11; w11 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (d & a) | (e & a)) - 0x70e44324 + b + w11) | 0; d = (d << 30) | (d >>> 2);
  x = w9 ^ w4 ^ w14 ^ w12; w12 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (c & e) | (d & e)) - 0x70e44324 + a + w12) | 0; c = (c << 30) | (c >>> 2);
  x = w10 ^ w5 ^ w15 ^ w13; w13 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) - 0x70e44324 + e + w13) | 0; b = (b << 30) | (b >>> 2);
  x = w11 ^ w6 ^ w0 ^ w14; w14 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (a & c) | (b & c)) - 0x70e44324 + d + w14) | 0; a = (a << 30) | (a >>> 2);
  x = w12 ^ w7 ^ w1 ^ w15; w15 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (e & b) | (a & b)) - 0x70e44324 + c + w15) | 0; e = (e << 30) | (e >>> 2);
  x = w13 ^ w8 ^ w2 ^ w0; w0 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (d & a) | (e & a)) - 0x70e44324 + b + w0) | 0; d = (d << 30) | (d >>> 2);
  x = w14 ^ w9 ^ w3 ^ w1; w1 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (c & e) | (d & e)) - 0x70e44324 + a + w1) | 0; c = (c << 30) | (c >>> 2);
  x = w15 ^ w10 ^ w4 ^ w2; w2 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) - 0x70e44324 + e + w2) | 0; b = (b << 30) | (b >>> 2);
  x = w0 ^ w11 ^ w5 ^ w3; w3 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (a & c) | (b & c)) - 0x70e44324 + d + w3) | 0; a = (a << 30) | (a >>> 2);
  x = w1 ^ w12 ^ w6 ^ w4; w4 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (e & b) | (a & b)) - 0x70e44324 + c + w4) | 0; e = (e << 30) | (e >>> 2);
  x = w2 ^ w13 ^ w7 ^ w5; w5 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (d & a) | (e & a)) - 0x70e44324 + b + w5) | 0; d = (d << 30) | (d >>> 2);
  x = w3 ^ w14 ^ w8 ^ w6; w6 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (c & e) | (d & e)) - 0x70e44324 + a + w6) | 0; c = (c << 30) | (c >>> 2);
  x = w4 ^ w15 ^ w9 ^ w7; w7 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) - 0x70e44324 + e + w7) | 0; b = (b << 30) | (b >>> 2);
  x = w5 ^ w0 ^ w10 ^ w8; w8 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + ((a & b) | (a & c) | (b & c)) - 0x70e44324 + d + w8) | 0; a = (a << 30) | (a >>> 2);
  x = w6 ^ w1 ^ w11 ^ w9; w9 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + ((e & a) | (e & b) | (a & b)) - 0x70e44324 + c + w9) | 0; e = (e << 30) | (e >>> 2);
  x = w7 ^ w2 ^ w12 ^ w10; w10 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + ((d & e) | (d & a) | (e & a)) - 0x70e44324 + b + w10) | 0; d = (d << 30) | (d >>> 2);
  x = w8 ^ w3 ^ w13 ^ w11; w11 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + ((c & d) | (c & e) | (d & e)) - 0x70e44324 + a + w11) | 0; c = (c << 30) | (c >>> 2);
  // Rounds 60-79: Parity, K = 0xca62c1d6 (as int32).
  x = w9 ^ w4 ^ w14 ^ w12; w12 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) - 0x359d3e2a + e + w12) | 0; b = (b << 30) | (b >>> 2);
  x = w10 ^ w5 ^ w15 ^ w13; w13 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) - 0x359d3e2a + d + w13) | 0; a = (a << 30) | (a >>> 2);
  x = w11 ^ w6 ^ w0 ^ w14; w14 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) - 0x359d3e2a + c + w14) | 0; e = (e << 30) | (e >>> 2);
  x = w12 ^ w7 ^ w1 ^ w15; w15 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) - 0x359d3e2a + b + w15) | 0; d = (d << 30) | (d >>> 2);
  x = w13 ^ w8 ^ w2 ^ w0; w0 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) - 0x359d3e2a + a + w0) | 0; c = (c << 30) | (c >>> 2);
  x = w14 ^ w9 ^ w3 ^ w1; w1 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) - 0x359d3e2a + e + w1) | 0; b = (b << 30) | (b >>> 2);
  x = w15 ^ w10 ^ w4 ^ w2; w2 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) - 0x359d3e2a + d + w2) | 0; a = (a << 30) | (a >>> 2);
  x = w0 ^ w11 ^ w5 ^ w3; w3 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) - 0x359d3e2a + c + w3) | 0; e = (e << 30) | (e >>> 2);
  x = w1 ^ w12 ^ w6 ^ w4; w4 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) - 0x359d3e2a + b + w4) | 0; d = (d << 30) | (d >>> 2);
  x = w2 ^ w13 ^ w7 ^ w5; w5 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) - 0x359d3e2a + a + w5) | 0; c = (c << 30) | (c >>> 2);
  x = w3 ^ w14 ^ w8 ^ w6; w6 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) - 0x359d3e2a + e + w6) | 0; b = (b << 30) | (b >>> 2);
  x = w4 ^ w15 ^ w9 ^ w7; w7 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) - 0x359d3e2a + d + w7) | 0; a = (a << 30) | (a >>> 2);
  x = w5 ^ w0 ^ w10 ^ w8; w8 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) - 0x359d3e2a + c + w8) | 0; e = (e << 30) | (e >>> 2);
  x = w6 ^ w1 ^ w11 ^ w9; w9 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) - 0x359d3e2a + b + w9) | 0; d = (d << 30) | (d >>> 2);
  x = w7 ^ w2 ^ w12 ^ w10; w10 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) - 0x359d3e2a + a + w10) | 0; c = (c << 30) | (c >>> 2);
  x = w8 ^ w3 ^ w13 ^ w11; w11 = (x << 1) | (x >>> 31);
  e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) - 0x359d3e2a + e + w11) | 0; b = (b << 30) | (b >>> 2);
  x = w9 ^ w4 ^ w14 ^ w12; w12 = (x << 1) | (x >>> 31);
  d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) - 0x359d3e2a + d + w12) | 0; a = (a << 30) | (a >>> 2);
  x = w10 ^ w5 ^ w15 ^ w13; w13 = (x << 1) | (x >>> 31);
  c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) - 0x359d3e2a + c + w13) | 0; e = (e << 30) | (e >>> 2);
  x = w11 ^ w6 ^ w0 ^ w14; w14 = (x << 1) | (x >>> 31);
  b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) - 0x359d3e2a + b + w14) | 0; d = (d << 30) | (d >>> 2);
  x = w12 ^ w7 ^ w1 ^ w15; w15 = (x << 1) | (x >>> 31);
  a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) - 0x359d3e2a + a + w15) | 0; c = (c << 30) | (c >>> 2);
  h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0; h[4] = (h[4] + e) | 0;
}

/**
 * Hashes `a[0..aLen)` and then `b` on from state `h`, which has already taken one key block,
 * padding included: `h` ends as the digest's five words.
 */
function finish(h: Int32Array, a: Uint8Array, aLen: number, b: Uint8Array | undefined): void {
  let held = absorb(h, a, aLen, 0);
  if (b !== undefined) held = absorb(h, b, b.length, held);
  pad(h, held, BLOCK + aLen + (b?.length ?? 0));
}

/**
 * Compresses the `held` pending bytes followed by `data[0..len)` a whole block at a time;
 * returns how many bytes are left pending. (Byte loops: under a block, fill/set/subarray cost
 * more in calls than they save.)
 */
function absorb(h: Int32Array, data: Uint8Array, len: number, held: number): number {
  let p = 0;
  if (held > 0) {
    while (held < BLOCK && p < len) pending[held++] = data[p++];
    if (held < BLOCK) return held;
    compress(h, pending, 0);
    held = 0;
  }
  for (; p + BLOCK <= len; p += BLOCK) compress(h, data, p);
  while (p < len) pending[held++] = data[p++];
  return held;
}

/** Pads the `held` pending bytes of a `total`-byte message and compresses the last block(s). */
function pad(h: Int32Array, held: number, total: number): void {
  const end = held + 9 > BLOCK ? 2 * BLOCK : BLOCK;
  pending[held] = 0x80;
  for (let i = held + 1; i < end - 8; i++) pending[i] = 0;
  const bits = total * 8;
  // The 64-bit bit length, big-endian (messages here are far below 2^53 bits).
  const hi = Math.floor(bits / 4294967296);
  pending[end - 8] = hi >>> 24;
  pending[end - 7] = hi >>> 16;
  pending[end - 6] = hi >>> 8;
  pending[end - 5] = hi;
  pending[end - 4] = bits >>> 24;
  pending[end - 3] = bits >>> 16;
  pending[end - 2] = bits >>> 8;
  pending[end - 1] = bits;
  compress(h, pending, 0);
  if (end > BLOCK) compress(h, pending, BLOCK);
}

function writeWords(h: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 5; i++) {
    out[4 * i] = h[i] >>> 24;
    out[4 * i + 1] = h[i] >>> 16;
    out[4 * i + 2] = h[i] >>> 8;
    out[4 * i + 3] = h[i];
  }
}

export const INNER_PAD = 0x36;
export const OUTER_PAD = 0x5c;

/**
 * The block an HMAC's inner (ipad) or outer (opad) hash starts with: the key, hashed first when
 * longer than a block, XOR the pad byte (RFC 2104). Made once per key, so node:crypto's cost
 * for a long key does not matter.
 */
export function keyBlock(key: Uint8Array, padByte: number): Uint8Array {
  const k = key.length > BLOCK ? new Uint8Array(hash("sha1", key, "buffer")) : key;
  const block = new Uint8Array(BLOCK).fill(padByte);
  for (let i = 0; i < k.length; i++) block[i] ^= k[i];
  return block;
}

/** A keyed HMAC-SHA1: the MAC of `content[0..len)` followed by `body`, into `out` (20 bytes). */
export interface KeyedSha1Mac {
  mac(content: Uint8Array, len: number, body: Uint8Array | undefined, out: Uint8Array): void;
}

/**
 * Messages above this are hashed by node:crypto: its per-call cost (~9 µs here) is less than
 * the JS compression's ~2.2 µs per KiB beyond a few KiB.
 */
const NODE_CRYPTO_MIN = 4096;

export class HmacSha1 implements KeyedSha1Mac {
  readonly #key: Uint8Array;
  /** SHA-1 states after the key XOR ipad block, and after the key XOR opad block. */
  readonly #inner = new Int32Array(5);
  readonly #outer = new Int32Array(5);
  readonly #h = new Int32Array(5);
  readonly #innerDigest = new Uint8Array(20);

  constructor(key: Uint8Array) {
    this.#key = key;
    this.#inner.set(IV);
    compress(this.#inner, keyBlock(key, INNER_PAD), 0);
    this.#outer.set(IV);
    compress(this.#outer, keyBlock(key, OUTER_PAD), 0);
  }

  mac(content: Uint8Array, len: number, body: Uint8Array | undefined, out: Uint8Array): void {
    if (len + (body?.length ?? 0) > NODE_CRYPTO_MIN) {
      const m = createHmac("sha1", this.#key).update(content.subarray(0, len));
      out.set(body === undefined ? m.digest() : m.update(body).digest());
      return;
    }
    const h = this.#h;
    h.set(this.#inner);
    finish(h, content, len, body);
    writeWords(h, this.#innerDigest);
    h.set(this.#outer);
    finish(h, this.#innerDigest, 20, undefined);
    writeWords(h, out);
  }
}
