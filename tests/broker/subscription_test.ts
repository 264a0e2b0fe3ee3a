import assert from "node:assert/strict";
import {
  buildSubscriptionData,
  isTagType,
  normalizeSubscriptionData,
  parseTags,
  SubscriptionCache,
} from "../../src/broker/subscription.ts";

Deno.test("parseTags() splits on || as Java's FilterAPI does", { permissions: "none" }, () => {
  assert.deepEqual(parseTags("*"), []);
  assert.deepEqual(parseTags(""), []);
  assert.deepEqual(parseTags("TagA"), ["TagA"]);
  assert.deepEqual(parseTags(" TagA || TagB ||TagA"), ["TagA", "TagB"]);
  assert.deepEqual(parseTags("TagA||"), ["TagA"]);
  assert.deepEqual(parseTags("||TagA"), ["TagA"]);
  assert.throws(() => parseTags("||"), SyntaxError);
  assert.throws(() => parseTags("||||"), /Cannot parse subscription "\|\|\|\|": no tags/);
});

Deno.test(
  "buildSubscriptionData() computes Java hash codes of the tags",
  { permissions: "none" },
  () => {
    assert.deepEqual(buildSubscriptionData("T", "TagA || TagB", undefined, 7), {
      topic: "T",
      subString: "TagA || TagB",
      tagsSet: ["TagA", "TagB"],
      codeSet: [2598919, 2598920],
      subVersion: 7,
      expressionType: "TAG",
      classFilterMode: false,
    });
    assert.equal(buildSubscriptionData("T", undefined, "", 1).subString, "*");
    const sql = buildSubscriptionData("T", "a > 1", "SQL92", 1);
    assert.equal(sql.expressionType, "SQL92");
    assert.deepEqual(sql.tagsSet, []);
    assert.ok(isTagType(undefined) && isTagType(" ") && isTagType("TAG") && !isTagType("SQL92"));
  },
);

Deno.test("normalizeSubscriptionData() recomputes a client's codes from its tags", {
  permissions: "none",
}, () => {
  // Go hashes UTF-8 bytes; the broker must match Java's UTF-16 String.hashCode.
  const go = { ...buildSubscriptionData("T", "é || TagA", "TAG", 1), codeSet: [1, 2] };
  assert.deepEqual(normalizeSubscriptionData(go).codeSet, [233, 2598919]);
  const noTags = { ...buildSubscriptionData("T", "TagA", "TAG", 1), tagsSet: [] };
  assert.deepEqual(normalizeSubscriptionData(noTags).tagsSet, ["TagA"]);
  const all = { ...buildSubscriptionData("T", "*", "TAG", 1), subString: "" };
  assert.equal(normalizeSubscriptionData(all).subString, "*");
});

Deno.test("SubscriptionCache parses each expression once", { permissions: "none" }, () => {
  const cache = new SubscriptionCache(2);
  const a = cache.get("T", "TagA", undefined);
  assert.equal(cache.get("T", "TagA", "TAG"), a);
  assert.notEqual(cache.get("U", "TagA", undefined), a);
  assert.equal(cache.get("T", "*", undefined).filter, undefined);
  assert.ok(a.filter);
  assert.throws(() => cache.get("T", "||", undefined), SyntaxError);
});
