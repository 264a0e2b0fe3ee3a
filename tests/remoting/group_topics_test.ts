import assert from "node:assert/strict";
import { dlqTopic, isRetryTopic, retryTopic } from "../../src/remoting/group_topics.ts";

Deno.test(
  { name: "retryTopic() and dlqTopic() name a group's topics", permissions: "none" },
  () => {
    assert.equal(retryTopic("g1"), "%RETRY%g1");
    assert.equal(dlqTopic("g1"), "%DLQ%g1");
    assert.ok(isRetryTopic("%RETRY%g1"));
    assert.ok(!isRetryTopic("TopicTest"));
  },
);
