import assert from "node:assert/strict";
import {
  SCHEDULE_QUEUE_NUM,
  TopicConfigManager,
  type TopicConfigSettings,
} from "../../src/broker/topic_config_manager.ts";
import { createTopicConfig } from "../../src/remoting/body/topic_config.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const SETTINGS: TopicConfigSettings = {
  brokerClusterName: "DefaultCluster",
  brokerName: "broker-a",
  autoCreateTopicEnable: true,
  defaultTopicQueueNums: 8,
  clusterTopicEnable: true,
  brokerTopicEnable: true,
  traceTopicEnable: false,
  msgTraceTopicName: "RMQ_SYS_TRACE_TOPIC",
};

Deno.test("TopicConfigManager starts with the broker's system topics", async () => {
  await using dir = await tempDir();
  const m = new TopicConfigManager(`${dir.path}/config/topics.json`, SETTINGS);
  const tbw = m.get("TBW102")!;
  assert.deepEqual([tbw.readQueueNums, tbw.writeQueueNums, tbw.perm], [8, 8, 7]);
  assert.equal(m.get("SCHEDULE_TOPIC_XXXX")?.writeQueueNums, SCHEDULE_QUEUE_NUM);
  assert.equal(m.get("DefaultCluster")?.perm, 7);
  assert.deepEqual([m.get("broker-a")?.writeQueueNums, m.get("broker-a")?.perm], [1, 7]);
  for (
    const t of [
      "SELF_TEST_TOPIC",
      "OFFSET_MOVED_EVENT",
      "RMQ_SYS_TRANS_HALF_TOPIC",
      "DefaultCluster_REPLY_TOPIC",
      "BenchmarkTest",
    ]
  ) {
    assert.ok(m.get(t), t);
  }
  assert.equal(m.get("RMQ_SYS_TRACE_TOPIC"), undefined);
  const off = new TopicConfigManager(`${dir.path}/x.json`, {
    ...SETTINGS,
    autoCreateTopicEnable: false,
    brokerTopicEnable: false,
  });
  assert.equal(off.get("TBW102"), undefined);
  assert.equal(off.get("broker-a")?.perm, 1);
});

Deno.test("TopicConfigManager.createTopicInSendMessageMethod() copies TBW102 as RocketMQ does", async () => {
  await using dir = await tempDir();
  const m = new TopicConfigManager(`${dir.path}/config/topics.json`, SETTINGS);
  const changes: string[][] = [];
  m.onChange((t) => changes.push(t));
  const before = m.dataVersion.counter;
  const tc = m.createTopicInSendMessageMethod("NewTopic", "TBW102", 4, 0)!;
  assert.deepEqual([tc.readQueueNums, tc.writeQueueNums, tc.perm], [4, 4, 6]);
  assert.deepEqual(changes, [["NewTopic"]]);
  assert.equal(m.dataVersion.counter, before + 1);
  // The client asks for more queues than TBW102 has: TBW102's count wins.
  assert.equal(m.createTopicInSendMessageMethod("Wide", "TBW102", 100, 0)?.writeQueueNums, 8);
  // A template without INHERIT, or no template at all: no topic.
  m.updateTopicConfig(createTopicConfig("Plain", { perm: 6 }));
  assert.equal(m.createTopicInSendMessageMethod("FromPlain", "Plain", 4, 0), undefined);
  assert.equal(m.createTopicInSendMessageMethod("FromNothing", "Nope", 4, 0), undefined);
  await m.flush();
});

Deno.test("TopicConfigManager refuses auto-creation through TBW102 when autoCreateTopicEnable is off", async () => {
  await using dir = await tempDir();
  const settings = { ...SETTINGS };
  const m = new TopicConfigManager(`${dir.path}/config/topics.json`, settings);
  settings.autoCreateTopicEnable = false; // TBW102 is still there (e.g. from topics.json)
  assert.equal(m.createTopicInSendMessageMethod("NewTopic", "TBW102", 4, 0), undefined);
  assert.equal(m.get("NewTopic"), undefined);
});

Deno.test("TopicConfigManager persists topics.json and loads it back with its DataVersion", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/config/topics.json`;
  const m = new TopicConfigManager(path, SETTINGS);
  m.updateTopicConfig(
    createTopicConfig("Orders", { readQueueNums: 3, writeQueueNums: 2, order: true }),
  );
  m.createTopicInSendMessageBackMethod("%RETRY%g", 1, 6, 0);
  m.deleteTopicConfig("BenchmarkTest");
  await m.flush();
  const text = await Deno.readTextFile(path);
  assert.match(text, /^\{"dataVersion":\{"counter":3,"timestamp":\d+\},"topicConfigTable":\{/);

  const again = new TopicConfigManager(path, SETTINGS);
  await again.load();
  assert.deepEqual(again.get("Orders"), m.get("Orders"));
  assert.equal(again.get("%RETRY%g")?.writeQueueNums, 1);
  // System topics are created at every start, as Java's broker does: a deleted one comes back.
  assert.ok(again.get("BenchmarkTest"));
  assert.deepEqual(again.dataVersion, m.dataVersion);
});

Deno.test("TopicConfigManager.persist() coalesces a burst of changes into few writes", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/config/topics.json`;
  const m = new TopicConfigManager(path, SETTINGS);
  for (let i = 0; i < 50; i++) m.updateTopicConfig(createTopicConfig(`T${i}`));
  await m.flush();
  const again = new TopicConfigManager(path, SETTINGS);
  await again.load();
  assert.ok(again.get("T49"), "the last change is on disk");
  assert.equal(again.dataVersion.counter, 50);
});
