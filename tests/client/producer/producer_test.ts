/**
 * The producer against a real name server and broker(s) in process (tests/helpers/cluster.ts):
 * what it stores, how it spreads and retries, how it shuts down.
 */
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import {
  decodeMessageRecord,
  type MessageRecord,
} from "../../../src/common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../../../src/common/message/message_id.ts";
import { decodeProperties } from "../../../src/common/message/properties.ts";
import { formatSocketAddress } from "../../../src/common/message/socket_address.ts";
import { MessageSysFlag } from "../../../src/common/message/sys_flag.ts";
import { MQBrokerError, MQClientError } from "../../../src/client/errors.ts";
import { ClientInstance } from "../../../src/client/client_instance.ts";
import { Producer, type ProducerOptions } from "../../../src/client/producer/producer.ts";
import { selectMessageQueueByHash } from "../../../src/client/producer/queue_selector.ts";
import { SendStatus } from "../../../src/client/producer/send_result.ts";
import { type ClusterBroker, startCluster, type TestCluster } from "../../helpers/cluster.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function producer(cluster: TestCluster, over: Partial<ProducerOptions> = {}): Producer {
  return new Producer({
    namesrvAddr: cluster.namesrvAddr,
    producerGroup: "PG_TEST",
    clientIP: "127.0.0.1",
    ...over,
  });
}

/** The record an offsetMsgId names, read straight from that broker's store. */
async function storedRecord(cluster: TestCluster, offsetMsgId: string): Promise<MessageRecord> {
  const { address, offset } = decodeOffsetMsgId(offsetMsgId);
  const broker = cluster.brokers.find((b) => b.addr === address);
  assert.ok(broker, `no broker at ${address}`);
  const bytes = await broker.controller.store.lookMessageByOffset(offset);
  assert.ok(bytes, `no record at ${offset} on ${address}`);
  return decodeMessageRecord(bytes);
}

/** Messages stored in every queue of a topic on one broker. */
function storedCount(broker: ClusterBroker, topic: string, queues = 8): number {
  let n = 0;
  for (let q = 0; q < queues; q++) n += broker.controller.store.getMaxOffsetInQueue(topic, q);
  return n;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("Producer.send() stores exactly the fields sent, and both ids resolve to it", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("TopicTest", { queues: 4 });
  await using p = producer(cluster);
  await p.start();
  const before = Date.now();
  const r = await p.send({
    topic: "TopicTest",
    body: "Hello RocketMQ",
    tags: "TagA",
    keys: ["order-1", "user-7"],
    properties: { region: "eu", "trace-id": "abc" },
    flag: 5,
  });
  const after = Date.now();
  assert.equal(r.sendStatus, SendStatus.SEND_OK);
  assert.equal(r.messageQueue.topic, "TopicTest");
  assert.equal(r.messageQueue.brokerName, "broker-a");
  assert.match(r.msgId, /^[0-9A-F]{32}$/);
  assert.match(r.offsetMsgId, /^[0-9A-F]{32}$/);
  assert.equal(r.regionId, "DefaultRegion");

  const broker = cluster.brokers[0];
  for (
    const rec of [await storedRecord(cluster, r.offsetMsgId), await p.viewMessage(r.offsetMsgId)]
  ) {
    assert.equal(rec.topic, "TopicTest");
    assert.equal(dec.decode(rec.body), "Hello RocketMQ");
    assert.equal(rec.flag, 5);
    assert.equal(rec.sysFlag, 0);
    assert.equal(rec.queueId, r.messageQueue.queueId);
    assert.equal(rec.queueOffset, r.queueOffset);
    assert.equal(rec.reconsumeTimes, 0);
    assert.ok(rec.bornTimestamp >= before && rec.bornTimestamp <= after);
    assert.equal(formatSocketAddress(rec.storeHost), broker.addr);
    assert.deepEqual({ ...decodeProperties(rec.properties) }, {
      region: "eu",
      "trace-id": "abc",
      KEYS: "order-1 user-7",
      TAGS: "TagA",
      UNIQ_KEY: r.msgId,
      CLUSTER: cluster.clusterName,
    });
  }
  // The client id (UNIQ_KEY) and each key are indexed: a query by either finds the message.
  for (const key of [r.msgId, "order-1", "user-7"]) {
    const q = await broker.controller.store.queryMessage(
      "TopicTest",
      key,
      32,
      0,
      Date.now() + 1000,
    );
    assert.equal(q.messages.length, 1, key);
    assert.equal(decodeMessageRecord(q.messages[0]).queueOffset, r.queueOffset);
  }
});

