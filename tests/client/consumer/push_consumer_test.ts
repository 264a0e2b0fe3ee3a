/**
 * The push consumer against a real name server and broker(s) in process
 * (tests/helpers/cluster.ts): what it delivers, where a group resumes, how a group splits
 * queues, retries, DLQ, delay levels, long polling, broadcasting, offsets reset by an admin.
 */
import assert from "node:assert/strict";
import {
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  MessageModel,
} from "../../../src/client/consumer/consumer_types.ts";
import {
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
} from "../../../src/client/consumer/consumer_running_info.ts";
import { PushConsumer } from "../../../src/client/consumer/push_consumer.ts";
import { decodeOffsetMsgId } from "../../../src/common/message/message_id.ts";
import { PullConsumer } from "../../../src/client/consumer/pull_consumer.ts";
import { encodeHeader } from "../../../src/remoting/header_codec.ts";
import {
  ConsumeMessageDirectlyResultRequestHeader,
  GetConsumerRunningInfoRequestHeader,
  ResetOffsetRequestHeader,
} from "../../../src/remoting/headers.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { type ClusterBroker, startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { sendMany, startProducer, startPushConsumer, waitUntil } from "../../helpers/consumers.ts";
import { tempDir } from "../../helpers/temp_dir.ts";

/** Delay levels short enough for tests (the broker accepts `ms`, rmq only). */
const SHORT_DELAY_LEVELS = "100ms 200ms 50ms 50ms 50ms 50ms 50ms 50ms";

function services(broker: ClusterBroker) {
  return broker.controller.services;
}

/** The group's committed offsets on a broker, per queue of a topic. */
function committed(broker: ClusterBroker, group: string, topic: string, queues: number): number[] {
  const s = services(broker);
  return Array.from(
    { length: queues },
    (_, q) => s.consumerOffsets.queryOffset(group, topic, q),
  );
}

Deno.test("PushConsumer receives exactly the 1000 messages produced, filtered by tag", async () => {
  await using cluster = await startCluster({ brokers: 2 });
  await cluster.createTopic("TopicTest", { queues: 4 });
  await using producer = await startProducer(cluster);
  await using all = await startPushConsumer(cluster, { consumerGroup: "g_all" }, [
    ["TopicTest", "*"],
  ]);
  await using ab = await startPushConsumer(cluster, { consumerGroup: "g_ab" }, [
    ["TopicTest", "TagA || TagB"],
  ]);
  const tags = ["TagA", "TagB", "TagC"];
  const results = await sendMany(producer, 1000, (i) => ({
    topic: "TopicTest",
    tags: tags[i % 3],
    keys: [`k${i}`],
    body: `m${i}`,
  }));
  const wantAb = results.map((_, i) => `m${i}`).filter((_, i) => i % 3 !== 2);
  await all.received.waitForCount(1000, 10_000);
  await ab.received.waitForCount(wantAb.length, 10_000);
  // Nothing more arrives: give stray duplicates a moment to show up.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(all.received.count, 1000);
  assert.deepEqual(
    all.received.bodies().sort(),
    results.map((_, i) => `m${i}`).sort(),
  );
  assert.equal(ab.received.count, wantAb.length);
  assert.deepEqual(ab.received.bodies().sort(), wantAb.sort());
  const byId = new Map(results.map((r, i) => [r.msgId, i]));
  for (const d of all.received.list) {
    const i = byId.get(d.msgId);
    assert.ok(i !== undefined, `unknown msgId ${d.msgId}`);
    assert.equal(d.body, `m${i}`);
    assert.equal(d.tags, tags[i % 3]);
    assert.equal(d.topic, "TopicTest");
    assert.equal(d.properties.KEYS, `k${i}`);
    assert.equal(d.reconsumeTimes, 0);
    assert.equal(d.message.offsetMsgId, results[i].offsetMsgId);
    assert.equal(d.queueId, results[i].messageQueue.queueId);
    assert.equal(d.brokerName, results[i].messageQueue.brokerName);
    assert.equal(d.queueOffset, results[i].queueOffset);
  }
  // Both brokers served messages.
  assert.equal(new Set(all.received.list.map((d) => d.brokerName)).size, 2);
});

