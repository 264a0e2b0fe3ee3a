import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import { parseFastJson } from "../../../src/common/fastjson.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import { encodeHeader } from "../../../src/remoting/header_codec.ts";
import { CreateTopicRequestHeader } from "../../../src/remoting/headers.ts";
import { decodeDataVersion } from "../../../src/remoting/body/data_version.ts";
import { decodeProperties } from "../../../src/remoting/body/properties_body.ts";
import {
  topicConfigFromJson,
  topicConfigWrapperFromJson,
} from "../../../src/remoting/body/topic_config.ts";
import { decodeKVTable } from "../../../src/remoting/body/topic_list.ts";
import { decodeTopicStatsTable } from "../../../src/remoting/body/topic_stats_table.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { PutStatus } from "../../../src/store/message_store.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { sendHeader, sendRequest, utf8 } from "../../helpers/send.ts";

function createTopic(topic: string, queues = 4, perm = 6) {
  return createRequest(
    RequestCode.UPDATE_AND_CREATE_TOPIC,
    encodeHeader(CreateTopicRequestHeader, {
      topic,
      defaultTopic: "TBW102",
      readQueueNums: queues,
      writeQueueNums: queues,
      perm,
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: 0,
      order: false,
    }),
  );
}

Deno.test("UPDATE_AND_CREATE_TOPIC stores the topic, persists it and registers it at once", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const res = await client.invokeSync(broker.addr, createTopic("Orders", 6), 3000);
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  // No waiting: the answer comes after the name server has the route.
  const route = cluster.namesrv.controller.routes.pickupTopicRouteData("Orders");
  assert.equal(route?.queueDatas[0].writeQueueNums, 6);
  await broker.controller.topicConfigManager.flush();
  const file = await Deno.readTextFile(`${broker.storeDir}/config/topics.json`);
  assert.equal(
    topicConfigWrapperFromJson(parseFastJson(file)).topicConfigTable.get("Orders")?.readQueueNums,
    6,
  );

  // Changing it works the same way.
  assert.equal((await client.invokeSync(broker.addr, createTopic("Orders", 2, 4), 3000)).code, 0);
  const changed = cluster.namesrv.controller.routes.pickupTopicRouteData("Orders");
  assert.deepEqual([changed?.queueDatas[0].writeQueueNums, changed?.queueDatas[0].perm], [2, 4]);
});

Deno.test("UPDATE_AND_CREATE_TOPIC refuses bad names, system topics and bad filter types", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  for (
    const [topic, remark] of [
      ["bad name", /contains illegal characters/],
      ["TBW102", /^The topic\[TBW102\] is conflict with system topic\.$/],
      ["DefaultCluster", /is conflict with system topic/],
      ["broker-a", /is conflict with system topic/],
      ["rmq_sys_x", /is conflict with system topic/],
    ] as const
  ) {
    const res = await client.invokeSync(addr, createTopic(topic), 3000);
    assert.equal(res.code, ResponseCode.SYSTEM_ERROR, topic);
    assert.match(res.remark ?? "", remark, topic);
  }
  const req = createTopic("T");
  req.extFields.topicFilterType = "EVERY_TAG";
  const res = await client.invokeSync(addr, req, 3000);
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.match(res.remark ?? "", /Unknown topicFilterType "EVERY_TAG"/);
});

Deno.test("DELETE_TOPIC_IN_BROKER removes the topic and its queues", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  await client.invokeSync(broker.addr, createTopic("Gone", 1), 3000);
  await client.invokeSync(broker.addr, sendRequest(sendHeader("Gone"), utf8("x")), 3000);
  assert.equal(broker.controller.store.getMaxOffsetInQueue("Gone", 0), 1);
  const del = (topic: string) =>
    client.invokeSync(
      broker.addr,
      createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, { topic }),
      3000,
    );
  assert.equal((await del("Gone")).code, ResponseCode.SUCCESS);
  assert.equal(broker.controller.topicConfigManager.get("Gone"), undefined);
  assert.equal(broker.controller.store.getMaxOffsetInQueue("Gone", 0), 0);
  const sys = await del("SCHEDULE_TOPIC_XXXX");
  assert.equal(sys.code, ResponseCode.SYSTEM_ERROR);
  assert.match(sys.remark ?? "", /conflict with system topic/);
});

