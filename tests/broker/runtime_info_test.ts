import assert from "node:assert/strict";
import { formatRuntime, humanReadableBytes, javaDouble } from "../../src/broker/runtime_info.ts";

Deno.test("javaDouble() writes numbers as Java's Double.toString does", {
  permissions: "none",
}, () => {
  assert.equal(javaDouble(0), "0.0");
  assert.equal(javaDouble(12), "12.0");
  assert.equal(javaDouble(0.5), "0.5");
  assert.equal(javaDouble(1234.5678), "1234.5678");
  assert.equal(javaDouble(1e7), "1.0E7");
  assert.equal(javaDouble(0.0001), "1.0E-4");
  assert.equal(javaDouble(NaN), "NaN");
});

Deno.test("humanReadableBytes() matches MixAll.humanReadableByteCount(bytes, false)", {
  permissions: "none",
}, () => {
  assert.equal(humanReadableBytes(0), "0 B");
  assert.equal(humanReadableBytes(1023), "1023 B");
  assert.equal(humanReadableBytes(1536), "1.5 KiB");
  assert.equal(humanReadableBytes(2 * 1024 ** 3), "2.0 GiB");
});

Deno.test("formatRuntime() writes the uptime as the Java broker does", {
  permissions: "none",
}, () => {
  assert.equal(formatRuntime(0), "[ 0 days, 0 hours, 0 minutes, 0 seconds ]");
  const ms = ((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000 + 999;
  assert.equal(formatRuntime(ms), "[ 2 days, 3 hours, 4 minutes, 5 seconds ]");
});
