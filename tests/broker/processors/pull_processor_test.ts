import assert from "node:assert/strict";
import { MAX_SUSPEND_MS, pullResponseCode } from "../../../src/broker/processors/pull_processor.ts";
import { PullSysFlag } from "../../../src/common/message/sys_flag.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { encodeFrame } from "../../../src/remoting/frame_codec.ts";
import { decodeHeader } from "../../../src/remoting/header_codec.ts";
import {
  OffsetResponseHeader,
  PullMessageResponseHeader,
  QueryConsumerOffsetRequestHeader,
} from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { GetStatus } from "../../../src/store/message_store.ts";
import { startCluster } from "../../helpers/cluster.ts";
import {
  bodies,
  consumer,
  heartbeat,
  pullRequest,
  records,
  request,
  send,
  sub,
} from "../../helpers/consume.ts";
import { RawConn, within } from "../../helpers/remoting.ts";

const SUSPEND = PullSysFlag.SUSPEND;
const SUBSCRIPTION = PullSysFlag.SUBSCRIPTION;

function offsets(res: { extFields: Record<string, string> }) {
  return decodeHeader(PullMessageResponseHeader, res.extFields);
}

Deno.test("PullMessageProcessor answers every outcome with the four offset fields", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullT", { queues: 2 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const pull = (queueOffset: number, sysFlag = SUBSCRIPTION) =>
    client.invokeSync(
      addr,
      pullRequest({ consumerGroup: "g", topic: "PullT", queueOffset, sysFlag }),
      3000,
    );

  let res = await pull(0);
  assert.equal(res.code, ResponseCode.PULL_NOT_FOUND);
  assert.deepEqual(offsets(res), {
    suggestWhichBrokerId: 0,
    nextBeginOffset: 0,
    minOffset: 0,
    maxOffset: 0,
  });
  res = await pull(5);
  assert.equal(res.code, ResponseCode.PULL_OFFSET_MOVED, "no queue yet, offset not 0");
  assert.equal(offsets(res).nextBeginOffset, 0);

  for (let i = 0; i < 3; i++) await send(client, addr, "PullT", `m${i}`);
  res = await pull(0);
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(res.remark, GetStatus.FOUND);
  assert.deepEqual(offsets(res), {
    suggestWhichBrokerId: 0,
    nextBeginOffset: 3,
    minOffset: 0,
    maxOffset: 3,
  });
  assert.deepEqual(bodies(res), ["m0", "m1", "m2"]);
  // The body is the stored records, unchanged.
  const stored = await cluster.brokers[0].controller.store.getMessage("x", "PullT", 0, 0, 32);
  assert.deepEqual(res.body, stored.body);

  res = await pull(1);
  assert.deepEqual(bodies(res), ["m1", "m2"]);
  res = await pull(3);
  assert.equal(res.code, ResponseCode.PULL_NOT_FOUND);
  assert.equal(offsets(res).nextBeginOffset, 3);
  res = await pull(10);
  assert.equal(res.code, ResponseCode.PULL_OFFSET_MOVED);
  assert.equal(offsets(res).nextBeginOffset, 3);
  assert.equal(offsets(res).maxOffset, 3);
});

