import assert from "node:assert/strict";
import type { MessageRecord } from "../../../src/common/message/message_codec.ts";
import { createOffsetMsgId } from "../../../src/common/message/message_id.ts";
import { decodeProperties, encodeProperties } from "../../../src/common/message/properties.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { ConsumerSendMsgBackRequestHeader } from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { SCHEDULE_TOPIC } from "../../../src/store/message_store.ts";
import { StatsName } from "../../../src/broker/broker_stats.ts";
import { startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { pullRequest, records, request, send } from "../../helpers/consume.ts";
import { sendHeader, sendRequest, utf8 } from "../../helpers/send.ts";

/** Short delay levels: every retry is due 50 ms after it is sent back. */
const FAST_LEVELS = "50ms 50ms 50ms 50ms 50ms 50ms 50ms 50ms";

async function pullOne(
  client: RemotingClient,
  cluster: TestCluster,
  topic: string,
  queueOffset = 0,
  timeoutMs = 3000,
): Promise<MessageRecord> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const res = await client.invokeSync(
      cluster.brokers[0].addr,
      pullRequest({
        consumerGroup: "TOOLS_CONSUMER",
        topic,
        queueOffset,
        suspendTimeoutMillis: 500,
      }),
      3000,
    );
    const got = records(res);
    if (got.length > 0) return got[0];
    if (Date.now() > deadline) throw new Error(`No message at ${topic}:${queueOffset}`);
  }
}

function sendBack(
  client: RemotingClient,
  addr: string,
  h: { offset: number; group: string; delayLevel?: number; maxReconsumeTimes?: number },
  version?: number,
) {
  const req = request(RequestCode.CONSUMER_SEND_MSG_BACK, ConsumerSendMsgBackRequestHeader, {
    delayLevel: 0,
    originTopic: "T",
    ...h,
  });
  if (version !== undefined) req.version = version;
  return client.invokeSync(addr, req, 3000);
}

Deno.test("CONSUMER_SEND_MSG_BACK retries through %RETRY% with delay 3 + reconsumeTimes, then %DLQ%", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: FAST_LEVELS } });
  await cluster.createTopic("SBT", { queues: 1 });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const store = broker.controller.store;
  const sent = await send(client, broker.addr, "SBT", "payload", {
    tags: "TagA",
    properties: { KEYS: "k1", UNIQ_KEY: "UNIQ0001" },
  });
  const original = await pullOne(client, cluster, "SBT");
  const originId = createOffsetMsgId(original.storeHost, original.physicalOffset);
  assert.equal(originId, sent.extFields.msgId);

  let res = await sendBack(client, broker.addr, {
    offset: original.physicalOffset,
    group: "g",
    maxReconsumeTimes: 2,
  });
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  assert.equal(store.getMaxOffsetInQueue(SCHEDULE_TOPIC, 2), 1, "parked at level 3");
  const retry1 = await pullOne(client, cluster, "%RETRY%g");
  assert.equal(retry1.topic, "%RETRY%g");
  assert.equal(retry1.reconsumeTimes, 1);
  assert.equal(retry1.bornTimestamp, original.bornTimestamp);
  assert.deepEqual(retry1.body, utf8("payload"));
  const p1 = decodeProperties(retry1.properties);
  assert.equal(p1.RETRY_TOPIC, "SBT");
  assert.equal(p1.ORIGIN_MESSAGE_ID, originId);
  assert.equal(p1.TAGS, "TagA");
  assert.equal(p1.KEYS, "k1");
  assert.equal(p1.UNIQ_KEY, "UNIQ0001");
  assert.equal(p1.REAL_TOPIC, "%RETRY%g");
  assert.equal(p1.DELAY, undefined, "delivered without DELAY");
  assert.ok(
    retry1.storeTimestamp - original.storeTimestamp >= 50,
    "delivered no earlier than its level",
  );

  res = await sendBack(client, broker.addr, {
    offset: retry1.physicalOffset,
    group: "g",
    maxReconsumeTimes: 2,
  });
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(store.getMaxOffsetInQueue(SCHEDULE_TOPIC, 3), 1, "parked at level 4");
  const retry2 = await pullOne(client, cluster, "%RETRY%g", 1);
  assert.equal(retry2.reconsumeTimes, 2);
  assert.equal(decodeProperties(retry2.properties).RETRY_TOPIC, "SBT", "kept, not replaced");

  res = await sendBack(client, broker.addr, {
    offset: retry2.physicalOffset,
    group: "g",
    maxReconsumeTimes: 2,
  });
  assert.equal(res.code, ResponseCode.SUCCESS);
  const dead = await pullOne(client, cluster, "%DLQ%g");
  assert.equal(dead.queueId, 0);
  assert.equal(dead.reconsumeTimes, 3);
  const pd = decodeProperties(dead.properties);
  assert.equal(pd.ORIGIN_MESSAGE_ID, originId);
  assert.equal(pd.DELAY, undefined);
  const dlq = broker.controller.topicConfigManager.get("%DLQ%g");
  assert.deepEqual([dlq?.readQueueNums, dlq?.writeQueueNums, dlq?.perm], [1, 1, 6]);
  await cluster.waitForRoute("%DLQ%g");
  // Every send-back counted under the original topic (mqadmin's SNDBCK_PUT_NUMS).
  const stats = broker.controller.services.stats;
  stats.sampleAll("minute");
  assert.equal(stats.data(StatsName.SNDBCK_PUT_NUMS, "SBT@g")?.statsMinute.sum, 3);
});