Deno.test("GET_ALL_TOPIC_CONFIG and GET_TOPIC_CONFIG return the topic table", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await client.invokeSync(addr, createTopic("Listed", 3), 3000);
  const all = await client.invokeSync(addr, createRequest(RequestCode.GET_ALL_TOPIC_CONFIG), 3000);
  assert.equal(all.code, ResponseCode.SUCCESS);
  const w = topicConfigWrapperFromJson(parseFastJson(textDecoder.decode(all.body!)));
  assert.equal(w.topicConfigTable.get("Listed")?.writeQueueNums, 3);
  assert.ok(w.topicConfigTable.has("TBW102"));
  assert.ok(w.dataVersion.counter >= 1);

  const one = await client.invokeSync(
    addr,
    createRequest(RequestCode.GET_TOPIC_CONFIG, { topic: "Listed" }),
    3000,
  );
  assert.equal(topicConfigFromJson(parseFastJson(textDecoder.decode(one.body!))).readQueueNums, 3);
  const none = await client.invokeSync(
    addr,
    createRequest(RequestCode.GET_TOPIC_CONFIG, { topic: "Nope" }),
    3000,
  );
  assert.equal(none.code, ResponseCode.TOPIC_NOT_EXIST);
});

Deno.test("GET_TOPIC_STATS_INFO gives each queue's offsets and newest store time", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await client.invokeSync(addr, createTopic("Stats", 2), 3000);
  const before = Date.now();
  for (let i = 0; i < 3; i++) {
    await client.invokeSync(
      addr,
      sendRequest(sendHeader("Stats", { queueId: 1 }), utf8("x")),
      3000,
    );
  }
  const res = await client.invokeSync(
    addr,
    createRequest(RequestCode.GET_TOPIC_STATS_INFO, { topic: "Stats" }),
    3000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.match(
    textDecoder.decode(res.body!),
    /^\{"offsetTable":\{\{"brokerName":"broker-a","queueId":0,"topic":"Stats"\}:\{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0\},\{/,
  );
  const [[q0, o0], [q1, o1]] = decodeTopicStatsTable(res.body!);
  assert.deepEqual([q0.queueId, o0.maxOffset], [0, 0]);
  assert.deepEqual([q1.queueId, o1.minOffset, o1.maxOffset], [1, 0, 3]);
  assert.ok(o1.lastUpdateTimestamp >= before && o1.lastUpdateTimestamp <= Date.now());
  const none = await client.invokeSync(
    addr,
    createRequest(RequestCode.GET_TOPIC_STATS_INFO, { topic: "Nope" }),
    3000,
  );
  assert.equal(none.code, ResponseCode.TOPIC_NOT_EXIST);
});

Deno.test("GET_BROKER_CONFIG and UPDATE_BROKER_CONFIG read and change live settings", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const get = () =>
    client.invokeSync(broker.addr, createRequest(RequestCode.GET_BROKER_CONFIG), 3000);
  const first = await get();
  const props = decodeProperties(first.body!);
  assert.equal(props.get("brokerName"), "broker-a");
  assert.equal(props.get("flushDiskType"), "ASYNC_FLUSH");
  assert.equal(props.get("autoCreateTopicEnable"), "true");
  const v1 = decodeDataVersion(textEncoder.encode(first.extFields.version));

  const update = (text: string) =>
    client.invokeSync(
      broker.addr,
      createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, { body: textEncoder.encode(text) }),
      3000,
    );
  // A key the broker does not have is refused, and nothing of the request applied.
  const unknown = await update("autoCreateTopicEnable=false\nnoSuchKey=1\n");
  assert.equal(unknown.code, ResponseCode.SYSTEM_ERROR);
  assert.match(unknown.remark ?? "", /^Unknown config key noSuchKey/);
  assert.equal(decodeProperties((await get()).body!).get("autoCreateTopicEnable"), "true");
  assert.equal((await update("autoCreateTopicEnable=false\n")).code, 0);
  const second = await get();
  assert.equal(decodeProperties(second.body!).get("autoCreateTopicEnable"), "false");
  assert.equal(
    decodeDataVersion(textEncoder.encode(second.extFields.version)).counter,
    v1.counter + 1,
  );
  // Now sends to unknown topics are refused.
  const res = await client.invokeSync(
    broker.addr,
    sendRequest(sendHeader("Fresh"), utf8("x")),
    3000,
  );
  assert.equal(res.code, ResponseCode.TOPIC_NOT_EXIST);

  const fixed = await update("listenPort=1234");
  assert.equal(fixed.code, ResponseCode.SYSTEM_ERROR);
  assert.match(fixed.remark ?? "", /^Cannot update listenPort while the broker runs/);
  const bad = await update("brokerPermission=lots");
  assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
  assert.match(bad.remark ?? "", /Invalid value for brokerPermission/);
});

Deno.test("UPDATE_BROKER_CONFIG brokerPermission re-registers with the topics' perm lowered", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  await client.invokeSync(broker.addr, createTopic("Perm"), 3000);
  const res = await client.invokeSync(
    broker.addr,
    createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, {
      body: textEncoder.encode("brokerPermission=4\n"),
    }),
    3000,
  );
  assert.equal(res.code, 0);
  const deadline = Date.now() + 2000;
  while (cluster.namesrv.controller.routes.pickupTopicRouteData("Perm")?.queueDatas[0].perm !== 4) {
    assert.ok(Date.now() < deadline, "route perm lowered to read-only");
    await new Promise((r) => setTimeout(r, 10));
  }
});