Deno.test("PushConsumer drops messages whose tag only shares the subscribed tag's hash", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("HashTopic", { queues: 1 });
  await using producer = await startProducer(cluster);
  // Java "Aa".hashCode() === "BB".hashCode() === 2112: the broker's filter passes both.
  await using c = await startPushConsumer(cluster, { consumerGroup: "g_hash" }, [
    ["HashTopic", "Aa"],
  ]);
  await producer.send({ topic: "HashTopic", tags: "BB", body: "bb" });
  await producer.send({ topic: "HashTopic", tags: "Aa", body: "aa" });
  await c.received.waitForCount(1);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(c.received.bodies(), ["aa"]);
  // The filtered message still counts as consumed: the offset moves past both.
  await c.consumer.persistConsumerOffset();
  assert.deepEqual(committed(cluster.brokers[0], "g_hash", "HashTopic", 1), [2]);
});

Deno.test("PushConsumer delivers each queue in order, one batch at a time, queues concurrently", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("OrderTopic", { queues: 4 });
  await using producer = await startProducer(cluster);
  let active = 0;
  let maxActive = 0;
  const activeByQueue = new Map<number, number>();
  await using c = await startPushConsumer(
    cluster,
    { consumerGroup: "g_order", consumeMessageBatchMaxSize: 4 },
    [["OrderTopic", "*"]],
    async (d) => {
      const q = d.queueId;
      activeByQueue.set(q, (activeByQueue.get(q) ?? 0) + 1);
      active++;
      maxActive = Math.max(maxActive, active);
      assert.equal(activeByQueue.get(q), 1, "two calls for one queue overlap");
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      active--;
      activeByQueue.set(q, activeByQueue.get(q)! - 1);
    },
  );
  await sendMany(producer, 200, (i) => ({ topic: "OrderTopic", body: `m${i}` }));
  await c.received.waitForCount(200, 10_000);
  for (let q = 0; q < 4; q++) {
    const offsets = c.received.list.filter((d) => d.queueId === q).map((d) => d.queueOffset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `queue ${q} out of order`);
    assert.equal(new Set(offsets).size, offsets.length);
  }
  assert.ok(maxActive > 1, `listener calls of different queues never overlapped (${maxActive})`);
});

Deno.test("PushConsumer hands the listener batches of at most consumeMessageBatchMaxSize from one queue", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("BatchTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 100, (i) => ({ topic: "BatchTopic", body: `m${i}` }));
  const batches: { size: number; queues: Set<number> }[] = [];
  const c = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    clientIP: "127.0.0.1",
    consumerGroup: "g_batch",
    consumeMessageBatchMaxSize: 10,
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
  });
  c.subscribe("BatchTopic");
  c.registerMessageListener((msgs, ctx) => {
    batches.push({ size: msgs.length, queues: new Set(msgs.map((m) => m.queueId)) });
    for (const m of msgs) assert.equal(m.queueId, ctx.messageQueue.queueId);
  });
  await using _ = c;
  await c.start();
  await waitUntil("100 messages", () => batches.reduce((n, b) => n + b.size, 0) >= 100);
  assert.ok(batches.every((b) => b.size <= 10 && b.queues.size === 1));
  assert.ok(batches.some((b) => b.size > 1), "no batch had more than one message");
});

Deno.test("PushConsumer group resumes where it stopped after a consumer restart", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("ResumeTopic", { queues: 4 });
  await using producer = await startProducer(cluster);
  // FIRST_OFFSET would re-read everything if the committed offsets were not used.
  const options = {
    consumerGroup: "g_resume",
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
  };
  await sendMany(producer, 50, (i) => ({ topic: "ResumeTopic", body: `a${i}` }));
  {
    await using c1 = await startPushConsumer(cluster, options, [["ResumeTopic", "*"]]);
    await c1.received.waitForCount(50);
  }
  // Shutdown committed every consumed offset.
  assert.deepEqual(
    committed(cluster.brokers[0], "g_resume", "ResumeTopic", 4).reduce((a, b) => a + b),
    50,
  );
  await sendMany(producer, 50, (i) => ({ topic: "ResumeTopic", body: `b${i}` }));
  await using c2 = await startPushConsumer(cluster, options, [["ResumeTopic", "*"]]);
  await c2.received.waitForCount(50);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(
    c2.received.bodies().sort(),
    Array.from({ length: 50 }, (_, i) => `b${i}`).sort(),
  );
});

