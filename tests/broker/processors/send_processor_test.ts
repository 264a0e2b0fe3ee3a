import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { encodeBatch } from "../../../src/common/message/batch_codec.ts";
import { decodeMessageRecord } from "../../../src/common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../../../src/common/message/message_id.ts";
import { decodeProperties, encodeProperties } from "../../../src/common/message/properties.ts";
import { MessageSysFlag } from "../../../src/common/message/sys_flag.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { type RemotingCommand, SerializeType } from "../../../src/remoting/command.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { BORN_TIMESTAMP, sendHeader, sendRequest, utf8, viewMessage } from "../../helpers/send.ts";

const PROPS = encodeProperties({
  KEYS: "k1 k2",
  UNIQ_KEY: "7F0000010001AABBCCDD0000000A0001",
  WAIT: "true",
  TAGS: "TagA",
});

function assertSent(res: RemotingCommand): void {
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  assert.match(res.extFields.msgId, /^[0-9A-F]{32}$/);
  assert.match(res.extFields.queueId, /^\d+$/);
  assert.match(res.extFields.queueOffset, /^\d+$/);
}

for (
  const [name, code, serializeType] of [
    ["SEND_MESSAGE_V2 (JSON)", RequestCode.SEND_MESSAGE_V2, SerializeType.JSON],
    ["SEND_MESSAGE_V2 (ROCKETMQ)", RequestCode.SEND_MESSAGE_V2, SerializeType.ROCKETMQ],
    ["SEND_MESSAGE (long header names)", RequestCode.SEND_MESSAGE, SerializeType.JSON],
  ] as const
) {
  Deno.test(`SendMessageProcessor stores a ${name} send exactly as sent`, async () => {
    await using cluster = await startCluster();
    // The client writes every request header in its own serialize type.
    await using client = new RemotingClient({ serializeType });
    const broker = cluster.brokers[0];
    const body = utf8("hello, rmq");
    const req = sendRequest(
      sendHeader("TopicTest", { queueId: 2, flag: 7, sysFlag: 0, properties: PROPS }),
      body,
      { code, serializeType },
    );
    const res = await client.invokeSync(broker.addr, req, 3000);
    assertSent(res);
    assert.equal(res.serializeType, serializeType, "answered in the request's serialize type");
    assert.equal(res.extFields.queueId, "2");
    assert.equal(res.extFields.queueOffset, "0");
    assert.equal(res.extFields.MSG_REGION, "DefaultRegion");
    assert.equal(res.extFields.TRACE_ON, "true");

    const id = decodeOffsetMsgId(res.extFields.msgId);
    assert.equal(id.address, broker.addr, "the msgId names the broker's advertised address");
    const m = await viewMessage(client, res.extFields.msgId);
    assert.equal(m.topic, "TopicTest");
    assert.equal(m.queueId, 2);
    assert.equal(m.queueOffset, 0);
    assert.equal(m.physicalOffset, id.offset);
    assert.equal(m.flag, 7);
    assert.equal(m.sysFlag, 0);
    assert.equal(m.bornTimestamp, BORN_TIMESTAMP);
    assert.deepEqual([...m.bornHost.ip], [127, 0, 0, 1]);
    assert.deepEqual([...m.storeHost.ip], [127, 0, 0, 1]);
    assert.equal(m.storeHost.port, broker.port);
    assert.equal(m.reconsumeTimes, 0);
    assert.deepEqual(m.body, body);
    // WAIT is dropped, CLUSTER appended, everything else kept in order.
    assert.equal(
      m.properties,
      encodeProperties({
        KEYS: "k1 k2",
        UNIQ_KEY: "7F0000010001AABBCCDD0000000A0001",
        TAGS: "TagA",
        CLUSTER: "DefaultCluster",
      }),
    );
  });
}

