import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { HmacSha1, type KeyedSha1Mac } from "../../src/acl/hmac_sha1.ts";
import { openSslSha1 } from "../../src/acl/openssl_sha1.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

function keys(): Uint8Array[] {
  const long = new Uint8Array(100);
  crypto.getRandomValues(long); // Longer than a block: hashed first.
  return [new Uint8Array(0), new Uint8Array(12).fill(7), new Uint8Array(64).fill(1), long];
}

/** Every length 0–300 whole, and split in two at several points, against node:crypto. */
function checkAgainstNode(make: (key: Uint8Array) => KeyedSha1Mac): void {
  const out = new Uint8Array(20);
  for (const key of keys()) {
    const mac = make(key);
    for (let len = 0; len <= 300; len++) {
      const data = new Uint8Array(len + 5);
      crypto.getRandomValues(data);
      const want = new Uint8Array(createHmac("sha1", key).update(data.subarray(0, len)).digest());
      mac.mac(data, len, undefined, out);
      assert.deepEqual(out, want, `key ${key.length} bytes, message ${len}`);
      for (const cut of [0, 1, len >> 1, len - 1, 63, 64, 65, 128]) {
        if (cut < 0 || cut > len) continue;
        mac.mac(data, cut, data.slice(cut, len), out);
        assert.deepEqual(out, want, `key ${key.length} bytes, message ${len} cut at ${cut}`);
      }
    }
  }
}

Deno.test("HmacSha1 equals node:crypto's HMAC-SHA1 for every length around the block edges", () => {
  checkAgainstNode((key) => new HmacSha1(key));
});

Deno.test("HmacSha1 on large messages (node:crypto's path) and RFC 2202's test case 2", () => {
  const out = new Uint8Array(20);
  const big = new Uint8Array(1 << 20);
  crypto.getRandomValues(big.subarray(0, 65536));
  const mac = new HmacSha1(new TextEncoder().encode("k"));
  mac.mac(big, big.length, undefined, out);
  assert.deepEqual(out, new Uint8Array(createHmac("sha1", "k").update(big).digest()));
  mac.mac(big, 100, big.subarray(100), out);
  assert.deepEqual(out, new Uint8Array(createHmac("sha1", "k").update(big).digest()));
  new HmacSha1(new TextEncoder().encode("Jefe")).mac(
    new TextEncoder().encode("what do ya want for nothing?"),
    28,
    undefined,
    out,
  );
  assert.equal(hex(out), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
});

Deno.test("OpenSSL's SHA-1, where this host has it, equals node:crypto's HMAC-SHA1", () => {
  const sha = openSslSha1();
  if (!sha) {
    console.log(
      "skipped: OpenSSL cannot be loaded here (not Linux, no FFI permission, or no libcrypto)",
    );
    return;
  }
  checkAgainstNode((key) => sha.keyed(key));
  const out = new Uint8Array(20);
  const big = new Uint8Array(3 << 20);
  crypto.getRandomValues(big.subarray(0, 65536));
  sha.keyed(new TextEncoder().encode("k")).mac(big, 1000, big.subarray(1000), out);
  assert.deepEqual(out, new Uint8Array(createHmac("sha1", "k").update(big).digest()));
});