Deno.test("GET_BROKER_RUNTIME_INFO reports the broker's version and store figures", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await client.invokeSync(addr, sendRequest(sendHeader("Info"), utf8("x")), 3000);
  const res = await client.invokeSync(
    addr,
    createRequest(RequestCode.GET_BROKER_RUNTIME_INFO),
    3000,
  );
  const kv = decodeKVTable(res.body!);
  assert.equal(kv.get("brokerVersionDesc"), "V4_9_8");
  assert.equal(kv.get("brokerVersion"), "409");
  assert.equal(kv.get("putMessageTimesTotal"), "1");
  assert.equal(kv.get("sendThreadPoolQueueCapacity"), "10000");
  assert.match(kv.get("runtime") ?? "", /^\[ 0 days, 0 hours, 0 minutes, \d+ seconds \]$/);
  assert.ok(Number(kv.get("commitLogMaxOffset")) > 0);
  // Every key a 4.8 broker reports (mqadmin clusterList and brokerStatus read them).
  const missing = JAVA_RUNTIME_KEYS.filter((k) => !kv.has(k));
  assert.deepEqual(missing, []);
  assert.equal(kv.get("scheduleMessageOffset_1"), "0,0");
  assert.equal(kv.get("pullThreadPoolQueueSize"), "0");
  assert.equal(kv.get("putTps"), "  ", "no window covered yet: three empty rates");
  assert.match(kv.get("putMessageDistributeTime") ?? "", /^\[<=0ms\]:\d+ \[0~10ms\]:\d+ /);
  assert.match(kv.get("commitLogDirCapacity") ?? "", /^Total : [\d.]+ [KMGT]?i?B, Free : /);
});

/** GET_BROKER_RUNTIME_INFO's keys on a 4.8 broker (besides scheduleMessageOffset_<level>). */
const JAVA_RUNTIME_KEYS = [
  "brokerVersionDesc",
  "brokerVersion",
  "msgPutTotalYesterdayMorning",
  "msgPutTotalTodayMorning",
  "msgPutTotalTodayNow",
  "msgGetTotalYesterdayMorning",
  "msgGetTotalTodayMorning",
  "msgGetTotalTodayNow",
  "sendThreadPoolQueueSize",
  "sendThreadPoolQueueCapacity",
  "pullThreadPoolQueueSize",
  "pullThreadPoolQueueCapacity",
  "queryThreadPoolQueueSize",
  "queryThreadPoolQueueCapacity",
  "EndTransactionQueueSize",
  "EndTransactionThreadPoolQueueCapacity",
  "dispatchBehindBytes",
  "pageCacheLockTimeMills",
  "sendThreadPoolQueueHeadWaitTimeMills",
  "pullThreadPoolQueueHeadWaitTimeMills",
  "queryThreadPoolQueueHeadWaitTimeMills",
  "earliestMessageTimeStamp",
  "startAcceptSendRequestTimeStamp",
  "remainHowManyDataToFlush",
  "commitLogDirCapacity",
  "bootTimestamp",
  "runtime",
  "putMessageEntireTimeMax",
  "putMessageTimesTotal",
  "putMessageSizeTotal",
  "putMessageDistributeTime",
  "putMessageAverageSize",
  "dispatchMaxBuffer",
  "getMessageEntireTimeMax",
  "putTps",
  "getFoundTps",
  "getMissTps",
  "getTotalTps",
  "getTransferedTps",
  "commitLogDiskRatio",
  "consumeQueueDiskRatio",
  "commitLogMinOffset",
  "commitLogMaxOffset",
];

Deno.test("CLEAN_UNUSED_TOPIC deletes queues of topics the broker no longer has; CLEAN_EXPIRED_CONSUMEQUEUE answers SUCCESS", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  await client.invokeSync(broker.addr, sendRequest(sendHeader("Kept"), utf8("x")), 3000);
  // Queues without a topic config: what an edited topics.json leaves behind.
  const store = broker.controller.store;
  const orphan = await store.putMessage({
    topic: "Orphan",
    queueId: 0,
    flag: 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 1 },
    storeHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 2 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: utf8("x"),
    properties: "",
  });
  assert.equal(orphan.status, PutStatus.PUT_OK);
  await store.flush();
  assert.ok(store.topics().includes("Orphan"));
  const clean = (code: number) => client.invokeSync(broker.addr, createRequest(code), 3000);
  assert.equal((await clean(RequestCode.CLEAN_UNUSED_TOPIC)).code, ResponseCode.SUCCESS);
  assert.deepEqual(store.topics().filter((t) => t === "Orphan" || t === "Kept"), ["Kept"]);
  assert.equal((await clean(RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE)).code, ResponseCode.SUCCESS);
  assert.ok(store.topics().includes("Kept"), "nothing of Kept expired");
});
