import assert from "node:assert/strict";
import { textDecoder } from "../../../src/common/bytes.ts";
import { decodeConsumeStats } from "../../../src/remoting/body/consume_stats.ts";
import {
  decodeConsumerConnection,
  decodeProducerConnection,
} from "../../../src/remoting/body/connection.ts";
import { decodeGroupList } from "../../../src/remoting/body/consumer_list.ts";
import { decodeResetOffsetBody } from "../../../src/remoting/body/reset_offset_body.ts";
import {
  decodeSubscriptionGroupWrapper,
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
} from "../../../src/remoting/body/subscription_group_config.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest, type RemotingCommand } from "../../../src/remoting/command.ts";
import {
  CloneGroupOffsetRequestHeader,
  ConsumeMessageDirectlyResultRequestHeader,
  ConsumerGroupRequestHeader,
  DeleteSubscriptionGroupRequestHeader,
  GetConsumerRunningInfoRequestHeader,
  GetConsumeStatsRequestHeader,
  ProducerGroupRequestHeader,
  QueryConsumerOffsetRequestHeader,
  ResetOffsetRequestHeader,
  TopicRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { consumer, heartbeat, request, send, sub } from "../../helpers/consume.ts";
import { startProducer, startPushConsumer } from "../../helpers/consumers.ts";

Deno.test("UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, GET_ALL_SUBSCRIPTIONGROUP_CONFIG and DELETE_SUBSCRIPTIONGROUP keep groups across a restart", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const call = (req: RemotingCommand) => client.invokeSync(broker.addr, req, 3000);
  const config = { ...defaultSubscriptionGroupConfig("gadm"), retryMaxTimes: 3, retryQueueNums: 2 };
  let res = await call(
    createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, {
      body: encodeSubscriptionGroupConfig(config),
    }),
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  const all = async () =>
    decodeSubscriptionGroupWrapper(
      (await call(createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG))).body!,
    );
  let w = await all();
  assert.deepEqual(w.subscriptionGroupTable.get("gadm"), config);
  assert.ok(w.subscriptionGroupTable.has("TOOLS_CONSUMER"));
  assert.ok(w.dataVersion.counter >= 1);

  await call(
    request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
      consumerGroup: "gadm",
      topic: "T",
      queueId: 0,
      commitOffset: 9,
    }),
  );
  await broker.restart();
  const text = await Deno.readTextFile(`${broker.storeDir}/config/subscriptionGroup.json`);
  assert.match(text, /"gadm":\{"brokerId":0,/);
  w = await all();
  assert.deepEqual(w.subscriptionGroupTable.get("gadm"), config, "kept across a restart");

  res = await call(
    request(RequestCode.DELETE_SUBSCRIPTIONGROUP, DeleteSubscriptionGroupRequestHeader, {
      groupName: "gadm",
      removeOffset: true,
    }),
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal((await all()).subscriptionGroupTable.has("gadm"), false);
  res = await call(
    request(RequestCode.QUERY_CONSUMER_OFFSET, QueryConsumerOffsetRequestHeader, {
      consumerGroup: "gadm",
      topic: "T",
      queueId: 0,
    }),
  );
  assert.equal(res.extFields.offset, "0", "its offsets went with it");
});

Deno.test("GET_ALL_CONSUMER_OFFSET and GET_ALL_DELAY_OFFSET answer fastjson with unquoted int keys", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: "1s 2s" } });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await cluster.createTopic("T", { queues: 2 });
  for (let i = 0; i < 7; i++) await send(client, addr, "T", `m${i}`, { queueId: i % 2 });
  for (const [queueId, commitOffset] of [[1, 3], [0, 4]]) {
    await client.invokeSync(
      addr,
      request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
        consumerGroup: "g",
        topic: "T",
        queueId,
        commitOffset,
      }),
      3000,
    );
  }
  let res = await client.invokeSync(addr, createRequest(RequestCode.GET_ALL_CONSUMER_OFFSET), 3000);
  assert.equal(textDecoder.decode(res.body), '{"offsetTable":{"T@g":{0:4,1:3}}}');
  res = await client.invokeSync(addr, createRequest(RequestCode.GET_ALL_DELAY_OFFSET), 3000);
  assert.equal(textDecoder.decode(res.body), '{"offsetTable":{1:0,2:0}}');
});