Deno.test("PushConsumer group resumes where it stopped after a broker restart", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("RestartTopic", { queues: 4 });
  const broker = cluster.brokers[0];
  const options = {
    consumerGroup: "g_restart",
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
  };
  {
    await using producer = await startProducer(cluster);
    await sendMany(producer, 40, (i) => ({ topic: "RestartTopic", body: `a${i}` }));
  }
  {
    await using c = await startPushConsumer(cluster, options, [["RestartTopic", "*"]]);
    await c.received.waitForCount(40);
    // The consumer keeps running while the broker restarts, and picks up new messages.
    await broker.restart();
    await cluster.waitForRoute("RestartTopic");
    await using producer = await startProducer(cluster);
    await sendMany(producer, 20, (i) => ({ topic: "RestartTopic", body: `b${i}` }));
    await c.received.waitForCount(60, 10_000);
    assert.deepEqual(
      c.received.bodies().slice(40).sort(),
      Array.from({ length: 20 }, (_, i) => `b${i}`).sort(),
    );
  }
  // Stored offsets survive a second restart; a new consumer continues after them.
  await broker.restart();
  await cluster.waitForRoute("RestartTopic");
  assert.equal(committed(broker, "g_restart", "RestartTopic", 4).reduce((a, b) => a + b), 60);
  {
    await using producer = await startProducer(cluster);
    await sendMany(producer, 10, (i) => ({ topic: "RestartTopic", body: `c${i}` }));
  }
  await using c2 = await startPushConsumer(cluster, options, [["RestartTopic", "*"]]);
  await c2.received.waitForCount(10);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(
    c2.received.bodies().sort(),
    Array.from({ length: 10 }, (_, i) => `c${i}`).sort(),
  );
});

Deno.test("PushConsumer: two consumers of a group split the queues and together get everything", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("SplitTopic", { queues: 8 });
  await using producer = await startProducer(cluster);
  const options = { consumerGroup: "g_split" };
  await using c1 = await startPushConsumer(cluster, options, [["SplitTopic", "*"]]);
  await using c2 = await startPushConsumer(cluster, options, [["SplitTopic", "*"]]);
  const mine = (c: PushConsumer) =>
    c.assignedMessageQueues().filter((q) => q.topic === "SplitTopic").map((q) => q.queueId);
  // The second consumer's heartbeat makes the broker tell the first to rebalance.
  await waitUntil(
    () => `a 4/4 split (have ${mine(c1.consumer)} and ${mine(c2.consumer)})`,
    () => mine(c1.consumer).length === 4 && mine(c2.consumer).length === 4,
  );
  assert.deepEqual(
    [...mine(c1.consumer), ...mine(c2.consumer)].sort(),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  await sendMany(producer, 200, (i) => ({ topic: "SplitTopic", body: `m${i}` }));
  await waitUntil(
    () => `200 messages (have ${c1.received.count} + ${c2.received.count})`,
    () => c1.received.count + c2.received.count >= 200,
  );
  assert.ok(c1.received.count > 0 && c2.received.count > 0);
  assert.deepEqual(
    [...c1.received.bodies(), ...c2.received.bodies()].sort(),
    Array.from({ length: 200 }, (_, i) => `m${i}`).sort(),
  );
  for (const d of c1.received.list) assert.ok(mine(c1.consumer).includes(d.queueId));
  // When one leaves, the other takes every queue.
  await c2.consumer.shutdown();
  await waitUntil("c1 to own all 8 queues", () => mine(c1.consumer).length === 8);
});

