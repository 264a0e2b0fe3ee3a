import assert from "node:assert/strict";
import {
  isNotAllowedSendTopic,
  SystemTopics,
  validateTopic,
} from "../../src/broker/topic_validator.ts";

Deno.test({
  name: "validateTopic() accepts RocketMQ's topic characters and refuses the rest",
  permissions: "none",
  fn() {
    for (const ok of ["TopicTest", "%RETRY%group_1", "%DLQ%g", "a|b", "a-b_c", "T".repeat(127)]) {
      assert.equal(validateTopic(ok), undefined, ok);
    }
    assert.equal(validateTopic(""), "The specified topic is blank.");
    assert.equal(validateTopic("  "), "The specified topic is blank.");
    assert.equal(
      validateTopic("T".repeat(128)),
      "The specified topic is longer than topic max length 127.",
    );
    assert.equal(
      validateTopic("a b"),
      "The specified topic[a b] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$",
    );
    assert.match(validateTopic("主题") ?? "", /contains illegal characters/);
  },
});

Deno.test({
  name: "SystemTopics has RocketMQ's system topics and the cluster and broker names",
  permissions: "none",
  fn() {
    const s = new SystemTopics("DefaultCluster", "broker-a", "RMQ_SYS_TRACE_TOPIC");
    for (
      const t of [
        "TBW102",
        "SCHEDULE_TOPIC_XXXX",
        "BenchmarkTest",
        "RMQ_SYS_TRANS_HALF_TOPIC",
        "SELF_TEST_TOPIC",
        "OFFSET_MOVED_EVENT",
        "rmq_sys_anything",
        "DefaultCluster",
        "broker-a",
      ]
    ) assert.ok(s.has(t), t);
    assert.ok(!s.has("TopicTest"));
    assert.ok(isNotAllowedSendTopic("SCHEDULE_TOPIC_XXXX"));
    assert.ok(isNotAllowedSendTopic("RMQ_SYS_TRANS_HALF_TOPIC"));
    assert.ok(!isNotAllowedSendTopic("TBW102"));
  },
});