Deno.test("SendMessageProcessor picks a queue for queueId -1 and counts offsets per queue", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const seen = new Map<string, number[]>();
  for (let i = 0; i < 40; i++) {
    const res = await client.invokeSync(
      addr,
      sendRequest(sendHeader("TopicSpread", { queueId: -1 }), utf8(`m${i}`)),
      3000,
    );
    assertSent(res);
    const q = res.extFields.queueId;
    seen.set(q, [...(seen.get(q) ?? []), Number(res.extFields.queueOffset)]);
  }
  // Auto-created from TBW102 with min(4, 8) = 4 queues.
  assert.ok(
    [...seen.keys()].every((q) => ["0", "1", "2", "3"].includes(q)),
    [...seen.keys()].join(),
  );
  assert.ok(seen.size > 1, "more than one queue used");
  for (const offsets of seen.values()) assert.deepEqual(offsets, offsets.map((_, i) => i));
  const tc = cluster.brokers[0].controller.topicConfigManager.get("TopicSpread");
  assert.equal(tc?.writeQueueNums, 4);
  assert.equal(tc?.perm, 6);
});

Deno.test("SendMessageProcessor stores a oneway send without answering it", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  await client.invokeOneway(
    broker.addr,
    sendRequest(sendHeader("TopicOneway"), utf8("fire and forget"), { oneway: true }),
  );
  // A later answered send on the same connection proves the oneway one was handled first.
  const res = await client.invokeSync(
    broker.addr,
    sendRequest(sendHeader("TopicOneway"), utf8("second")),
    3000,
  );
  assertSent(res);
  assert.equal(res.extFields.queueOffset, "1");
  const store = broker.controller.store;
  assert.equal(store.getMaxOffsetInQueue("TopicOneway", 0), 2);
});

Deno.test("SendMessageProcessor stores a compressed body and its sysFlag as sent", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const body = new Uint8Array(deflateSync(utf8("x".repeat(10_000))));
  const sysFlag = MessageSysFlag.COMPRESSED | MessageSysFlag.COMPRESSION_ZLIB;
  const res = await client.invokeSync(
    cluster.brokers[0].addr,
    sendRequest(sendHeader("TopicZip", { sysFlag }), body),
    3000,
  );
  assertSent(res);
  const m = await viewMessage(client, res.extFields.msgId);
  assert.deepEqual(m.body, body);
  assert.equal(m.sysFlag, sysFlag);
});

Deno.test("SendMessageProcessor stores a batch as consecutive messages of one queue", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const items = [0, 1, 2].map((i) => ({
    flag: i,
    body: utf8(`batch-${i}`),
    properties: encodeProperties({ UNIQ_KEY: `U${i}`, WAIT: "true", TAGS: `T${i}` }),
  }));
  const header = sendHeader("TopicBatch", {
    queueId: 1,
    batch: true,
    properties: encodeProperties({ WAIT: "true" }),
  });
  const res = await client.invokeSync(
    cluster.brokers[0].addr,
    sendRequest(header, encodeBatch(items), { code: RequestCode.SEND_BATCH_MESSAGE }),
    3000,
  );
  assertSent2(res);
  const ids = res.extFields.msgId.split(",");
  assert.equal(ids.length, 3);
  assert.equal(res.extFields.queueId, "1");
  assert.equal(res.extFields.queueOffset, "0");
  for (let i = 0; i < 3; i++) {
    const m = await viewMessage(client, ids[i]);
    assert.equal(m.topic, "TopicBatch");
    assert.equal(m.queueId, 1);
    assert.equal(m.queueOffset, i);
    assert.equal(m.flag, i);
    assert.deepEqual(m.body, items[i].body);
    assert.deepEqual({ ...decodeProperties(m.properties) }, {
      UNIQ_KEY: `U${i}`,
      TAGS: `T${i}`,
      CLUSTER: "DefaultCluster",
    });
  }
});

function assertSent2(res: RemotingCommand): void {
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  assert.match(res.extFields.msgId, /^[0-9A-F]{32}(,[0-9A-F]{32})*$/);
}

