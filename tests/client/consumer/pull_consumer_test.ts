/**
 * The simple pull consumer against a real name server and broker in process: pulls with tag
 * filtering, offsets, queue queries, long polling, send-back.
 */
import assert from "node:assert/strict";
import { PullConsumer } from "../../../src/client/consumer/pull_consumer.ts";
import { PullStatus } from "../../../src/client/consumer/pull_api.ts";
import { MQClientError } from "../../../src/client/errors.ts";
import { startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { sendMany, startProducer } from "../../helpers/consumers.ts";

const dec = new TextDecoder();

function pullConsumer(cluster: TestCluster, group = "g_pull"): PullConsumer {
  return new PullConsumer({
    namesrvAddr: cluster.namesrvAddr,
    clientIP: "127.0.0.1",
    consumerGroup: group,
    brokerSuspendMaxTimeMillis: 2000,
  });
}

Deno.test("PullConsumer.pull() reads a queue from an offset, filtered by tag", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  const mq = { topic: "PullTopic", brokerName: "broker-a", queueId: 1 };
  for (let i = 0; i < 10; i++) {
    await producer.send(
      { topic: "PullTopic", tags: i % 2 ? "odd" : "even", body: `m${i}` },
      { messageQueue: mq },
    );
  }
  await using c = pullConsumer(cluster);
  await c.start();
  const queues = await c.fetchSubscribeMessageQueues("PullTopic");
  assert.deepEqual(queues.map((q) => q.queueId).sort(), [0, 1]);

  const all = await c.pull(mq, "*", 0, 32);
  assert.equal(all.pullStatus, PullStatus.FOUND);
  assert.equal(all.nextBeginOffset, 10);
  assert.equal(all.minOffset, 0);
  assert.equal(all.maxOffset, 10);
  assert.deepEqual(all.msgFoundList.map((m) => dec.decode(m.body)), [
    "m0",
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m6",
    "m7",
    "m8",
    "m9",
  ]);
  assert.equal(all.msgFoundList[3].getProperty("MAX_OFFSET"), "10");

  // maxNums counts messages returned; the broker scans past the ones the filter drops.
  const odd = await c.pull(mq, "odd", 4, 2);
  assert.deepEqual(odd.msgFoundList.map((m) => m.queueOffset), [5, 7]);
  assert.equal(odd.nextBeginOffset, 8);
  assert.ok(odd.msgFoundList.every((m) => m.tags === "odd"));

  const none = await c.pull(mq, "*", 10, 32);
  assert.equal(none.pullStatus, PullStatus.NO_NEW_MSG);
  assert.equal(none.nextBeginOffset, 10);
  const illegal = await c.pull(mq, "*", 99, 32);
  assert.equal(illegal.pullStatus, PullStatus.OFFSET_ILLEGAL);
  assert.equal(illegal.nextBeginOffset, 10);
  await assert.rejects(() => c.pull(mq, "||", 0, 1), SyntaxError);
  await assert.rejects(() => c.pull(mq, "*", -1, 1), RangeError);
  await assert.rejects(() => c.fetchSubscribeMessageQueues("NoSuchTopic"), MQClientError);
});

Deno.test("PullConsumer offsets: updateConsumeOffset() is persisted at shutdown and read back", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("OffTopic", { queues: 1 });
  await using producer = await startProducer(cluster);
  const before = Date.now();
  await sendMany(producer, 5, (i) => ({ topic: "OffTopic", body: `m${i}` }));
  const mq = { topic: "OffTopic", brokerName: "broker-a", queueId: 0 };
  {
    await using c = pullConsumer(cluster);
    await c.start();
    assert.equal(await c.maxOffset(mq), 5);
    assert.equal(await c.minOffset(mq), 0);
    assert.equal(await c.searchOffset(mq, before - 60_000), 0);
    const t = await c.earliestMsgStoreTime(mq);
    assert.ok(t >= before - 1000 && t <= Date.now(), String(t));
    c.updateConsumeOffset(mq, 3);
    assert.equal(await c.fetchConsumeOffset(mq, false), 3);
  }
  const s = cluster.brokers[0].controller.services;
  assert.equal(s.consumerOffsets.queryOffset("g_pull", "OffTopic", 0), 3);
  await using again = pullConsumer(cluster);
  await again.start();
  assert.equal(await again.fetchConsumeOffset(mq, true), 3);
});

Deno.test("PullConsumer.pullBlockIfNotFound() is answered as soon as a message arrives", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("BlockTopic", { queues: 1 });
  await using producer = await startProducer(cluster);
  await using c = pullConsumer(cluster);
  await c.start();
  const mq = { topic: "BlockTopic", brokerName: "broker-a", queueId: 0 };
  const start = Date.now();
  const pending = c.pullBlockIfNotFound(mq, "*", 0, 32);
  const holds = cluster.brokers[0].controller.services.holds;
  while (holds.size === 0 && Date.now() - start < 2000) await new Promise((r) => setTimeout(r, 5));
  assert.equal(holds.size, 1, "the pull is held on the broker");
  await producer.send({ topic: "BlockTopic", body: "wake" });
  const r = await pending;
  assert.equal(r.pullStatus, PullStatus.FOUND);
  assert.equal(dec.decode(r.msgFoundList[0].body), "wake");
  assert.ok(Date.now() - start < 1500, `took ${Date.now() - start} ms (hold is 2000)`);
});

Deno.test("PullConsumer.sendMessageBack() puts the message into the group's retry topic", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("BackTopic", { queues: 1 });
  await using producer = await startProducer(cluster);
  const sent = await producer.send({ topic: "BackTopic", tags: "T", body: "again" });
  await using c = pullConsumer(cluster, "g_back");
  await c.start();
  const mq = { topic: "BackTopic", brokerName: "broker-a", queueId: 0 };
  const [m] = (await c.pull(mq, "*", 0, 1)).msgFoundList;
  // Level −1: straight to the DLQ, no delay, so the test need not wait for a schedule.
  await c.sendMessageBack(m, -1);
  await cluster.waitForRoute("%DLQ%g_back");
  const [dlq] = await c.fetchSubscribeMessageQueues("%DLQ%g_back");
  const r = await c.pull(dlq, "*", 0, 32);
  assert.equal(r.msgFoundList.length, 1);
  const back = r.msgFoundList[0];
  assert.equal(back.msgId, sent.msgId);
  assert.equal(back.reconsumeTimes, 1);
  assert.equal(back.getProperty("RETRY_TOPIC"), "BackTopic");
  assert.equal(dec.decode(back.body), "again");
  await assert.rejects(
    () => c.sendMessageBack({ ...m, body: m.body } as typeof m, 0),
    /not received by an rmq consumer/,
  );
});

Deno.test("PullConsumer refuses calls before start and after shutdown", async () => {
  const c = new PullConsumer({ namesrvAddr: "127.0.0.1:1", consumerGroup: "g" });
  const mq = { topic: "T", brokerName: "b", queueId: 0 };
  await assert.rejects(() => c.pull(mq, "*", 0, 1), /not started/);
  assert.throws(() => c.updateConsumeOffset(mq, 1), /not started/);
  await c.shutdown();
  await assert.rejects(() => c.start(), /shut down/);
  assert.throws(
    () =>
      new PullConsumer({ namesrvAddr: "127.0.0.1:1", consumerGroup: "g", registerTopics: ["a b"] }),
    TypeError,
  );
});
