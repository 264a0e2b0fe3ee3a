import assert from "node:assert/strict";
import {
  concatBytes,
  dataView,
  encodeText,
  readInt64,
  writeInt64,
} from "../../src/common/bytes.ts";
import { bytesToHex, hexToBytes } from "../../src/common/hex.ts";
import { maskedCrc32 } from "../../src/common/crc32.ts";

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

test("writeInt64() and readInt64() match DataView's big-endian int64", () => {
  const values = [
    0,
    1,
    -1,
    4096,
    2 ** 32,
    2 ** 32 - 1,
    -(2 ** 32),
    1700000000000,
    2 ** 53 - 1,
    -(2 ** 53 - 1),
  ];
  for (const n of values) {
    const b = new Uint8Array(10);
    writeInt64(dataView(b), 1, n);
    const v = new DataView(b.buffer);
    assert.equal(v.getBigInt64(1), BigInt(n), String(n));
    assert.equal(readInt64(v, 1), n);
    assert.equal(b[0], 0);
    assert.equal(b[9], 0);
  }
});

test("dataView() covers exactly the given subarray", () => {
  const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const v = dataView(whole.subarray(2, 5));
  assert.equal(v.byteLength, 3);
  assert.equal(v.getUint8(0), 3);
});

test("concatBytes() joins in order", () => {
  assert.deepEqual(
    concatBytes([new Uint8Array([1]), new Uint8Array(), new Uint8Array([2, 3])]),
    new Uint8Array([1, 2, 3]),
  );
  assert.deepEqual(concatBytes([]), new Uint8Array());
});

test("bytesToHex() writes uppercase pairs and hexToBytes() reads either case", () => {
  assert.equal(bytesToHex(new Uint8Array([0, 15, 16, 171, 255])), "000F10ABFF");
  assert.deepEqual(hexToBytes("000f10AbFF"), new Uint8Array([0, 15, 16, 171, 255]));
  assert.deepEqual(hexToBytes(""), new Uint8Array());
  for (const bad of ["0", "0g", "zz", "00 "]) {
    assert.throws(() => hexToBytes(bad), SyntaxError, bad);
  }
});

test("maskedCrc32() is zlib's CRC32 with the top bit cleared, as RocketMQ stores it", () => {
  const enc = new TextEncoder();
  // crc32("123456789") is the standard check value 0xCBF43926.
  assert.equal(maskedCrc32(enc.encode("123456789")), 0xcbf43926 & 0x7fffffff);
  assert.equal(maskedCrc32(enc.encode("Hello")), 0xf7d18982 & 0x7fffffff);
  assert.equal(maskedCrc32(new Uint8Array()), 0);
});

Deno.test({
  name: "encodeText() gives TextEncoder's bytes, in the scratch buffer when ASCII",
  permissions: "none",
  fn() {
    const scratch = new Uint8Array(16);
    const ascii = encodeText("TAGS\u0001a\u0002", scratch);
    assert.equal(ascii.buffer, scratch.buffer);
    assert.deepEqual(ascii, new TextEncoder().encode("TAGS\u0001a\u0002"));
    assert.deepEqual(encodeText("ключ", scratch), new TextEncoder().encode("ключ"));
    assert.deepEqual(encodeText("x".repeat(17), scratch), new TextEncoder().encode("x".repeat(17)));
    assert.equal(encodeText("", scratch).length, 0);
  },
});
