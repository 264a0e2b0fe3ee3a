import assert from "node:assert/strict";
import {
  messageFilterOf,
  recordTags,
  Sql92MessageFilter,
  TagMessageFilter,
} from "../../../src/broker/filter/message_filter.ts";
import { buildSubscriptionData } from "../../../src/remoting/filter_api.ts";
import { javaStringHashCode } from "../../../src/common/java_hash.ts";
import { encodeMessageRecord } from "../../../src/common/message/message_codec.ts";
import { encodeProperties } from "../../../src/common/message/properties.ts";
import { socketAddressOf } from "../../../src/common/message/socket_address.ts";

function record(props: Record<string, string>, v6 = false) {
  return encodeMessageRecord({
    queueId: 0,
    flag: 0,
    queueOffset: 0,
    physicalOffset: 0,
    sysFlag: 0,
    bornTimestamp: 1,
    bornHost: socketAddressOf(v6 ? "[::1]:4000" : "10.0.0.1:4000"),
    storeTimestamp: 2,
    storeHost: socketAddressOf(v6 ? "[fe80::2]:10911" : "10.0.0.2:10911"),
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: new TextEncoder().encode("body with TAGS\u0001Fake\u0002 in it"),
    topic: "T",
    properties: encodeProperties(props),
  });
}

Deno.test("recordTags() reads TAGS from a stored record with IPv4 or IPv6 hosts", {
  permissions: "none",
}, () => {
  assert.equal(recordTags(record({ KEYS: "k", TAGS: "TagA" })), "TagA");
  assert.equal(recordTags(record({ TAGS: "TagB" }, true)), "TagB");
  assert.equal(recordTags(record({ KEYS: "k" })), undefined);
  assert.equal(recordTags(record({ TAGS: "TagA" }).subarray(0, 60)), undefined);
});

Deno.test("TagMessageFilter matches the hash first and the exact tag after", {
  permissions: "none",
}, () => {
  assert.equal(javaStringHashCode("Aa"), javaStringHashCode("BB"));
  const f = messageFilterOf(buildSubscriptionData("T", "Aa || TagA", "TAG"))!;
  assert.ok(f instanceof TagMessageFilter);
  assert.ok(f.isMatchedByConsumeQueue(javaStringHashCode("BB")), "a collision passes the queue");
  assert.ok(!f.isMatchedByCommitLog!(record({ TAGS: "BB" })), "and fails on the record");
  assert.ok(f.isMatchedByCommitLog!(record({ TAGS: "Aa" })));
  assert.ok(!f.isMatchedByConsumeQueue(0), "no tag");
  // The consume-queue field is 8 bytes; Java compares its int value.
  assert.ok(f.isMatchedByConsumeQueue(javaStringHashCode("TagA") + 2 ** 32));
  assert.equal(messageFilterOf(buildSubscriptionData("T", "*", "TAG")), undefined);
  assert.ok(
    messageFilterOf(buildSubscriptionData("T", "a = 1", "SQL92")) instanceof Sql92MessageFilter,
  );
  assert.throws(() => messageFilterOf(buildSubscriptionData("T", "a =", "SQL92")), SyntaxError);
});