Deno.test("Producer.send() compresses a body of 4 KiB or more; viewMessage() inflates it", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Big", { queues: 2 });
  await using p = producer(cluster);
  await p.start();
  const body = enc.encode("0123456789abcdef".repeat(512)); // 8 KiB
  const r = await p.send({ topic: "Big", body });
  const stored = await storedRecord(cluster, r.offsetMsgId);
  assert.equal(stored.sysFlag, MessageSysFlag.COMPRESSED | MessageSysFlag.COMPRESSION_ZLIB);
  assert.ok(stored.body.length < body.length);
  assert.deepEqual(new Uint8Array(inflateSync(stored.body)), body);
  assert.deepEqual((await p.viewMessage(r.offsetMsgId)).body, body);
});

Deno.test("Producer.sendAsync() pipelines many sends; each queue's offsets are contiguous", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Pipelined", { queues: 4 });
  await using p = producer(cluster, { serializeType: "ROCKETMQ" });
  await p.start();
  const n = 400;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => p.sendAsync({ topic: "Pipelined", body: `m${i}` })),
  );
  assert.ok(results.every((r) => r.sendStatus === SendStatus.SEND_OK));
  assert.equal(new Set(results.map((r) => r.msgId)).size, n);
  const byQueue = new Map<number, number[]>();
  for (const r of results) {
    const list = byQueue.get(r.messageQueue.queueId) ?? [];
    list.push(r.queueOffset);
    byQueue.set(r.messageQueue.queueId, list);
  }
  assert.equal(byQueue.size, 4); // round robin reaches every queue
  for (const offsets of byQueue.values()) {
    offsets.sort((a, b) => a - b);
    assert.deepEqual(offsets, offsets.map((_, i) => i));
  }
  assert.equal(storedCount(cluster.brokers[0], "Pipelined", 4), n);
});

Deno.test("Producer.sendOneway() delivers without an answer", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Oneway", { queues: 2 });
  await using p = producer(cluster);
  await p.start();
  const ids = [];
  for (let i = 0; i < 20; i++) ids.push(await p.sendOneway({ topic: "Oneway", body: `o${i}` }));
  assert.ok(ids.every((id) => /^[0-9A-F]{32}$/.test(id)));
  await waitFor("20 oneway messages", () => storedCount(cluster.brokers[0], "Oneway", 2) === 20);
});

Deno.test("Producer.sendBatch() stores consecutive messages in one queue", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Batch", { queues: 4 });
  await using p = producer(cluster);
  await p.start();
  const r = await p.sendBatch([
    { topic: "Batch", body: "one", tags: "x" },
    { topic: "Batch", body: "two", keys: "k2" },
    { topic: "Batch", body: "three" },
  ]);
  const msgIds = r.msgId.split(",");
  const offsetIds = r.offsetMsgId.split(",");
  assert.equal(msgIds.length, 3);
  assert.equal(offsetIds.length, 3);
  const records = await Promise.all(offsetIds.map((id) => storedRecord(cluster, id)));
  assert.deepEqual(records.map((m) => dec.decode(m.body)), ["one", "two", "three"]);
  assert.deepEqual(records.map((m) => m.queueOffset), [0, 1, 2].map((i) => r.queueOffset + i));
  assert.ok(records.every((m) => m.queueId === r.messageQueue.queueId));
  assert.deepEqual(records.map((m) => decodeProperties(m.properties).UNIQ_KEY), msgIds);
  assert.equal(decodeProperties(records[0].properties).TAGS, "x");
  assert.equal(decodeProperties(records[1].properties).KEYS, "k2");
});

Deno.test("Producer.send() with a selector keeps one key on one queue, in order", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Ordered", { queues: 8 });
  await using p = producer(cluster);
  await p.start();
  const results = [];
  for (let i = 0; i < 10; i++) {
    results.push(
      await p.send({ topic: "Ordered", body: `step ${i}` }, {
        selector: selectMessageQueueByHash,
        arg: "order-1001",
      }),
    );
  }
  // Java String.hashCode("order-1001") = 708180863; 708180863 % 8 = 7.
  assert.ok(results.every((r) => r.messageQueue.queueId === 7));
  assert.deepEqual(results.map((r) => r.queueOffset), [...Array(10).keys()]);
  const queues = await p.fetchPublishMessageQueues("Ordered");
  const chosen = await p.send({ topic: "Ordered", body: "direct" }, { messageQueue: queues[2] });
  assert.equal(chosen.messageQueue.queueId, queues[2].queueId);
});

