import assert from "node:assert/strict";
import { decodeProperties } from "../../src/common/message/properties.ts";
import { MQBrokerError, MQClientError } from "../../src/client/errors.ts";
import { encodeMessageProperties, prepareMessage } from "../../src/client/message.ts";
import { MQClientAPI, processSendResponse } from "../../src/client/mq_client_api.ts";
import { sendMessageHeader } from "../../src/client/producer/send_path.ts";
import { SendStatus } from "../../src/client/producer/send_result.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, createResponse } from "../../src/remoting/command.ts";
import { decodeFrame, encodeFrame } from "../../src/remoting/frame_codec.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";
import { registerTestBroker, startNamesrv } from "../helpers/namesrv.ts";
import { startCluster } from "../helpers/cluster.ts";
import { consumer, heartbeat, send, sub } from "../helpers/consume.ts";

const UNIQ = "7F0000010001000000000000000000AB";

/** A port nothing listens on: bound, then released. */
function deadAddr(): string {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  return `127.0.0.1:${port}`;
}

Deno.test(
  {
    name: "sendMessageHeader() builds the header Java 4.9.8 sends (REMOTING.md §1.2)",
    permissions: { read: true },
  },
  () => {
    // tests/fixtures/frame_json_send_v2_request.hex: the Java 4.9.8 example request.
    const java = decodeFrame(loadHexFixture("frame_json_send_v2_request.hex"));
    const prepared = prepareMessage(
      { topic: "TopicTest", body: "Hello RocketMQ", keys: ["k1"], tags: "TagA" },
      UNIQ,
      { maxMessageSize: 4 << 20, compressOver: 4096, compressLevel: 5 },
    );
    const ours = MQClientAPI.sendRequest(
      sendMessageHeader(
        { producerGroup: "PG", defaultTopic: "TBW102", defaultTopicQueueNums: 4 },
        prepared,
        { topic: "TopicTest", brokerName: "broker-a", queueId: 1 },
        1_700_000_000_000,
      ),
      prepared.body,
    );
    // Round-trip through the wire form so the comparison is of what a broker reads.
    const back = decodeFrame(encodeFrame(ours));
    assert.equal(back.code, java.code);
    assert.deepEqual(back.body, java.body);
    const { i: javaProps, bname: _bname, ...javaRest } = java.extFields;
    const { i: ourProps, ...ourRest } = back.extFields;
    assert.deepEqual(ourRest, javaRest);
    // Property order is a Java HashMap's; the content must be the same.
    assert.deepEqual({ ...decodeProperties(ourProps) }, { ...decodeProperties(javaProps) });
  },
);

Deno.test(
  { name: "MQClientAPI.sendRequest() uses SEND_BATCH_MESSAGE for a batch", permissions: "none" },
  () => {
    const req = MQClientAPI.sendRequest(
      sendMessageHeader(
        { producerGroup: "PG", defaultTopic: "TBW102", defaultTopicQueueNums: 4 },
        {
          topic: "T",
          body: new Uint8Array([1]),
          rawLength: 1,
          flag: 0,
          sysFlag: 0,
          properties: encodeMessageProperties({ topic: "T", body: "x" }, UNIQ),
          msgId: UNIQ,
          waitStoreMsgOK: true,
          batch: true,
        },
        { topic: "T", brokerName: "b", queueId: 0 },
        1,
      ),
      new Uint8Array([1]),
    );
    assert.equal(req.code, RequestCode.SEND_BATCH_MESSAGE);
    assert.equal(req.extFields.m, "true");
  },
);

function sendResponse(code: number, ext: Record<string, string>, remark?: string) {
  const req = createRequest(RequestCode.SEND_MESSAGE_V2);
  return createResponse(req, code, remark, ext);
}

Deno.test(
  {
    name: "processSendResponse() maps codes 0, 10, 11, 12 to send statuses",
    permissions: "none",
  },
  () => {
    const ext = { msgId: "OFFSETID", queueId: "3", queueOffset: "42" };
    const cases: [number, SendStatus][] = [
      [ResponseCode.SUCCESS, SendStatus.SEND_OK],
      [ResponseCode.FLUSH_DISK_TIMEOUT, SendStatus.FLUSH_DISK_TIMEOUT],
      [ResponseCode.SLAVE_NOT_AVAILABLE, SendStatus.SLAVE_NOT_AVAILABLE],
      [ResponseCode.FLUSH_SLAVE_TIMEOUT, SendStatus.FLUSH_SLAVE_TIMEOUT],
    ];
    for (const [code, status] of cases) {
      const r = processSendResponse("broker-a", "T", UNIQ, sendResponse(code, ext), "a:1");
      assert.deepEqual(r, {
        sendStatus: status,
        msgId: UNIQ,
        offsetMsgId: "OFFSETID",
        messageQueue: { topic: "T", brokerName: "broker-a", queueId: 3 },
        queueOffset: 42,
        regionId: "DefaultRegion",
        traceOn: true,
      });
    }
    const r = processSendResponse(
      "b",
      "T",
      UNIQ,
      sendResponse(0, { ...ext, MSG_REGION: "eu", TRACE_ON: "false", transactionId: "tx" }),
      "a:1",
    );
    assert.equal(r.regionId, "eu");
    assert.equal(r.traceOn, false);
    assert.equal(r.transactionId, "tx");
  },
);

