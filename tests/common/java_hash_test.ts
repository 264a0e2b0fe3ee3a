import assert from "node:assert/strict";
import { javaStringHashCode } from "../../src/common/java_hash.ts";

Deno.test({
  name: "javaStringHashCode() matches Java's String.hashCode()",
  permissions: "none",
  fn() {
    // "hello", "Hello World", "polygenelubricants" (= Integer.MIN_VALUE) are well-known JVM
    // results; the rest were computed apart from this code, over UTF-16 code units.
    const vectors: [string, number][] = [
      ["", 0],
      ["a", 97],
      ["TagA", 2598919],
      ["hello", 99162322],
      ["Hello World", -862545276],
      ["DefaultCluster", 1874216089],
      ["TopicTest#k1", 2746024],
      ["polygenelubricants", -2147483648],
      ["\u4e2d\u6587", 646394],
      ["\u{1f600}", 1772899], // a surrogate pair hashes as two UTF-16 code units
    ];
    for (const [s, h] of vectors) assert.equal(javaStringHashCode(s), h, JSON.stringify(s));
  },
});

Deno.test({
  name: "javaStringHashCode() collides where Java does and stays an int32",
  permissions: "none",
  fn() {
    assert.equal(javaStringHashCode("Aa"), javaStringHashCode("BB"));
    assert.equal(javaStringHashCode("AaAa"), javaStringHashCode("BBBB"));
    const long = "x".repeat(10_000);
    const h = javaStringHashCode(long);
    assert.equal(h, h | 0);
  },
});
