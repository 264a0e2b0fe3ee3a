import assert from "node:assert/strict";
import { messageTimeup } from "../../src/broker/schedule_message_service.ts";
import {
  decodeMessageRecord,
  encodeMessageRecord,
} from "../../src/common/message/message_codec.ts";
import { decodeProperties, encodeProperties } from "../../src/common/message/properties.ts";
import { socketAddressOf } from "../../src/common/message/socket_address.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { SCHEDULE_TOPIC } from "../../src/store/message_store.ts";
import { ConsumerSendMsgBackRequestHeader } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startCluster } from "../helpers/cluster.ts";
import { bodies, pullRequest, records, request, send } from "../helpers/consume.ts";
import { captureLogs } from "../helpers/remoting.ts";
import { message } from "../helpers/store.ts";

Deno.test("ScheduleMessageService delivers a DELAY message to its topic no earlier than its level", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: "100ms 300ms" } });
  await cluster.createTopic("DelayT", { queues: 2 });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const store = broker.controller.store;
  const sentAt = Date.now();
  await send(client, broker.addr, "DelayT", "later", {
    queueId: 1,
    tags: "TagD",
    properties: { DELAY: "2" },
  });
  await send(client, broker.addr, "DelayT", "clamped", { queueId: 1, properties: { DELAY: "9" } });
  assert.equal(store.getMaxOffsetInQueue(SCHEDULE_TOPIC, 1), 2, "both wait at level 2");
  assert.equal(store.getMaxOffsetInQueue("DelayT", 1), 0);

  // A held pull with a tag filter: the delivered message carries its tag's hash code again.
  const res = await client.invokeSync(
    broker.addr,
    pullRequest({ consumerGroup: "g", topic: "DelayT", queueId: 1, subscription: "TagD" }),
    5000,
  );
  const arrived = Date.now() - sentAt;
  assert.deepEqual(bodies(res), ["later"]);
  const m = records(res)[0];
  assert.ok(arrived >= 300, `arrived after ${arrived} ms`);
  assert.ok(arrived < 1500, `arrived after ${arrived} ms`);
  assert.equal(m.topic, "DelayT");
  assert.equal(m.queueId, 1);
  const p = decodeProperties(m.properties);
  assert.equal(p.DELAY, undefined);
  assert.equal(p.REAL_TOPIC, "DelayT");
  assert.equal(p.REAL_QID, "1");
  assert.equal(p.TAGS, "TagD");
  const services = broker.controller.services;
  while (store.getMaxOffsetInQueue("DelayT", 1) < 2) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual([...services.schedule.offsetTable()], [[1, 0], [2, 2]]);
});

Deno.test("ScheduleMessageService keeps its offsets across a graceful restart: nothing lost, nothing twice", async () => {
  await using cluster = await startCluster({
    broker: { messageDelayLevel: "250ms", flushDelayOffsetInterval: 60_000 },
  });
  await cluster.createTopic("DelayR", { queues: 1 });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  for (let i = 0; i < 10; i++) {
    await send(client, broker.addr, "DelayR", `early-${i}`, { properties: { DELAY: "1" } });
  }
  while (broker.controller.store.getMaxOffsetInQueue("DelayR", 0) < 10) {
    await new Promise((r) => setTimeout(r, 10));
  }
  for (let i = 0; i < 10; i++) {
    await send(client, broker.addr, "DelayR", `late-${i}`, { properties: { DELAY: "1" } });
  }
  // Stopped while the second ten wait: the offset written at shutdown is 10.
  await broker.stop();
  const path = `${broker.storeDir}/config/delayOffset.json`;
  assert.equal(await Deno.readTextFile(path), '{"offsetTable":{1:10}}');
  await broker.restart();
  const store = broker.controller.store;
  const deadline = Date.now() + 3000;
  while (store.getMaxOffsetInQueue("DelayR", 0) < 20 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 300)); // time for a duplicate to show up, if any
  const res = await client.invokeSync(
    broker.addr,
    pullRequest({ consumerGroup: "g", topic: "DelayR", maxMsgNums: 64, sysFlag: 4 }),
    3000,
  );
  const got = bodies(res);
  assert.equal(got.length, 20);
  assert.deepEqual(
    [...got].sort(),
    [
      ...Array.from({ length: 10 }, (_, i) => `early-${i}`),
      ...Array.from({ length: 10 }, (_, i) => `late-${i}`),
    ]
      .sort(),
  );
  await broker.stop();
  assert.equal(await Deno.readTextFile(path), '{"offsetTable":{1:20}}');
});

Deno.test("messageTimeup() restores the real topic and queue and drops DELAY", () => {
  const host = socketAddressOf("127.0.0.1:10911");
  const record = encodeMessageRecord({
    queueId: 2,
    flag: 5,
    queueOffset: 0,
    physicalOffset: 100,
    sysFlag: 0,
    bornTimestamp: 1,
    bornHost: socketAddressOf("10.0.0.9:4000"),
    storeTimestamp: 2,
    storeHost: host,
    reconsumeTimes: 3,
    preparedTransactionOffset: 0,
    body: new Uint8Array([1, 2, 3]),
    topic: SCHEDULE_TOPIC,
    properties: encodeProperties({ TAGS: "t", DELAY: "3", REAL_TOPIC: "RT", REAL_QID: "4" }),
  });
  const m = messageTimeup(decodeMessageRecord(record));
  assert.ok(m);
  assert.equal(m.topic, "RT");
  assert.equal(m.queueId, 4);
  assert.equal(m.flag, 5);
  assert.equal(m.reconsumeTimes, 3);
  assert.equal(m.waitStoreMsgOK, false);
  assert.deepEqual({ ...decodeProperties(m.properties) }, {
    TAGS: "t",
    REAL_TOPIC: "RT",
    REAL_QID: "4",
  });
  const noReal = decodeMessageRecord(record);
  noReal.properties = encodeProperties({ DELAY: "3" });
  assert.equal(messageTimeup(noReal), undefined);
});

Deno.test("A due message that can never be stored again does not hold its delay level up", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: "50ms" } });
  await cluster.createTopic("DelayOk", { queues: 1 });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  // A send-back for a group no retry topic can be named after is refused up front.
  const res = await client.invokeSync(
    broker.addr,
    request(RequestCode.CONSUMER_SEND_MSG_BACK, ConsumerSendMsgBackRequestHeader, {
      offset: 0,
      group: "bad.group",
      delayLevel: 0,
      originTopic: "DelayOk",
    }),
    3000,
  );
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.match(res.remark!, /bad\.group\] contains illegal characters/);
  // One parked before the check existed (as an older broker left it), then a good one.
  using logs = captureLogs();
  const poisoned = message(SCHEDULE_TOPIC, 0, {
    DELAY: "1",
    REAL_TOPIC: "%RETRY%bad.group",
    REAL_QID: "0",
  });
  assert.equal((await broker.controller.store.putMessage(poisoned)).status, "PUT_OK");
  await send(client, broker.addr, "DelayOk", "on time", { properties: { DELAY: "1" } });
  const deadline = Date.now() + 3000;
  while (broker.controller.store.getMaxOffsetInQueue("DelayOk", 0) < 1) {
    assert.ok(Date.now() < deadline, "the good message is delivered");
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(logs.matching("error", "cannot be stored under").length, 1);
  assert.deepEqual([...broker.controller.services.schedule.offsetTable()], [[1, 2]]);
});
