import assert from "node:assert/strict";
import { HotCache } from "../../src/store/hot_cache.ts";

function fill(cache: HotCache, pos: number, size: number, written: number, byte: number) {
  const c = cache.reserve(pos, size, written);
  c.buf.fill(byte, c.len, c.len + size);
  c.len += size;
  return c;
}

Deno.test({
  name: "HotCache keeps contiguous appends in one chunk and starts another after a gap",
  permissions: "none",
  fn() {
    const cache = new HotCache(64, 16);
    const a = fill(cache, 0, 10, 0, 1);
    assert.equal(fill(cache, 10, 6, 0, 2), a);
    const b = fill(cache, 16, 4, 0, 3);
    assert.notEqual(b, a, "full chunk");
    const c = fill(cache, 100, 4, 0, 4);
    assert.equal(c.start, 100);
    const out = new Uint8Array(6);
    assert.equal(cache.copyTo(10, 6, out, 0), true);
    assert.deepEqual(out, new Uint8Array(6).fill(2));
    assert.equal(cache.copyTo(14, 4, out, 0), false, "spans two chunks");
    assert.equal(cache.copyTo(50, 1, out, 0), false);
    assert.equal(cache.find(101), c);
  },
});

Deno.test({
  name: "HotCache recycles written chunks only, and grows past its size for unwritten ones",
  permissions: "none",
  fn() {
    const cache = new HotCache(32, 16);
    const a = fill(cache, 0, 16, 0, 1);
    fill(cache, 16, 16, 0, 2);
    assert.equal(cache.bytes, 32);
    fill(cache, 32, 16, 0, 3);
    assert.equal(cache.bytes, 48, "nothing written yet: no recycling");
    const d = fill(cache, 48, 16, 48, 4);
    assert.equal(d.buf, a.buf, "the oldest written chunk's memory is reused");
    assert.equal(cache.find(0), undefined);
    assert.equal(cache.bytes, 32);
    const big = fill(cache, 64, 40, 64, 5);
    assert.equal(big.buf.length, 40, "a record larger than a chunk gets its own");
    cache.release(104);
    assert.equal(cache.bytes, 0);
  },
});

Deno.test({
  name: "HotCache.truncate() forgets bytes from an offset on",
  permissions: "none",
  fn() {
    const cache = new HotCache(64, 16);
    fill(cache, 0, 16, 0, 1);
    fill(cache, 16, 10, 0, 2);
    cache.truncate(20);
    assert.equal(cache.find(19)!.len, 4);
    assert.equal(cache.find(20), undefined);
    cache.truncate(0);
    assert.equal(cache.bytes, 0);
  },
});
