import assert from "node:assert/strict";
import {
  buildSubscriptionData,
  isTagType,
  parseTags,
  splitTags,
} from "../../src/remoting/filter_api.ts";

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
  "splitTags() is undefined only where Java's split finds no part",
  { permissions: "none" },
  () => {
    assert.equal(splitTags("||"), undefined);
    assert.deepEqual(splitTags(" || "), []);
    assert.deepEqual(splitTags("TagA"), ["TagA"]);
  },
);

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