Deno.test("PushConsumer: a failing message comes back through the retry topic, then goes to the DLQ", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: SHORT_DELAY_LEVELS } });
  await cluster.createTopic("RetryTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  await using c = await startPushConsumer(
    cluster,
    { consumerGroup: "g_retry", maxReconsumeTimes: 2 },
    [["RetryTopic", "*"]],
    (d) => d.body === "bad" ? ConsumeConcurrentlyStatus.RECONSUME_LATER : undefined,
  );
  const bad = await producer.send({ topic: "RetryTopic", tags: "T", keys: "kb", body: "bad" });
  await producer.send({ topic: "RetryTopic", body: "good" });
  // 1 delivery + 2 redeliveries, then the broker parks it in %DLQ%g_retry.
  await waitUntil(
    () => `3 deliveries of the bad message (have ${c.received.bodies()})`,
    () => c.received.list.filter((d) => d.body === "bad").length >= 3,
    10_000,
  );
  const deliveries = c.received.list.filter((d) => d.body === "bad");
  assert.deepEqual(deliveries.map((d) => d.reconsumeTimes), [0, 1, 2]);
  for (const d of deliveries) {
    // Redeliveries come from %RETRY%g_retry with the original topic, id, tag and keys.
    assert.equal(d.topic, "RetryTopic");
    assert.equal(d.msgId, bad.msgId);
    assert.equal(d.tags, "T");
    assert.equal(d.properties.KEYS, "kb");
  }
  assert.equal(deliveries[0].brokerName, "broker-a");
  assert.equal(deliveries[1].properties.RETRY_TOPIC, "RetryTopic");
  assert.equal(deliveries[1].properties.ORIGIN_MESSAGE_ID, bad.offsetMsgId);
  assert.equal(c.received.list.filter((d) => d.body === "good").length, 1);

  await using pull = new PullConsumer({
    namesrvAddr: cluster.namesrvAddr,
    clientIP: "127.0.0.1",
    consumerGroup: "g_dlq_reader",
  });
  await pull.start();
  // The broker created %DLQ%g_retry (1 queue) with the third send-back.
  await cluster.waitForRoute("%DLQ%g_retry");
  const [mq] = await pull.fetchSubscribeMessageQueues("%DLQ%g_retry");
  const r = await pull.pull(mq, "*", 0, 32);
  assert.deepEqual(
    r.msgFoundList.map((m) => `${m.msgId} ${m.reconsumeTimes} ${new TextDecoder().decode(m.body)}`),
    [`${bad.msgId} 3 bad`],
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.received.list.filter((d) => d.body === "bad").length, 3, "delivered after DLQ");
});

Deno.test("PushConsumer delivers delay-level messages no earlier than their level", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: "300ms 600ms 50ms" } });
  await cluster.createTopic("DelayTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  await using c = await startPushConsumer(cluster, { consumerGroup: "g_delay" }, [
    ["DelayTopic", "*"],
  ]);
  const sentAt = Date.now();
  await producer.send({ topic: "DelayTopic", body: "level2", delayTimeLevel: 2 });
  await producer.send({ topic: "DelayTopic", body: "level1", delayTimeLevel: 1 });
  await producer.send({ topic: "DelayTopic", body: "now" });
  await c.received.waitForCount(3, 5000);
  const at = new Map(c.received.list.map((d) => [d.body, d.at - sentAt]));
  assert.deepEqual(c.received.bodies(), ["now", "level1", "level2"]);
  assert.ok(at.get("level1")! >= 300, `level 1 after ${at.get("level1")} ms`);
  assert.ok(at.get("level2")! >= 600, `level 2 after ${at.get("level2")} ms`);
  const level2 = c.received.list.find((d) => d.body === "level2")!;
  assert.equal(level2.topic, "DelayTopic");
  assert.equal(level2.properties.REAL_TOPIC, "DelayTopic");
  assert.equal(level2.properties.DELAY, undefined);
});