Deno.test("SendMessageProcessor refuses a body over maxMessageSize and keeps the connection", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const big = new Uint8Array(4 * 1024 * 1024 + 1);
  const res = await client.invokeSync(addr, sendRequest(sendHeader("TopicBig"), big), 5000);
  assert.equal(res.code, ResponseCode.MESSAGE_ILLEGAL);
  assert.match(res.remark ?? "", /4194305 bytes is larger than maxMessageSize 4194304/);
  const channel = await client.getChannel(addr);
  const ok = await client.invokeSync(
    addr,
    sendRequest(sendHeader("TopicBig"), new Uint8Array(4 * 1024 * 1024)),
    5000,
  );
  assertSent(ok);
  assert.equal(await client.getChannel(addr), channel, "the same connection");
});

Deno.test("SendMessageProcessor answers bad topics, queues and permissions with RocketMQ's codes", async () => {
  await using cluster = await startCluster({
    broker: { autoCreateTopicEnable: false, rejectTransactionMessage: true },
  });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  broker.controller.topicConfigManager.updateTopicConfig({
    topicName: "Known",
    readQueueNums: 2,
    writeQueueNums: 2,
    perm: 6,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
  });
  broker.controller.topicConfigManager.updateTopicConfig({
    topicName: "ReadOnly",
    readQueueNums: 1,
    writeQueueNums: 1,
    perm: 4,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
  });
  const cases: [string, RemotingCommand, number, RegExp][] = [
    [
      "illegal characters",
      sendRequest(sendHeader("bad topic!"), utf8("x")),
      ResponseCode.SYSTEM_ERROR,
      /contains illegal characters/,
    ],
    [
      "too long",
      sendRequest(sendHeader("T".repeat(128)), utf8("x")),
      ResponseCode.SYSTEM_ERROR,
      /longer than topic max length 127/,
    ],
    [
      "unknown topic, auto-create off",
      sendRequest(sendHeader("Unknown"), utf8("x")),
      ResponseCode.TOPIC_NOT_EXIST,
      /^topic\[Unknown\] not exist, apply first please!/,
    ],
    [
      "queue id out of range",
      sendRequest(sendHeader("Known", { queueId: 2 }), utf8("x")),
      ResponseCode.SYSTEM_ERROR,
      /^request queueId\[2\] is illegal/,
    ],
    [
      "properties over 32767 bytes",
      sendRequest(
        sendHeader("Known", { properties: encodeProperties({ KEYS: "k".repeat(33_000) }) }),
        utf8("x"),
      ),
      ResponseCode.MESSAGE_ILLEGAL,
      /^the message is illegal: properties are \d+ bytes \(max 32767\)/,
    ],
    [
      "system topic not for sending",
      sendRequest(sendHeader("SCHEDULE_TOPIC_XXXX"), utf8("x")),
      ResponseCode.NO_PERMISSION,
      /^Sending message to topic\[SCHEDULE_TOPIC_XXXX\] is forbidden/,
    ],
    [
      "read-only topic",
      sendRequest(sendHeader("ReadOnly"), utf8("x")),
      ResponseCode.NO_PERMISSION,
      /sending message is forbidden/,
    ],
    [
      "transactional half message, rejectTransactionMessage on",
      sendRequest(
        sendHeader("Known", { properties: encodeProperties({ TRAN_MSG: "true", PGROUP: "PG" }) }),
        utf8("x"),
      ),
      ResponseCode.NO_PERMISSION,
      /sending transaction message is forbidden/,
    ],
    [
      "batch topic retry group",
      sendRequest(sendHeader("%RETRY%G"), encodeBatch([]), {
        code: RequestCode.SEND_BATCH_MESSAGE,
      }),
      ResponseCode.MESSAGE_ILLEGAL,
      /batch request does not support retry group/,
    ],
    [
      "bad batch body",
      sendRequest(sendHeader("Known"), utf8("not a batch, far too short to be one"), {
        code: RequestCode.SEND_BATCH_MESSAGE,
      }),
      ResponseCode.MESSAGE_ILLEGAL,
      /Cannot decode batch item 0/,
    ],
  ];
  for (const [what, req, code, remark] of cases) {
    const res = await client.invokeSync(broker.addr, req, 3000);
    assert.equal(res.code, code, `${what}: ${res.remark}`);
    assert.match(res.remark ?? "", remark, what);
    assert.deepEqual(Object.keys(res.extFields), [], `${what}: no send header on failure`);
  }
  // A header field Java marks not-null is missing: SYSTEM_ERROR naming it.
  const noTopic = sendRequest(sendHeader("Known"), utf8("x"));
  delete noTopic.extFields.b;
  const res = await client.invokeSync(broker.addr, noTopic, 3000);
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(res.remark, "Missing header field b");
  assert.equal(broker.controller.store.getMaxOffsetInQueue("Known", 0), 0, "nothing stored");
});