Deno.test("Producer.send() to an unknown topic auto-creates it through TBW102", async () => {
  await using cluster = await startCluster();
  await using p = producer(cluster);
  await p.start();
  const r = await p.send({ topic: "BrandNew", body: "first" });
  assert.equal(r.sendStatus, SendStatus.SEND_OK);
  // defaultTopicQueueNums 4 caps the queues the stand-in route offers.
  assert.ok(r.messageQueue.queueId < 4);
  const route = await cluster.waitForRoute("BrandNew");
  assert.equal(route.queueDatas[0].writeQueueNums, 4);
});

Deno.test("Producer.send() fails with MQClientError when no broker serves the topic", async () => {
  await using cluster = await startCluster({ broker: { autoCreateTopicEnable: false } });
  await using p = producer(cluster);
  await p.start();
  await assert.rejects(
    p.send({ topic: "Nowhere", body: "x" }),
    (e: unknown) => e instanceof MQClientError && /no route for topic Nowhere/.test(e.message),
  );
});

Deno.test("Producer.send() rejects a bad message before any network call", async () => {
  // The name server address is unreachable: only validation can answer in time.
  await using p = new Producer({
    namesrvAddr: "127.0.0.1:1",
    producerGroup: "PG_TEST",
    clientIP: "127.0.0.1",
  });
  await assert.rejects(p.send({ topic: "T", body: "x" }), {
    name: "TypeError",
    message: /not started \(call start\(\) first\)/,
  });
  await p.start();
  await assert.rejects(p.send({ topic: "bad topic", body: "x" }), { name: "TypeError" });
  await assert.rejects(p.send({ topic: "T", body: "" }), {
    name: "RangeError",
    message: "Cannot send message: body is empty",
  });
  await assert.rejects(p.send({ topic: "T", body: new Uint8Array(4 * 1024 * 1024 + 1) }), {
    name: "RangeError",
    message: "Cannot send message: body is 4194305 bytes (max 4194304)",
  });
  await assert.rejects(p.sendBatch([]), { name: "RangeError" });
  await p.shutdown();
  await assert.rejects(p.send({ topic: "T", body: "x" }), {
    name: "TypeError",
    message: /shut down/,
  });
});

Deno.test("Producer refuses the DEFAULT_PRODUCER group and a second producer per group", async () => {
  assert.throws(
    () => new Producer({ namesrvAddr: "127.0.0.1:1", producerGroup: "DEFAULT_PRODUCER" }),
    { name: "TypeError", message: /DEFAULT_PRODUCER is reserved/ },
  );
  const opts = {
    namesrvAddr: "127.0.0.1:1",
    producerGroup: "PG_TEST",
    clientIP: "127.0.0.1",
    instanceName: "shared",
  };
  await using a = new Producer(opts);
  await using b = new Producer(opts);
  await a.start();
  await assert.rejects(b.start(), { name: "TypeError", message: /already has a producer/ });
});

Deno.test("Producer.send() surfaces a broker's refusal as MQBrokerError without retrying", async () => {
  await using cluster = await startCluster({ broker: { maxMessageSize: 1024 } });
  await cluster.createTopic("Small", { queues: 1 });
  await using p = producer(cluster);
  await p.start();
  // 2 KiB passes the client's 4 MiB limit; the broker allows 1 KiB and answers 13.
  await assert.rejects(
    p.send({ topic: "Small", body: "x".repeat(2048), keys: "too-big" }),
    (e: unknown) => e instanceof MQBrokerError && e.code === 13,
  );
});

