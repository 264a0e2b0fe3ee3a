/**
 * ali-ons' push consumer (npm, a pure-JS RocketMQ 4.x client written by others) consumes from an
 * rmq broker exactly as from Apache RocketMQ: long-polling pulls with its subscription, offsets
 * committed and resumed, heartbeats and rebalancing, failed messages sent back to %RETRY% and,
 * after maxReconsumeTimes, to %DLQ%; delay levels.
 */
import assert from "node:assert/strict";
import { decodeMessageRecords } from "../../src/common/message/message_codec.ts";
import { decodeProperties } from "../../src/common/message/properties.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import {
  type AliOnsReceivedMessage,
  Message,
  startAliOnsConsumer,
  startAliOnsProducer,
  type TestAliOnsConsumer,
  type TestAliOnsProducer,
} from "../helpers/ali_ons.ts";
import { startCluster } from "../helpers/cluster.ts";
import { pullRequest } from "../helpers/consume.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * Errors ali-ons reports that no broker can prevent: at start it looks the %RETRY% topic up
 * before its first heartbeat creates it (Apache RocketMQ answers the same).
 */
function unexpected(errors: Error[]): string[] {
  return errors.map(String).filter((e) =>
    !/No topic route info in name server for the topic: %RETRY%/.test(e)
  );
}

async function until(what: string, f: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function produce(
  p: TestAliOnsProducer,
  topic: string,
  bodies: string[],
  tags: (i: number) => string,
): Promise<void> {
  for (let i = 0; i < bodies.length; i++) {
    const r = await p.producer.send(new Message(topic, tags(i), bodies[i]));
    assert.equal(r.sendStatus, "SEND_OK");
  }
}

function collector() {
  const seen: AliOnsReceivedMessage[] = [];
  return {
    seen,
    bodies: () => seen.map((m) => text(m.body)),
    handler: async (msg: AliOnsReceivedMessage) => {
      await Promise.resolve();
      seen.push(msg);
    },
  };
}

Deno.test("ali-ons Consumer receives exactly the 1000 produced messages its tags select", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("AliC", { queues: 4 });
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  const all = Array.from({ length: 1000 }, (_, i) => `m${i}`);
  const tagOf = (i: number) => ["TagA", "TagB", "TagC", "TagD"][i % 4];
  await produce(p, "AliC", all, tagOf);
  const c = collector();
  await using consumer = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_tags" },
    (x) => x.subscribe("AliC", "TagA || TagC", c.handler),
  );
  const want = all.filter((_, i) => tagOf(i) === "TagA" || tagOf(i) === "TagC");
  await until("500 messages", () => c.seen.length >= want.length);
  await new Promise((r) => setTimeout(r, 100)); // anything extra would arrive now
  assert.deepEqual(c.bodies().sort(), [...want].sort(), "each selected message once, no other");
  assert.ok(c.seen.every((m) => m.tags === "TagA" || m.tags === "TagC"));
  assert.deepEqual(unexpected(consumer.errors), [], consumer.logs.join("\n"));
});

Deno.test("ali-ons Consumer group resumes where it stopped after a consumer restart and a broker restart", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("AliR", { queues: 4 });
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  const batch = (name: string) => Array.from({ length: 100 }, (_, i) => `${name}-${i}`);
  await produce(p, "AliR", batch("first"), () => "T");

  const run = async (want: string[]) => {
    const c = collector();
    const consumer = await startAliOnsConsumer(
      cluster.namesrvAddr,
      { consumerGroup: "ali_resume" },
      (x) => x.subscribe("AliR", "*", c.handler),
    );
    try {
      await until(`${want.length} messages`, () => c.seen.length >= want.length);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(c.bodies().sort(), [...want].sort());
      assert.deepEqual(unexpected(consumer.errors), [], consumer.logs.join("\n"));
    } finally {
      await consumer.close(); // persists its offsets to the broker
    }
  };
  await run(batch("first"));
  // Consumer restart.
  await produce(p, "AliR", batch("second"), () => "T");
  await run(batch("second"));
  // Broker restart: the offsets come back from consumerOffset.json.
  await cluster.brokers[0].restart();
  await produce(p, "AliR", batch("third"), () => "T");
  await run(batch("third"));
});

Deno.test("ali-ons Consumers of one group split the queues and together receive everything", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("AliSplit", { queues: 4 });
  const a = collector();
  const b = collector();
  await using ca = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_split", instanceName: "ali-a" },
    (x) => x.subscribe("AliSplit", "*", a.handler),
  );
  await using cb = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_split", instanceName: "ali-b" },
    (x) => x.subscribe("AliSplit", "*", b.handler),
  );
  // Both members known to the broker; then give their 20 ms rebalances time to settle.
  const consume = cluster.brokers[0].controller.services;
  await until("both members", () => consume.consumers.get("ali_split")?.clientIds().length === 2);
  await new Promise((r) => setTimeout(r, 300));
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  const all = Array.from({ length: 200 }, (_, i) => `s${i}`);
  await produce(p, "AliSplit", all, () => "T");
  await until("200 messages", () => new Set([...a.bodies(), ...b.bodies()]).size >= 200);
  assert.deepEqual([...new Set([...a.bodies(), ...b.bodies()])].sort(), [...all].sort());
  const queuesA = new Set(a.seen.map((m) => m.queueId));
  const queuesB = new Set(b.seen.map((m) => m.queueId));
  assert.equal(queuesA.size, 2, `a read queues ${[...queuesA]}`);
  assert.equal(queuesB.size, 2, `b read queues ${[...queuesB]}`);
  assert.ok([...queuesA].every((q) => !queuesB.has(q)), "no queue read by both");
  assert.equal(a.seen.length + b.seen.length, 200, "nothing twice");
  assert.deepEqual(unexpected([...ca.errors, ...cb.errors]), []);
});