Deno.test("CONSUMER_SEND_MSG_BACK sends a negative delay level straight to %DLQ%", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("SBNeg", { queues: 1 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await send(client, addr, "SBNeg", "x");
  const m = await pullOne(client, cluster, "SBNeg");
  const res = await sendBack(client, addr, {
    offset: m.physicalOffset,
    group: "g",
    delayLevel: -1,
  });
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal((await pullOne(client, cluster, "%DLQ%g")).reconsumeTimes, 1);
});

Deno.test("CONSUMER_SEND_MSG_BACK refuses unknown groups and offsets, and drops with no retry queues", async () => {
  await using cluster = await startCluster({ broker: { autoCreateSubscriptionGroup: false } });
  await cluster.createTopic("SBRef", { queues: 1 });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const groups = broker.controller.services.subscriptionGroups;
  let res = await sendBack(client, broker.addr, { offset: 0, group: "unknown" });
  assert.deepEqual([res.code, res.remark], [26, "subscription group not exist, unknown"]);
  groups.update({ ...groups.get("TOOLS_CONSUMER")!, groupName: "g" });
  res = await sendBack(client, broker.addr, { offset: 1 << 30, group: "g" });
  assert.deepEqual([res.code, res.remark], [1, `look message by offset failed, ${1 << 30}`]);

  await send(client, broker.addr, "SBRef", "x");
  const m = await pullOne(client, cluster, "SBRef");
  groups.update({ ...groups.get("g")!, retryQueueNums: 0 });
  const before = broker.controller.store.maxPhyOffset;
  res = await sendBack(client, broker.addr, { offset: m.physicalOffset, group: "g" });
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(broker.controller.store.maxPhyOffset, before, "nothing stored");
});

Deno.test("CONSUMER_SEND_MSG_BACK takes the group's retryMaxTimes from clients before V3_4_9", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("SBOld", { queues: 1 });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const groups = broker.controller.services.subscriptionGroups;
  groups.update({ ...groups.find("g")!, retryMaxTimes: 0 });
  await send(client, broker.addr, "SBOld", "x");
  const m = await pullOne(client, cluster, "SBOld");
  const res = await sendBack(
    client,
    broker.addr,
    { offset: m.physicalOffset, group: "g", maxReconsumeTimes: 16 },
    120,
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal((await pullOne(client, cluster, "%DLQ%g")).reconsumeTimes, 1);
});

Deno.test("SEND_MESSAGE_V2 to %RETRY%<group> goes to %DLQ% once reconsumeTimes reaches the limit", async () => {
  await using cluster = await startCluster({ broker: { autoCreateSubscriptionGroup: false } });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const groups = broker.controller.services.subscriptionGroups;
  const sendRetry = (group: string, reconsumeTimes: number) =>
    client.invokeSync(
      broker.addr,
      sendRequest(
        sendHeader(`%RETRY%${group}`, {
          reconsumeTimes,
          maxReconsumeTimes: 3,
          properties: encodeProperties({ DELAY: "3", RETRY_TOPIC: "T" }),
        }),
        utf8("again"),
      ),
      3000,
    );
  let res = await sendRetry("nogroup", 3);
  assert.equal(res.code, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
  groups.update({ ...groups.get("TOOLS_CONSUMER")!, groupName: "g" });
  res = await sendRetry("g", 3);
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  const dead = await pullOne(client, cluster, "%DLQ%g");
  assert.equal(dead.reconsumeTimes, 3);
  assert.equal(decodeProperties(dead.properties).DELAY, undefined);
  res = await sendRetry("g", 1);
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(
    broker.controller.store.getMaxOffsetInQueue(SCHEDULE_TOPIC, 2),
    1,
    "a retry, delayed",
  );
});