Deno.test("Producer spreads sends over two brokers and keeps succeeding when one stops", async () => {
  await using cluster = await startCluster({ brokers: 2 });
  const route = await cluster.createTopic("TwoBrokers", { queues: 4 });
  assert.deepEqual(route.brokerDatas.map((b) => b.brokerName).sort(), ["broker-a", "broker-b"]);
  await using p = producer(cluster);
  await p.start();
  const queues = await p.fetchPublishMessageQueues("TwoBrokers");
  assert.equal(queues.length, 8);
  const spread = new Map<string, number>();
  for (let i = 0; i < 16; i++) {
    const r = await p.send({ topic: "TwoBrokers", body: `before ${i}` });
    spread.set(r.messageQueue.brokerName, (spread.get(r.messageQueue.brokerName) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(spread), { "broker-a": 8, "broker-b": 8 });

  await cluster.broker("broker-b").stop();
  // The cached route still lists broker-b: each send that picks it fails to connect and is
  // retried on broker-a.
  for (let i = 0; i < 16; i++) {
    const r = await p.send({ topic: "TwoBrokers", body: `after ${i}` });
    assert.equal(r.messageQueue.brokerName, "broker-a");
  }
  await Promise.all(
    Array.from({ length: 16 }, (_, i) => p.sendAsync({ topic: "TwoBrokers", body: `async ${i}` })),
  );
  assert.equal(storedCount(cluster.broker("broker-a"), "TwoBrokers", 4), 8 + 16 + 16);
  // Once the route is polled again, broker-b is gone from the producer's queues.
  await ClientInstance.find(p.clientId!)!.updateAllTopicRouteInfo();
  const after = await p.fetchPublishMessageQueues("TwoBrokers");
  assert.deepEqual([...new Set(after.map((q) => q.brokerName))], ["broker-a"]);
});

Deno.test("Producer.shutdown() closes every connection and stops its timers", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Bye", { queues: 1 });
  const p = producer(cluster);
  await p.start();
  await p.send({ topic: "Bye", body: "x" });
  const instance = ClientInstance.find(p.clientId!)!;
  assert.equal(instance.isRunning, true);
  await p.shutdown();
  assert.equal(instance.isRunning, false);
  await p.shutdown(); // twice is fine
  // Deno's sanitizers fail this test if a socket or timer were left open.
});

Deno.test("Producer picks up a new broker on the next route poll (pollNameServerIntervalMs)", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Growing", { queues: 2 });
  await using p = producer(cluster, { pollNameServerIntervalMs: 50 });
  await p.start();
  await p.send({ topic: "Growing", body: "x" });
  await cluster.addBroker();
  await cluster.createTopic("Growing", { queues: 2 });
  // No explicit refresh: the instance's poll timer fetches the new route.
  const instance = ClientInstance.find(p.clientId!)!;
  await waitFor(
    "broker-b in the publish route",
    () => instance.findBrokerAddressInPublish("broker-b") !== undefined,
  );
  const queues = await p.fetchPublishMessageQueues("Growing");
  assert.deepEqual([...new Set(queues.map((q) => q.brokerName))].sort(), ["broker-a", "broker-b"]);
  const spread = new Set<string>();
  for (let i = 0; i < 8; i++) {
    spread.add((await p.send({ topic: "Growing", body: `${i}` })).messageQueue.brokerName);
  }
  assert.deepEqual([...spread].sort(), ["broker-a", "broker-b"]);
});

Deno.test("Heartbeats register the producer with every broker; shutdown unregisters it", async () => {
  await using cluster = await startCluster({ brokers: 2 });
  await cluster.createTopic("Beat", { queues: 2 });
  const shared = { instanceName: "beat-test", heartbeatBrokerIntervalMs: 50 };
  await using a = producer(cluster, { ...shared, producerGroup: "PG_A" });
  await using b = producer(cluster, { ...shared, producerGroup: "PG_B" });
  await a.start();
  await b.start();
  assert.equal(ClientInstance.find(a.clientId!), ClientInstance.find(b.clientId!)); // one instance, one connection each
  await a.send({ topic: "Beat", body: "x" }); // learns both brokers from the route
  const groupsOn = (broker: ClusterBroker) => {
    const producers = broker.controller.services.producers;
    return Object.fromEntries(
      [...producers.groups()].sort().map((g) => [g, producers.get(g)!.map((c) => c.clientId)]),
    );
  };
  const clientId = a.clientId!;
  const all = { CLIENT_INNER_PRODUCER: [clientId], PG_A: [clientId], PG_B: [clientId] };
  // No explicit call: the instance's heartbeat timer reaches both brokers.
  await waitFor(
    "heartbeats on both brokers",
    () => cluster.brokers.every((br) => JSON.stringify(groupsOn(br)) === JSON.stringify(all)),
  );
  await a.shutdown();
  // PG_A is unregistered; the shared connection stays open for PG_B.
  for (const br of cluster.brokers) {
    assert.deepEqual(groupsOn(br), { CLIENT_INNER_PRODUCER: [clientId], PG_B: [clientId] });
  }
  await b.shutdown();
  await waitFor(
    "connections gone",
    () => cluster.brokers.every((br) => Object.keys(groupsOn(br)).length === 0),
  );
});

Deno.test("Producer.createTopic() creates the topic on every broker of the key topic", async () => {
  await using cluster = await startCluster({ brokers: 2 });
  await using producer = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    producerGroup: "create_topic_pg",
  });
  await producer.start();
  await producer.createTopic("TBW102", "CreatedTopic", 6);
  const queues = await producer.fetchPublishMessageQueues("CreatedTopic");
  assert.equal(queues.length, 12);
  assert.deepEqual(new Set(queues.map((q) => q.brokerName)), new Set(["broker-a", "broker-b"]));
  for (const b of cluster.brokers) {
    assert.equal(b.controller.topicConfigManager.get("CreatedTopic")?.writeQueueNums, 6);
  }
  await assert.rejects(() => producer.createTopic("NoSuchKey", "Other", 4), /no route/);
  await assert.rejects(() => producer.createTopic("TBW102", "Bad", 0), RangeError);
});