Deno.test("SendMessageProcessor refuses sends while the broker is not writable", async () => {
  await using cluster = await startCluster({ broker: { brokerPermission: 4 } });
  await using client = new RemotingClient();
  const res = await client.invokeSync(
    cluster.brokers[0].addr,
    sendRequest(sendHeader("TopicTest"), utf8("x")),
    3000,
  );
  assert.equal(res.code, ResponseCode.NO_PERMISSION);
  assert.match(res.remark ?? "", /^the broker\[127\.0\.0\.1\] sending message is forbidden/);
});

Deno.test("SendMessageProcessor answers SYSTEM_BUSY [OVERLOAD] beyond sendThreadPoolQueueCapacity", async () => {
  await using cluster = await startCluster({ broker: { sendThreadPoolQueueCapacity: 1 } });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await client.invokeSync(addr, sendRequest(sendHeader("TopicBusy"), utf8("create")), 3000);
  // Sent in one burst: all arrive while the first waits for the store.
  const results = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => client.invokeSync(addr, sendRequest(sendHeader("TopicBusy"), utf8(`m${i}`)), 3000),
    ),
  );
  const busy = results.filter((r) => r.code === ResponseCode.SYSTEM_BUSY);
  const sent = results.filter((r) => r.code === ResponseCode.SUCCESS);
  assert.equal(busy.length + sent.length, 20);
  assert.ok(busy.length > 0, "some sends refused");
  assert.ok(sent.length > 0, "some sends stored");
  assert.ok(busy.every((r) => r.remark?.startsWith("[OVERLOAD]system busy")), busy[0]?.remark);
  const store = cluster.brokers[0].controller.store;
  assert.equal(
    store.getMaxOffsetInQueue("TopicBusy", 0),
    1 + sent.length,
    "refused ones not stored",
  );
});

Deno.test("SendMessageProcessor answers SYSTEM_BUSY [PC_SYNCHRONIZED] when the store falls behind", async () => {
  await using cluster = await startCluster({ broker: { maxPendingWriteBytes: 1 } });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await client.invokeSync(addr, sendRequest(sendHeader("TopicPc"), utf8("create")), 3000);
  const results = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => client.invokeSync(addr, sendRequest(sendHeader("TopicPc"), utf8(`m${i}`)), 3000),
    ),
  );
  const busy = results.filter((r) => r.code === ResponseCode.SYSTEM_BUSY);
  assert.ok(busy.length > 0, "some sends refused");
  assert.ok(
    busy.every((r) => r.remark?.startsWith("[PC_SYNCHRONIZED]broker busy")),
    busy[0]?.remark,
  );
});

Deno.test("SendMessageProcessor gives the born host as the TCP peer and the stored record decodes", async () => {
  await using cluster = await startCluster();
  const broker = cluster.brokers[0];
  // A raw connection, so the local port (the born port) is known.
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
  await using client = new RemotingClient();
  conn.close();
  const res = await client.invokeSync(
    broker.addr,
    sendRequest(sendHeader("TopicBorn"), utf8("x")),
    3000,
  );
  assertSent(res);
  const ch = await client.getChannel(broker.addr);
  const m = await viewMessage(client, res.extFields.msgId);
  assert.equal(`127.0.0.1:${m.bornHost.port}`, ch.localAddr);
  const raw = await broker.controller.store.lookMessageByOffset(
    decodeOffsetMsgId(res.extFields.msgId).offset,
  );
  assert.deepEqual(decodeMessageRecord(raw!), m);
});