Deno.test("PullMessageProcessor checks permission, group, topic, queue and subscription in order", async () => {
  await using cluster = await startCluster({ broker: { autoCreateSubscriptionGroup: false } });
  await cluster.createTopic("PullC", { queues: 2 });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const addr = broker.addr;
  const consume = broker.controller.services;
  const code = async (h: Parameters<typeof pullRequest>[0]) => {
    const res = await client.invokeSync(addr, pullRequest({ sysFlag: SUBSCRIPTION, ...h }), 3000);
    return [res.code, res.remark];
  };

  assert.equal((await code({ consumerGroup: "nobody", topic: "PullC" }))[0], 26);
  consume.subscriptionGroups.update({
    ...consume.subscriptionGroups.find("TOOLS_CONSUMER")!,
    groupName: "off",
    consumeEnable: false,
  });
  assert.deepEqual(await code({ consumerGroup: "off", topic: "PullC" }), [
    16,
    "subscription group no permission, off",
  ]);
  consume.subscriptionGroups.update({
    ...consume.subscriptionGroups.find("TOOLS_CONSUMER")!,
    groupName: "g",
  });
  assert.equal((await code({ consumerGroup: "g", topic: "NoSuchTopic" }))[0], 17);
  assert.equal((await code({ consumerGroup: "g", topic: "PullC", queueId: 2 }))[0], 1);
  assert.equal((await code({ consumerGroup: "g", topic: "PullC", queueId: -1 }))[0], 1);
  assert.equal((await code({ consumerGroup: "g", topic: "PullC", subscription: "||" }))[0], 23);
  assert.deepEqual(
    await code({ consumerGroup: "g", topic: "PullC", subscription: "a", expressionType: "SQL92" }),
    [19, "NO_MATCHED_LOGIC_QUEUE"],
    "a property as a SQL92 condition parses (and selects nothing)",
  );
  assert.equal(
    (await code({
      consumerGroup: "g",
      topic: "PullC",
      subscription: "a >",
      expressionType: "SQL92",
    }))[0],
    23,
  );
  // Without the SUBSCRIPTION flag the group's heartbeat says what it subscribes.
  assert.equal((await code({ consumerGroup: "g", topic: "PullC", sysFlag: 0 }))[0], 24);
  await heartbeat(client, addr, "c1", [consumer("g", [sub("Other", "*", 100)])]);
  assert.equal((await code({ consumerGroup: "g", topic: "PullC", sysFlag: 0 }))[0], 24);
  await heartbeat(client, addr, "c1", [consumer("g", [sub("PullC", "*", 100)])]);
  assert.deepEqual(
    await code({ consumerGroup: "g", topic: "PullC", sysFlag: 0, subVersion: 101 }),
    [25, "the consumer's subscription not latest"],
  );
  assert.equal(
    (await code({ consumerGroup: "g", topic: "PullC", sysFlag: 0, subVersion: 100 }))[0],
    19,
  );
  await heartbeat(client, addr, "c1", [
    consumer("g", [sub("PullC", "*", 100)], { messageModel: "BROADCASTING" }),
  ]);
  consume.subscriptionGroups.update({
    ...consume.subscriptionGroups.find("g")!,
    consumeBroadcastEnable: false,
  });
  assert.equal((await code({ consumerGroup: "g", topic: "PullC", sysFlag: 0 }))[0], 16);

  broker.controller.updateConfig({ brokerPermission: 2 });
  assert.equal((await code({ consumerGroup: "g", topic: "PullC" }))[0], 16);
});

Deno.test("PullMessageProcessor filters by tag hash, then by the exact tag", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullTags", { queues: 1 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  // "Aa" and "BB" have the same Java hash code (2112).
  for (const tags of ["TagA", "TagB", "Aa", "BB", "TagC", ""]) {
    await send(client, addr, "PullTags", `body-${tags}`, { tags: tags || undefined });
  }
  const pull = (subscription: string, queueOffset = 0) =>
    client.invokeSync(
      addr,
      pullRequest({
        consumerGroup: "g",
        topic: "PullTags",
        queueOffset,
        sysFlag: SUBSCRIPTION,
        subscription,
      }),
      3000,
    );
  let res = await pull("TagA || TagC");
  assert.deepEqual(bodies(res), ["body-TagA", "body-TagC"]);
  assert.equal(offsets(res).nextBeginOffset, 6, "filtered entries count as scanned");
  res = await pull("Aa");
  assert.deepEqual(bodies(res), ["body-Aa"], "BB shares the hash but not the tag");
  res = await pull("*");
  assert.equal(records(res).length, 6);
  res = await pull("Nope");
  assert.equal(res.code, ResponseCode.PULL_RETRY_IMMEDIATELY);
  assert.equal(offsets(res).nextBeginOffset, 6);
  res = await pull("TagB", 2);
  assert.equal(res.code, ResponseCode.PULL_RETRY_IMMEDIATELY);
});