Deno.test("PushConsumer gets a message produced while its pull is held without waiting for the hold", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("HoldTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  await producer.send({ topic: "HoldTopic", body: "warm-up" });
  await using c = await startPushConsumer(cluster, { consumerGroup: "g_hold" }, [
    ["HoldTopic", "*"],
  ]);
  await c.received.waitForCount(1);
  const holds = services(cluster.brokers[0]).holds;
  // Both HoldTopic queues and the retry queue are parked on the broker.
  await waitUntil(() => `3 held pulls (have ${holds.size})`, () => holds.size >= 3);
  const sent = Date.now();
  await producer.send({ topic: "HoldTopic", body: "while-held" });
  await c.received.waitForCount(2, 3000);
  const latency = c.received.list[1].at - sent;
  // The hold lasts 15 s; delivery must come from the wake-up, not the timeout.
  assert.ok(latency < 1000, `delivered after ${latency} ms`);
  assert.equal(c.received.list[1].body, "while-held");
});

Deno.test("PushConsumer starts a new group where consumeFromWhere says when no offset is stored", async () => {
  // Ratio 0: nothing counts as in memory, so the broker answers "no offset" (22) and the
  // client's consumeFromWhere decides (REMOTING.md §8.7).
  await using cluster = await startCluster({ broker: { accessMessageInMemoryMaxRatio: 0 } });
  await cluster.createTopic("FromTopic", { queues: 1 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 5, (i) => ({ topic: "FromTopic", body: `old${i}` }));
  await new Promise((r) => setTimeout(r, 20));
  const middle = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  await sendMany(producer, 5, (i) => ({ topic: "FromTopic", body: `mid${i}` }));

  await using last = await startPushConsumer(cluster, { consumerGroup: "g_last" }, [
    ["FromTopic", "*"],
  ]);
  await using first = await startPushConsumer(cluster, {
    consumerGroup: "g_first",
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
  }, [["FromTopic", "*"]]);
  await using fromTime = await startPushConsumer(cluster, {
    consumerGroup: "g_time",
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_TIMESTAMP,
    consumeTimestamp: middle,
  }, [["FromTopic", "*"]]);
  await first.received.waitForCount(10);
  await fromTime.received.waitForCount(5);
  await producer.send({ topic: "FromTopic", body: "new" });
  await last.received.waitForCount(1);
  await first.received.waitForCount(11);
  await waitUntil("new at the TIMESTAMP group", () => fromTime.received.bodies().includes("new"));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(last.received.bodies(), ["new"]);
  assert.deepEqual(first.received.bodies().slice(0, 5), ["old0", "old1", "old2", "old3", "old4"]);
  // SEARCH_OFFSET_BY_TIMESTAMP answers the message stored nearest the time (§3.4), which is
  // the last old one when it lies nearer to `middle` than the first mid one.
  const fromTimeBodies = fromTime.received.bodies();
  if (fromTimeBodies[0] === "old4") fromTimeBodies.shift();
  assert.deepEqual(fromTimeBodies, ["mid0", "mid1", "mid2", "mid3", "mid4", "new"]);
});

Deno.test("PushConsumer broadcasting: every consumer gets every message; offsets kept locally", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("BcastTopic", { queues: 4 });
  await using dir = await tempDir();
  await using producer = await startProducer(cluster);
  const options = (instanceName: string) => ({
    consumerGroup: "g_bcast",
    messageModel: MessageModel.BROADCASTING,
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
    localOffsetStoreDir: dir.path,
    instanceName,
  });
  const want = Array.from({ length: 40 }, (_, i) => `m${i}`).sort();
  {
    await using a = await startPushConsumer(cluster, options("a"), [["BcastTopic", "*"]]);
    await using b = await startPushConsumer(cluster, options("b"), [["BcastTopic", "*"]]);
    await sendMany(producer, 40, (i) => ({ topic: "BcastTopic", body: `m${i}` }));
    await a.received.waitForCount(40);
    await b.received.waitForCount(40);
    assert.deepEqual(a.received.bodies().sort(), want);
    assert.deepEqual(b.received.bodies().sort(), want);
    // Broadcasting consumers read every queue and no retry topic.
    assert.equal(a.consumer.assignedMessageQueues().length, 4);
  }
  // Nothing on the broker: offsets are in <dir>/<clientId>/<group>/offsets.json.
  assert.deepEqual(committed(cluster.brokers[0], "g_bcast", "BcastTopic", 4), [-1, -1, -1, -1]);
  const file = await Deno.readTextFile(`${dir.path}/127.0.0.1@a/g_bcast/offsets.json`);
  assert.match(
    file,
    /^\{"offsetTable":\{\{"brokerName":"broker-a","queueId":0,"topic":"BcastTopic"\}:\d+,/,
  );
  await sendMany(producer, 5, (i) => ({ topic: "BcastTopic", body: `n${i}` }));
  await using again = await startPushConsumer(cluster, options("a"), [["BcastTopic", "*"]]);
  await again.received.waitForCount(5);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(again.received.bodies().sort(), ["n0", "n1", "n2", "n3", "n4"]);
});

Deno.test("PushConsumer keeps pulling past flow control when consumption makes room", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("FlowTopic", { queues: 1 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 300, (i) => ({ topic: "FlowTopic", body: `m${i}` }));
  let maxCached = 0;
  const c = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    clientIP: "127.0.0.1",
    consumerGroup: "g_flow",
    pullThresholdForQueue: 5,
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
  });
  await using _ = c;
  c.subscribe("FlowTopic");
  let n = 0;
  c.registerMessageListener(async () => {
    await new Promise((r) => setTimeout(r, 0));
    n++;
  });
  await c.start();
  await waitUntil(() => `300 messages (have ${n})`, () => n >= 300, 10_000);
  const info = await runningInfo(cluster, "g_flow");
  maxCached = Math.max(...info.mqTable.map(([, pq]) => pq.cachedMsgCount));
  assert.ok(maxCached <= 5 + 32, `cached ${maxCached}`);
  assert.equal(n, 300);
});