Deno.test("ali-ons Consumers in broadcasting mode each receive every message", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("AliCast", { queues: 4 });
  const a = collector();
  const b = collector();
  await using ca = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_cast", instanceName: "cast-a", isBroadcast: true },
    (x) => x.subscribe("AliCast", "*", a.handler),
  );
  await using cb = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_cast", instanceName: "cast-b", isBroadcast: true },
    (x) => x.subscribe("AliCast", "*", b.handler),
  );
  // Broadcasting consumers start at the queues' ends: produce once both pull.
  const holds = cluster.brokers[0].controller.services.holds;
  await until("both consumers' pulls held", () => holds.size >= 8);
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  const all = Array.from({ length: 100 }, (_, i) => `b${i}`);
  await produce(p, "AliCast", all, () => "T");
  await until("100 messages each", () => a.seen.length >= 100 && b.seen.length >= 100);
  assert.deepEqual(a.bodies().sort(), [...all].sort());
  assert.deepEqual(b.bodies().sort(), [...all].sort());
  assert.deepEqual(unexpected([...ca.errors, ...cb.errors]), []);
});

Deno.test("ali-ons Consumer sees a failed message again through %RETRY%, then it lands in %DLQ%", async () => {
  await using cluster = await startCluster({
    broker: { messageDelayLevel: "50ms 50ms 50ms 50ms 50ms 50ms" },
  });
  await cluster.createTopic("AliRetry", { queues: 2 });
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  const attempts: AliOnsReceivedMessage[] = [];
  const fine: string[] = [];
  await using consumer = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_retry", maxReconsumeTimes: 2 },
    (x) =>
      x.subscribe("AliRetry", "*", async (msg) => {
        await Promise.resolve();
        if (text(msg.body) !== "poison") return void fine.push(text(msg.body));
        attempts.push(msg);
        throw new Error("cannot handle poison");
      }),
  );
  await produce(p, "AliRetry", ["ok-1", "poison", "ok-2"], () => "T");
  await until("three attempts", () => attempts.length >= 3);
  assert.deepEqual(attempts.map((m) => m.reconsumeTimes), [0, 1, 2]);
  // ali-ons hands a retried message back under its original topic.
  assert.deepEqual(attempts.map((m) => m.topic), ["AliRetry", "AliRetry", "AliRetry"]);
  assert.equal(attempts[1].originMessageId, attempts[0].msgId);
  assert.deepEqual(fine.sort(), ["ok-1", "ok-2"]);

  // After the third failure the broker puts it in %DLQ%ali_retry.
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  let dead;
  const deadline = Date.now() + 5000;
  while (!dead && Date.now() < deadline) {
    const res = await client.invokeSync(
      addr,
      pullRequest({
        consumerGroup: "dlq_reader",
        topic: "%DLQ%ali_retry",
        suspendTimeoutMillis: 500,
      }),
      3000,
    );
    if (res.body) dead = decodeMessageRecords(res.body)[0];
  }
  assert.ok(dead, "the message is in the DLQ");
  assert.equal(text(dead.body), "poison");
  assert.equal(dead.reconsumeTimes, 3);
  assert.equal(decodeProperties(dead.properties).RETRY_TOPIC, "AliRetry");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(attempts.length, 3, "not delivered again after the DLQ");
  const failures = consumer.errors.filter((e) => /cannot handle poison/.test(String(e)));
  assert.equal(failures.length, 3);
});

Deno.test("ali-ons Consumer receives a delay-level message no earlier than its level", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: "100ms 400ms" } });
  await cluster.createTopic("AliDelay", { queues: 2 });
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  const got: { msg: AliOnsReceivedMessage; at: number }[] = [];
  await using consumer = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_delay" },
    (x) =>
      x.subscribe("AliDelay", "*", async (msg) => {
        await Promise.resolve();
        got.push({ msg, at: Date.now() });
      }),
  );
  await new Promise((r) => setTimeout(r, 100));
  const msg = new Message("AliDelay", "T", "delayed");
  msg.delayTimeLevel = 2;
  const sentAt = Date.now();
  const r = await p.producer.send(msg);
  assert.equal(r.sendStatus, "SEND_OK");
  await p.producer.send(new Message("AliDelay", "T", "now"));
  await until("both messages", () => got.length >= 2);
  const now = got.find((g) => text(g.msg.body) === "now")!;
  const delayed = got.find((g) => text(g.msg.body) === "delayed")!;
  assert.ok(now.at - sentAt < 400, "the undelayed one is not held back");
  assert.ok(delayed.at - sentAt >= 400, `arrived after ${delayed.at - sentAt} ms`);
  assert.ok(delayed.msg.storeTimestamp - sentAt >= 400, "stored in its topic after the delay");
  assert.deepEqual(unexpected(consumer.errors), []);
});

Deno.test("ali-ons Consumer gets a message produced while its pull is held at once", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("AliWake", { queues: 1 });
  const got: number[] = [];
  await using consumer: TestAliOnsConsumer = await startAliOnsConsumer(
    cluster.namesrvAddr,
    { consumerGroup: "ali_wake" },
    (x) =>
      x.subscribe("AliWake", "*", async () => {
        await Promise.resolve();
        got.push(Date.now());
      }),
  );
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  // Idle long enough that every pull is held (ali-ons asks for 15 s).
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 3; i++) {
    const sentAt = Date.now();
    await p.producer.send(new Message("AliWake", "T", `w${i}`));
    await until(`message ${i}`, () => got.length > i, 2000);
    const latency = got[i] - sentAt;
    assert.ok(latency < 500, `delivered ${latency} ms after the send`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(unexpected(consumer.errors), []);
});
