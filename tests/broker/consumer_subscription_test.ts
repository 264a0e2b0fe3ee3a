import assert from "node:assert/strict";
import {
  normalizeSubscriptionData,
  SubscriptionCache,
} from "../../src/broker/consumer_subscription.ts";
import { buildSubscriptionData } from "../../src/remoting/filter_api.ts";

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