Deno.test("PullMessageProcessor stores commitOffset when the flag is set, also for a held pull", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullCommit", { queues: 1 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const query = async () => {
    const res = await client.invokeSync(
      addr,
      request(RequestCode.QUERY_CONSUMER_OFFSET, QueryConsumerOffsetRequestHeader, {
        consumerGroup: "g",
        topic: "PullCommit",
        queueId: 0,
      }),
      3000,
    );
    return decodeHeader(OffsetResponseHeader, res.extFields).offset;
  };
  await send(client, addr, "PullCommit", "x");
  await client.invokeSync(
    addr,
    pullRequest({
      consumerGroup: "g",
      topic: "PullCommit",
      sysFlag: SUBSCRIPTION,
      commitOffset: 7,
    }),
    3000,
  );
  assert.equal(await query(), 0, "no COMMIT_OFFSET flag: nothing stored");
  const held = client.invokeSync(
    addr,
    pullRequest({
      consumerGroup: "g",
      topic: "PullCommit",
      queueOffset: 1,
      sysFlag: SUSPEND | SUBSCRIPTION | PullSysFlag.COMMIT_OFFSET,
      commitOffset: 1,
      suspendTimeoutMillis: 200,
    }),
    3000,
  );
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await query(), 1, "stored while the pull is held");
  assert.equal((await held).code, ResponseCode.PULL_NOT_FOUND);
});

Deno.test("PullMessageProcessor wakes a held pull the moment a message is dispatched", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullWake", { queues: 2 });
  await using client = new RemotingClient();
  await using producer = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const holds = cluster.brokers[0].controller.services.holds;
  const started = Date.now();
  const held = client.invokeSync(
    addr,
    pullRequest({
      consumerGroup: "g",
      topic: "PullWake",
      queueId: 1,
      suspendTimeoutMillis: 10_000,
    }),
    12_000,
  );
  while (holds.size === 0) await new Promise((r) => setTimeout(r, 5));
  await send(producer, addr, "PullWake", "other queue", { queueId: 0 });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(holds.size, 1, "a message to another queue does not wake it");
  const sentAt = Date.now();
  await send(producer, addr, "PullWake", "wake up", { queueId: 1 });
  const res = await held;
  const latency = Date.now() - sentAt;
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.deepEqual(bodies(res), ["wake up"]);
  assert.equal(offsets(res).nextBeginOffset, 1);
  assert.ok(latency < 500, `answered ${latency} ms after the send`);
  assert.ok(Date.now() - started < 2000);
  assert.equal(holds.size, 0);
});

Deno.test("PullMessageProcessor holds past messages the subscription does not want", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullWakeTag", { queues: 1 });
  await using client = new RemotingClient();
  await using producer = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const holds = cluster.brokers[0].controller.services.holds;
  const held = client.invokeSync(
    addr,
    pullRequest({
      consumerGroup: "g",
      topic: "PullWakeTag",
      subscription: "TagA",
      suspendTimeoutMillis: 5000,
    }),
    8000,
  );
  while (holds.size === 0) await new Promise((r) => setTimeout(r, 5));
  await send(producer, addr, "PullWakeTag", "b1", { tags: "TagB" });
  await send(producer, addr, "PullWakeTag", "b2", { tags: "TagB" });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(holds.size, 1, "still held");
  await send(producer, addr, "PullWakeTag", "a", { tags: "TagA" });
  const res = await within(held, 1000, "the held pull");
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.deepEqual(bodies(res), ["a"]);
  assert.equal(offsets(res).nextBeginOffset, 3);
});