/** GET_CONSUMER_RUNNING_INFO sent by the broker over the consumer's own connection. */
async function runningInfo(cluster: TestCluster, group: string) {
  const info = [...services(cluster.brokers[0]).consumers.get(group)!.channelInfoTable.values()][0];
  const res = await info.channel.invoke(
    createRequest(
      RequestCode.GET_CONSUMER_RUNNING_INFO,
      encodeHeader(GetConsumerRunningInfoRequestHeader, {
        consumerGroup: group,
        clientId: info.clientId,
        jstackEnable: false,
      }),
    ),
    3000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  return decodeConsumerRunningInfo(res.body!);
}

Deno.test("PushConsumer answers GET_CONSUMER_RUNNING_INFO and CONSUME_MESSAGE_DIRECTLY", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("AdminTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  await using c = await startPushConsumer(
    cluster,
    { consumerGroup: "g_admin" },
    [["AdminTopic", "TagA"]],
    (d) => d.body === "refuse" ? ConsumeConcurrentlyStatus.RECONSUME_LATER : undefined,
  );
  const r = await producer.send({ topic: "AdminTopic", tags: "TagA", body: "hello" });
  await c.received.waitForCount(1);
  const info = await runningInfo(cluster, "g_admin");
  assert.equal(info.properties.PROP_CONSUME_TYPE, "CONSUME_PASSIVELY");
  assert.equal(info.properties.PROP_CONSUMEORDERLY, "false");
  assert.deepEqual(info.subscriptionSet.map((s) => `${s.topic}:${s.subString}`).sort(), [
    "%RETRY%g_admin:*",
    "AdminTopic:TagA",
  ]);
  assert.equal(info.mqTable.length, 3);
  assert.equal(info.statusTable.AdminTopic.consumeFailedMsgs, 0);

  // CONSUME_MESSAGE_DIRECTLY: the broker forwards a stored record to the consumer.
  const channel =
    [...services(cluster.brokers[0]).consumers.get("g_admin")!.channelInfoTable.values()][0];
  const direct = async (offsetMsgId: string) => {
    const { offset } = decodeOffsetMsgId(offsetMsgId);
    const record = await cluster.brokers[0].controller.store.lookMessageByOffset(offset);
    const res = await channel.channel.invoke(
      createRequest(
        RequestCode.CONSUME_MESSAGE_DIRECTLY,
        encodeHeader(ConsumeMessageDirectlyResultRequestHeader, {
          consumerGroup: "g_admin",
          clientId: channel.clientId,
          msgId: offsetMsgId,
          brokerName: "broker-a",
        }),
        { body: record },
      ),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    return decodeConsumeMessageDirectlyResult(res.body!);
  };
  assert.equal((await direct(r.offsetMsgId)).consumeResult, "CR_SUCCESS");
  assert.equal(c.received.count, 2);
  assert.equal(c.received.list[1].msgId, r.msgId);
  const refused = await producer.send({ topic: "AdminTopic", tags: "TagB", body: "refuse" });
  assert.equal((await direct(refused.offsetMsgId)).consumeResult, "CR_LATER");
});

Deno.test("PushConsumer continues from the offsets an admin reset (RESET_CONSUMER_CLIENT_OFFSET)", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("ResetTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  await using c = await startPushConsumer(cluster, { consumerGroup: "g_reset" }, [
    ["ResetTopic", "*"],
  ]);
  await sendMany(producer, 20, (i) => ({ topic: "ResetTopic", body: `m${i}` }));
  await c.received.waitForCount(20);
  await c.consumer.persistConsumerOffset();
  // mqadmin resetOffsetByTime -t 0 (force): back to the start of every queue.
  await using admin = new RemotingClient();
  const res = await admin.invokeSync(
    cluster.brokers[0].addr,
    createRequest(
      RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
      encodeHeader(ResetOffsetRequestHeader, {
        topic: "ResetTopic",
        group: "g_reset",
        timestamp: 0,
        isForce: true,
      }),
    ),
    3000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  await c.received.waitForCount(40);
  assert.deepEqual(
    c.received.bodies().slice(20).sort(),
    c.received.bodies().slice(0, 20).sort(),
  );
});

