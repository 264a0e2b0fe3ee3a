import assert from "node:assert/strict";
import {
  buildTagSubscription,
  parseTagExpression,
  tagFilterOf,
} from "../../../src/client/consumer/tag_expression.ts";

Deno.test({
  name: "buildTagSubscription() parses a TAG expression into tags and Java hash codes",
  permissions: "none",
}, () => {
  const s = buildTagSubscription("TopicTest", " TagA || TagB ||TagA|| ", 1700000000000);
  assert.deepEqual(s, {
    topic: "TopicTest",
    subString: "TagA || TagB ||TagA||",
    tagsSet: ["TagA", "TagB"],
    // Java "TagA".hashCode() = 2598919, "TagB".hashCode() = 2598920 (REMOTING.md §3.5).
    codeSet: [2598919, 2598920],
    subVersion: 1700000000000,
    expressionType: "TAG",
    classFilterMode: false,
  });
  // Non-ASCII tags hash over UTF-16 code units, as Java does: "é" is U+00E9 = 233.
  assert.deepEqual(buildTagSubscription("T", "é").codeSet, [233]);
});

Deno.test({
  name: "buildTagSubscription() reads *, blank and absent expressions as every tag",
  permissions: "none",
}, () => {
  for (const e of [undefined, "", "  ", "*", " * "]) {
    const s = buildTagSubscription("T", e, 1);
    assert.equal(s.subString, "*", String(e));
    assert.deepEqual(s.tagsSet, []);
    assert.deepEqual(s.codeSet, []);
  }
});

Deno.test({
  name: "parseTagExpression() rejects an expression that names no tag",
  permissions: "none",
}, () => {
  for (const e of ["||", " || || "]) {
    assert.throws(() => parseTagExpression(e), SyntaxError, e);
  }
  assert.deepEqual(parseTagExpression("A||B"), ["A", "B"]);
});

Deno.test({
  name: "tagFilterOf() keeps exact tags, and nothing to check for *",
  permissions: "none",
}, () => {
  assert.equal(tagFilterOf(buildTagSubscription("T", "*")), undefined);
  const f = tagFilterOf(buildTagSubscription("T", "TagA || TagB"))!;
  assert.ok(f.has("TagA") && f.has("TagB") && !f.has("TagC") && !f.has("taga"));
});