Deno.test("PullMessageProcessor answers a held pull exactly once, at its suspend timeout", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullOnce", { queues: 1 });
  const broker = cluster.brokers[0];
  using conn = await RawConn.connect(broker.port);
  const req = pullRequest({ consumerGroup: "g", topic: "PullOnce", suspendTimeoutMillis: 300 });
  const started = Date.now();
  await conn.write(encodeFrame(req));
  const res = await conn.readFrame(3000);
  const held = Date.now() - started;
  assert.equal(res.opaque, req.opaque);
  assert.equal(res.code, ResponseCode.PULL_NOT_FOUND);
  assert.ok(held >= 290 && held < 1500, `held ${held} ms`);
  assert.equal(offsets(res).nextBeginOffset, 0);
  // A message now must not produce a second answer to the same request.
  await using producer = new RemotingClient();
  await send(producer, broker.addr, "PullOnce", "late");
  await assert.rejects(conn.readFrame(300), /Timed out/);
});

Deno.test("PullMessageProcessor holds shortPollingTimeMills when long polling is off", async () => {
  await using cluster = await startCluster({
    broker: { longPollingEnable: false, shortPollingTimeMills: 150 },
  });
  await cluster.createTopic("PullShort", { queues: 1 });
  await using client = new RemotingClient();
  const started = Date.now();
  const res = await client.invokeSync(
    cluster.brokers[0].addr,
    pullRequest({ consumerGroup: "g", topic: "PullShort", suspendTimeoutMillis: 20_000 }),
    3000,
  );
  const held = Date.now() - started;
  assert.equal(res.code, ResponseCode.PULL_NOT_FOUND);
  assert.ok(held >= 140 && held < 1500, `held ${held} ms`);
  assert.equal(MAX_SUSPEND_MS, 15_000);
});

Deno.test("PullMessageProcessor answers held pulls at shutdown and drops those of closed connections", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("PullStop", { queues: 2 });
  const broker = cluster.brokers[0];
  const holds = broker.controller.services.holds;
  await using client = new RemotingClient();
  await using gone = new RemotingClient();
  const held = client.invokeSync(
    broker.addr,
    pullRequest({ consumerGroup: "g", topic: "PullStop", suspendTimeoutMillis: 10_000 }),
    12_000,
  );
  const dropped = gone.invokeSync(
    broker.addr,
    pullRequest({
      consumerGroup: "g",
      topic: "PullStop",
      queueId: 1,
      suspendTimeoutMillis: 10_000,
    }),
    12_000,
  ).catch((e: Error) => e);
  while (holds.size < 2) await new Promise((r) => setTimeout(r, 5));
  await gone.close();
  assert.ok((await dropped) instanceof Error);
  while (holds.size > 1) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  await broker.stop();
  const res = await held;
  assert.equal(res.code, ResponseCode.PULL_NOT_FOUND);
  assert.ok(Date.now() - started < 1000, "shutdown did not wait for the hold to run out");
});

Deno.test("pullResponseCode() maps store statuses as the 4.9 broker does", () => {
  assert.equal(pullResponseCode(GetStatus.FOUND, 0), 0);
  assert.equal(pullResponseCode(GetStatus.NO_MATCHED_MESSAGE, 0), 20);
  assert.equal(pullResponseCode(GetStatus.MESSAGE_WAS_REMOVING, 0), 20);
  assert.equal(pullResponseCode(GetStatus.NO_MESSAGE_IN_QUEUE, 0), 19);
  assert.equal(pullResponseCode(GetStatus.NO_MESSAGE_IN_QUEUE, 3), 21);
  assert.equal(pullResponseCode(GetStatus.NO_MATCHED_LOGIC_QUEUE, 3), 21);
  assert.equal(pullResponseCode(GetStatus.OFFSET_FOUND_NULL, 3), 19);
  assert.equal(pullResponseCode(GetStatus.OFFSET_OVERFLOW_ONE, 3), 19);
  assert.equal(pullResponseCode(GetStatus.OFFSET_OVERFLOW_BADLY, 3), 21);
  assert.equal(pullResponseCode(GetStatus.OFFSET_TOO_SMALL, 3), 21);
});