Deno.test("GET_CONSUME_STATS lists broker and consumer offsets per queue", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Stats", { queues: 2 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  for (let i = 0; i < 3; i++) await send(client, addr, "Stats", `m${i}`);
  await client.invokeSync(
    addr,
    request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
      consumerGroup: "gs",
      topic: "Stats",
      queueId: 0,
      commitOffset: 2,
    }),
    3000,
  );
  const res = await client.invokeSync(
    addr,
    request(RequestCode.GET_CONSUME_STATS, GetConsumeStatsRequestHeader, { consumerGroup: "gs" }),
    3000,
  );
  assert.match(
    textDecoder.decode(res.body),
    /^\{"consumeTps":0,"offsetTable":\{\{"brokerName":"broker-a","queueId":0,"topic":"Stats"\}:\{"brokerOffset":3,"consumerOffset":2,"lastTimestamp":\d+\},/,
  );
  const stats = decodeConsumeStats(res.body!);
  assert.deepEqual(
    stats.offsetTable.map(([mq, o]) => [mq.queueId, o.brokerOffset, o.consumerOffset]),
    [
      [0, 3, 2],
      [1, 0, 0],
    ],
  );
  assert.ok(stats.offsetTable[0][1].lastTimestamp > 0);
});

Deno.test("GET_CONSUMER_CONNECTION_LIST, GET_PRODUCER_CONNECTION_LIST and QUERY_TOPIC_CONSUME_BY_WHO describe connected clients", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const call = (req: RemotingCommand) => client.invokeSync(addr, req, 3000);
  let res = await call(
    request(RequestCode.GET_CONSUMER_CONNECTION_LIST, ConsumerGroupRequestHeader, {
      consumerGroup: "gc",
    }),
  );
  assert.deepEqual([res.code, res.remark], [206, "the consumer group[gc] not online"]);
  res = await call(
    request(RequestCode.GET_PRODUCER_CONNECTION_LIST, ProducerGroupRequestHeader, {
      producerGroup: "pg",
    }),
  );
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);

  await heartbeat(client, addr, "client-1", [consumer("gc", [sub("T", "TagA")])], ["pg"]);
  res = await call(
    request(RequestCode.GET_CONSUMER_CONNECTION_LIST, ConsumerGroupRequestHeader, {
      consumerGroup: "gc",
    }),
  );
  const cc = decodeConsumerConnection(res.body!);
  assert.equal(cc.connectionSet.length, 1);
  assert.equal(cc.connectionSet[0].clientId, "client-1");
  assert.equal(cc.connectionSet[0].language, "JAVA");
  assert.match(cc.connectionSet[0].clientAddr, /^127\.0\.0\.1:\d+$/);
  assert.equal(cc.messageModel, "CLUSTERING");
  assert.deepEqual(cc.subscriptionTable.get("T")?.tagsSet, ["TagA"]);
  res = await call(
    request(RequestCode.GET_PRODUCER_CONNECTION_LIST, ProducerGroupRequestHeader, {
      producerGroup: "pg",
    }),
  );
  assert.deepEqual(decodeProducerConnection(res.body!).map((c) => c.clientId), ["client-1"]);

  await call(
    request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
      consumerGroup: "offline",
      topic: "T",
      queueId: 0,
      commitOffset: 1,
    }),
  );
  res = await call(
    request(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, TopicRequestHeader, { topic: "T" }),
  );
  assert.deepEqual(decodeGroupList(res.body!).sort(), ["gc", "offline"]);
});