Deno.test("PushConsumer subscribe() and unsubscribe() after start() take effect at once", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("FirstTopic", { queues: 1 });
  await cluster.createTopic("LaterTopic", { queues: 2 });
  await using producer = await startProducer(cluster);
  await using c = await startPushConsumer(cluster, { consumerGroup: "g_later" }, [
    ["FirstTopic", "*"],
  ]);
  const topics = () => new Set(c.consumer.assignedMessageQueues().map((q) => q.topic));
  c.consumer.subscribe("LaterTopic", "TagA");
  await waitUntil("LaterTopic queues", () => topics().has("LaterTopic"));
  await producer.send({ topic: "LaterTopic", tags: "TagA", body: "later" });
  await c.received.waitForCount(1);
  assert.equal(c.received.list[0].topic, "LaterTopic");
  c.consumer.unsubscribe("FirstTopic");
  await waitUntil("FirstTopic dropped", () => !topics().has("FirstTopic"));
  // Suspended: a pull already held on the broker still answers (as in Java), but no new
  // pull leaves until resume().
  c.consumer.suspend();
  await producer.send({ topic: "LaterTopic", tags: "TagA", body: "held" }, {
    messageQueue: { topic: "LaterTopic", brokerName: "broker-a", queueId: 0 },
  });
  await c.received.waitForCount(2);
  await producer.send({ topic: "LaterTopic", tags: "TagA", body: "after-resume" }, {
    messageQueue: { topic: "LaterTopic", brokerName: "broker-a", queueId: 0 },
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.received.count, 2);
  c.consumer.resume();
  await c.received.waitForCount(3, 3000);
  assert.equal(c.received.list[2].body, "after-resume");
});

Deno.test("PushConsumer validates its options and refuses to start without a listener", async () => {
  const base = { namesrvAddr: "127.0.0.1:1", consumerGroup: "g" };
  assert.throws(() => new PushConsumer({ ...base, consumerGroup: "bad group" }), TypeError);
  assert.throws(() => new PushConsumer({ ...base, pullBatchSize: 0 }), RangeError);
  assert.throws(
    () => new PushConsumer({ ...base, messageModel: "BOTH" as MessageModel }),
    TypeError,
  );
  assert.throws(() => new PushConsumer({ ...base, consumeTimestamp: "yesterday" }), TypeError);
  const c = new PushConsumer(base);
  assert.throws(() => c.subscribe("T", "||"), SyntaxError);
  await assert.rejects(() => c.start(), /no message listener/);
  await c.shutdown();
  assert.throws(() => c.subscribe("T"), /shut down/);
});