Deno.test(
  {
    name:
      "processSendResponse() throws MQBrokerError for error codes, MQClientError for a bad header",
    permissions: "none",
  },
  () => {
    assert.throws(
      () =>
        processSendResponse(
          "b",
          "T",
          UNIQ,
          sendResponse(17, {}, "topic[T] not exist, apply first please!\nSee http://faq"),
          "10.0.0.1:10911",
        ),
      (e: unknown) =>
        e instanceof MQBrokerError && e.code === 17 &&
        e.message ===
          "Broker 10.0.0.1:10911 answered TOPIC_NOT_EXIST (17): topic[T] not exist, apply first please!",
    );
    assert.throws(
      () => processSendResponse("b", "T", UNIQ, sendResponse(0, { msgId: "X" }), "a:1"),
      (e: unknown) => e instanceof MQClientError && /Missing header field queueId/.test(e.message),
    );
  },
);

Deno.test("MQClientAPI.getTopicRouteInfoFromNameServer() reads a registered route", async () => {
  await using ns = await startNamesrv();
  await using remoting = new RemotingClient();
  await registerTestBroker(remoting, ns.addr, {
    brokerName: "broker-a",
    brokerAddr: "127.0.0.1:10911",
    topics: { TopicTest: 4 },
  });
  const api = new MQClientAPI(remoting, [ns.addr]);
  const route = await api.getTopicRouteInfoFromNameServer("TopicTest", 3000);
  assert.ok(route);
  assert.deepEqual(route.queueDatas.map((q) => [q.brokerName, q.writeQueueNums, q.perm]), [
    ["broker-a", 4, 6],
  ]);
  assert.equal(route.brokerDatas[0].brokerAddrs.get(0), "127.0.0.1:10911");
  assert.equal(await api.getTopicRouteInfoFromNameServer("NoSuchTopic", 3000), undefined);
});

Deno.test("MQClientAPI.invokeNamesrv() moves on to the next name server when one is down", async () => {
  await using ns = await startNamesrv();
  await using remoting = new RemotingClient();
  await registerTestBroker(remoting, ns.addr, {
    brokerAddr: "127.0.0.1:10911",
    topics: { TopicTest: 2 },
  });
  const dead = deadAddr();
  const api = new MQClientAPI(remoting, [dead, ns.addr]);
  for (let i = 0; i < 3; i++) {
    const route = await api.getTopicRouteInfoFromNameServer("TopicTest", 3000);
    assert.equal(route?.queueDatas[0].writeQueueNums, 2);
  }
  const none = new MQClientAPI(remoting, [dead]);
  await assert.rejects(
    none.getTopicRouteInfoFromNameServer("TopicTest", 3000),
    (e: unknown) =>
      e instanceof MQClientError && e.message.startsWith(`Cannot reach any name server (${dead})`),
  );
});

Deno.test("MQClientAPI consumer calls: group members, offsets, send-back and queue locks", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("ApiTopic", { queues: 2 });
  const addr = cluster.brokers[0].addr;
  await using remoting = new RemotingClient();
  const api = new MQClientAPI(remoting, [cluster.namesrvAddr]);
  await assert.rejects(
    api.getConsumerIdListByGroup(addr, "g_api", 3000),
    (e: unknown) => e instanceof MQBrokerError && e.code === ResponseCode.SYSTEM_ERROR,
  );
  await heartbeat(remoting, addr, "client-1", [consumer("g_api", [sub("ApiTopic", "*")])]);
  assert.deepEqual(await api.getConsumerIdListByGroup(addr, "g_api", 3000), ["client-1"]);

  const q = { consumerGroup: "g_api", topic: "ApiTopic", queueId: 1 };
  for (let i = 0; i < 8; i++) await send(remoting, addr, "ApiTopic", `m${i}`, { queueId: 1 });
  await api.updateConsumerOffset(addr, { ...q, commitOffset: 7 }, 3000);
  assert.equal(await api.queryConsumerOffset(addr, q, 3000), 7);
  await api.updateConsumerOffsetOneway(addr, { ...q, commitOffset: 8 }, 3000);
  assert.equal(await api.queryConsumerOffset(addr, q, 3000), 8);
  assert.equal(await api.getMaxOffset(addr, "ApiTopic", 0, 3000), 0);
  assert.equal(await api.getMinOffset(addr, "ApiTopic", 0, 3000), 0);
  assert.equal(await api.searchOffset(addr, "ApiTopic", 0, Date.now(), 3000), 0);
  await assert.rejects(
    api.consumerSendMessageBack(addr, {
      offset: 1 << 30,
      group: "g_api",
      delayLevel: 0,
      maxReconsumeTimes: 16,
    }, 3000),
    (e: unknown) => e instanceof MQBrokerError && e.code === ResponseCode.SYSTEM_ERROR,
  );

  const mqs = [0, 1].map((queueId) => ({ topic: "ApiTopic", brokerName: "broker-a", queueId }));
  const locked = await api.lockBatchMQ(
    addr,
    { consumerGroup: "g_api", clientId: "client-1", mqSet: mqs },
    3000,
  );
  assert.deepEqual(locked.map((m) => m.queueId), [0, 1]);
  // Another client gets none while client-1 holds them, all once it lets go.
  const other = { consumerGroup: "g_api", clientId: "client-2", mqSet: mqs };
  assert.deepEqual(await api.lockBatchMQ(addr, other, 3000), []);
  await api.unlockBatchMQ(addr, { consumerGroup: "g_api", clientId: "client-1", mqSet: mqs }, 3000);
  assert.equal((await api.lockBatchMQ(addr, other, 3000)).length, 2);
});