Deno.test("CLONE_GROUP_OFFSET and INVOKE_BROKER_TO_RESET_OFFSET move a group's offsets", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Reset", { queues: 1 });
  const resets: RemotingCommand[] = [];
  await using client = new RemotingClient();
  client.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (req) => {
    resets.push(req);
    return null;
  });
  const addr = cluster.brokers[0].addr;
  const call = (req: RemotingCommand) => client.invokeSync(addr, req, 3000);
  for (let i = 0; i < 4; i++) await send(client, addr, "Reset", `m${i}`);
  await call(
    request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
      consumerGroup: "src",
      topic: "Reset",
      queueId: 0,
      commitOffset: 3,
    }),
  );
  let res = await call(
    request(RequestCode.CLONE_GROUP_OFFSET, CloneGroupOffsetRequestHeader, {
      srcGroup: "src",
      destGroup: "dest",
      topic: "Reset",
      offline: true,
    }),
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  res = await call(
    request(RequestCode.QUERY_CONSUMER_OFFSET, QueryConsumerOffsetRequestHeader, {
      consumerGroup: "dest",
      topic: "Reset",
      queueId: 0,
    }),
  );
  assert.equal(res.extFields.offset, "3");

  const reset = (isForce: boolean, timestamp = 0) =>
    call(
      request(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, ResetOffsetRequestHeader, {
        topic: "Reset",
        group: "dest",
        timestamp,
        isForce,
      }),
    );
  res = await reset(true);
  assert.equal(res.code, ResponseCode.CONSUMER_NOT_ONLINE);
  await heartbeat(client, addr, "c", [consumer("dest", [sub("Reset", "*")])]);
  res = await reset(true);
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.deepEqual(decodeResetOffsetBody(res.body!).map(([, o]) => o), [0]);
  res = await reset(false, -1);
  assert.deepEqual(decodeResetOffsetBody(res.body!).map(([, o]) => o), [3], "only lowered");
  const deadline = Date.now() + 2000;
  while (resets.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(resets.length, 2);
  assert.equal(resets[0].extFields.group, "dest");
  assert.equal(resets[0].extFields.isForce, "true");
  assert.deepEqual(decodeResetOffsetBody(resets[0].body!)[0][0], {
    topic: "Reset",
    brokerName: "broker-a",
    queueId: 0,
  });
});

Deno.test("GET_CONSUMER_RUNNING_INFO and CONSUME_MESSAGE_DIRECTLY reach the consumer by client id", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Fwd", { queues: 1 });
  await using producer = await startProducer(cluster);
  await using c = await startPushConsumer(cluster, { consumerGroup: "FwdGroup" }, [["Fwd", "*"]]);
  const sent = await producer.send({ topic: "Fwd", body: "direct" });
  await c.received.waitForCount(1);
  const addr = cluster.brokers[0].addr;
  await using client = new RemotingClient();
  const clientId = c.consumer.clientId!;

  let res = await client.invokeSync(
    addr,
    request(RequestCode.GET_CONSUMER_RUNNING_INFO, GetConsumerRunningInfoRequestHeader, {
      consumerGroup: "FwdGroup",
      clientId,
      jstackEnable: false,
    }),
    5000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  assert.match(textDecoder.decode(res.body), /"subscriptionSet":\[/);

  res = await client.invokeSync(
    addr,
    request(RequestCode.CONSUME_MESSAGE_DIRECTLY, ConsumeMessageDirectlyResultRequestHeader, {
      consumerGroup: "FwdGroup",
      clientId,
      msgId: sent.offsetMsgId,
    }),
    5000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  assert.match(textDecoder.decode(res.body), /"consumeResult":"CR_SUCCESS"/);
  await c.received.waitForCount(2);
  assert.equal(c.received.list[1].body, "direct");

  res = await client.invokeSync(
    addr,
    request(RequestCode.GET_CONSUMER_RUNNING_INFO, GetConsumerRunningInfoRequestHeader, {
      consumerGroup: "FwdGroup",
      clientId: "10.0.0.1@gone",
    }),
    5000,
  );
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(res.remark, "The Consumer <FwdGroup> <10.0.0.1@gone> not online");
});
