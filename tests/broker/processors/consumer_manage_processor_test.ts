import assert from "node:assert/strict";
import {
  decodeLockBatchResponse,
  encodeLockBatchRequest,
} from "../../../src/remoting/body/lock_batch.ts";
import type { MessageQueue } from "../../../src/remoting/body/message_queue.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import {
  QueryConsumerOffsetRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { request, send } from "../../helpers/consume.ts";

function query(client: RemotingClient, addr: string, group: string, topic: string, queueId = 0) {
  return client.invokeSync(
    addr,
    request(RequestCode.QUERY_CONSUMER_OFFSET, QueryConsumerOffsetRequestHeader, {
      consumerGroup: group,
      topic,
      queueId,
    }),
    3000,
  );
}

function update(
  client: RemotingClient,
  addr: string,
  group: string,
  topic: string,
  queueId: number,
  commitOffset: number,
) {
  return client.invokeSync(
    addr,
    request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
      consumerGroup: group,
      topic,
      queueId,
      commitOffset,
    }),
    3000,
  );
}

Deno.test("QUERY_CONSUMER_OFFSET answers the committed offset, else 0 only for a queue still in memory from 0", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("OffQ", { queues: 2 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  let res = await query(client, addr, "g", "OffQ");
  assert.equal(res.code, ResponseCode.SUCCESS, "empty queue: a new group starts at 0");
  assert.equal(res.extFields.offset, "0");
  await send(client, addr, "OffQ", "m0");
  res = await query(client, addr, "g", "OffQ");
  assert.equal(res.extFields.offset, "0", "first message still in memory");
  res = await client.invokeSync(
    addr,
    createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: "g",
      topic: "OffQ",
      queueId: "0",
      setZeroIfNotFound: "false",
    }),
    3000,
  );
  assert.equal(res.code, ResponseCode.QUERY_NOT_FOUND, "5.x setZeroIfNotFound=false");

  for (let i = 0; i < 3; i++) await send(client, addr, "OffQ", `q1-${i}`, { queueId: 1 });
  assert.equal((await update(client, addr, "g", "OffQ", 1, 2)).code, ResponseCode.SUCCESS);
  res = await query(client, addr, "g", "OffQ", 1);
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(res.extFields.offset, "2");
});

Deno.test("UPDATE_CONSUMER_OFFSET past the queue's end stores the end", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("OffEnd", { queues: 1 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  for (let i = 0; i < 3; i++) await send(client, addr, "OffEnd", `m${i}`);
  assert.equal((await update(client, addr, "g", "OffEnd", 0, 1000)).code, ResponseCode.SUCCESS);
  assert.equal((await query(client, addr, "g", "OffEnd")).extFields.offset, "3");
});

Deno.test("QUERY_CONSUMER_OFFSET answers 22 when the queue's first message is no longer in memory", async () => {
  // accessMessageInMemoryMaxRatio 0: everything but the newest byte counts as on disk.
  await using cluster = await startCluster({ broker: { accessMessageInMemoryMaxRatio: 0 } });
  await cluster.createTopic("OffDisk", { queues: 1 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await send(client, addr, "OffDisk", "m0");
  const res = await query(client, addr, "g", "OffDisk");
  assert.equal(res.code, ResponseCode.QUERY_NOT_FOUND);
  assert.equal(res.remark, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first");
  assert.equal(res.extFields.offset, undefined);
});

Deno.test("ConsumerOffsetManager writes consumerOffset.json every flush interval and at shutdown", async () => {
  await using cluster = await startCluster({ broker: { flushConsumerOffsetInterval: 50 } });
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const path = broker.controller.services.consumerOffsets.path;
  assert.equal(path, `${broker.storeDir}/config/consumerOffset.json`);
  await cluster.createTopic("T", { queues: 2 });
  for (let i = 0; i < 12; i++) await send(client, broker.addr, "T", "m", { queueId: i % 2 });
  await update(client, broker.addr, "g1", "T", 0, 6);
  await update(client, broker.addr, "g1", "T", 1, 6);
  const deadline = Date.now() + 2000;
  let text = "";
  while (!text.includes("1:6") && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    text = await Deno.readTextFile(path).catch(() => "");
  }
  assert.equal(text, '{"offsetTable":{"T@g1":{0:6,1:6}}}');
  await update(client, broker.addr, "g1", "T", 1, 5);
  await broker.restart();
  assert.equal(await Deno.readTextFile(path), '{"offsetTable":{"T@g1":{0:6,1:5}}}');
  const res = await query(client, broker.addr, "g1", "T", 1);
  assert.equal(res.extFields.offset, "5", "kept across a restart");
});

Deno.test("LOCK_BATCH_MQ gives each queue to one client until it unlocks", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const mq = (queueId: number): MessageQueue => ({ topic: "T", brokerName: "broker-a", queueId });
  const lock = async (
    clientId: string,
    mqSet: MessageQueue[],
    code: number = RequestCode.LOCK_BATCH_MQ,
  ) => {
    const res = await client.invokeSync(
      addr,
      createRequest(code, {}, {
        body: encodeLockBatchRequest({ consumerGroup: "g", clientId, mqSet }),
      }),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS);
    return res.body ? decodeLockBatchResponse(res.body).map((q) => q.queueId) : [];
  };
  assert.deepEqual(await lock("A", [mq(0), mq(1)]), [0, 1]);
  assert.deepEqual(await lock("B", [mq(1), mq(2)]), [2]);
  assert.deepEqual(await lock("A", [mq(0), mq(1), mq(2)]), [0, 1], "renewed its own");
  await lock("A", [mq(1)], RequestCode.UNLOCK_BATCH_MQ);
  assert.deepEqual(await lock("B", [mq(1)]), [1]);
});
