import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { HmacSha1 } from "../../src/acl/hmac_sha1.ts";

Deno.test("HmacSha1 equals node:crypto's HMAC-SHA1 for every length around the block edges", () => {
  const out = new Uint8Array(20);
  const keys = [new Uint8Array(0), new Uint8Array(12).fill(7), new Uint8Array(64).fill(1)];
  const long = new Uint8Array(100);
  crypto.getRandomValues(long);
  keys.push(long); // Longer than a block: hashed first.
  for (const key of keys) {
    const mac = new HmacSha1(key);
    for (let len = 0; len <= 300; len++) {
      const data = new Uint8Array(len + 5);
      crypto.getRandomValues(data);
      mac.mac(data, len, out);
      const want = createHmac("sha1", key).update(data.subarray(0, len)).digest();
      assert.deepEqual(out, new Uint8Array(want), `key ${key.length} bytes, message ${len}`);
    }
  }
});

Deno.test("HmacSha1 on a large message and RFC 2202's test case 2", () => {
  const out = new Uint8Array(20);
  const big = new Uint8Array(1 << 20);
  crypto.getRandomValues(big.subarray(0, 65536));
  new HmacSha1(new TextEncoder().encode("k")).mac(big, big.length, out);
  assert.deepEqual(out, new Uint8Array(createHmac("sha1", "k").update(big).digest()));
  new HmacSha1(new TextEncoder().encode("Jefe")).mac(
    new TextEncoder().encode("what do ya want for nothing?"),
    28,
    out,
  );
  assert.equal(
    [...out].map((b) => b.toString(16).padStart(2, "0")).join(""),
    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
  );
});
