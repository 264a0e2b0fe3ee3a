import assert from "node:assert/strict";
import { decodeMessageRecords } from "../../../src/common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../../../src/common/message/message_id.ts";
import { encodeProperties } from "../../../src/common/message/properties.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import { encodeHeader } from "../../../src/remoting/header_codec.ts";
import {
  QueryConsumeQueueRequestHeader,
  QueryMessageRequestHeader,
} from "../../../src/remoting/headers.ts";
import { decodeQueryConsumeQueueBody } from "../../../src/remoting/body/query_consume_queue_body.ts";
import { javaStringHashCode } from "../../../src/common/java_hash.ts";
import { consumer, heartbeat, request, send, sub } from "../../helpers/consume.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { sendHeader, sendRequest, utf8, viewMessage } from "../../helpers/send.ts";

const UNIQ = "7F00000100017A1B2C3D00000000000A";

Deno.test("VIEW_MESSAGE_BY_ID returns the record an offsetMsgId names, or SYSTEM_ERROR", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const ids: string[] = [];
  for (const text of ["one", "two"]) {
    const res = await client.invokeSync(addr, sendRequest(sendHeader("View"), utf8(text)), 3000);
    ids.push(res.extFields.msgId);
  }
  assert.deepEqual((await viewMessage(client, ids[1])).body, utf8("two"));
  assert.deepEqual((await viewMessage(client, ids[0])).body, utf8("one"));
  const offset = decodeOffsetMsgId(ids[1]).offset + 1; // not the start of a record
  const res = await client.invokeSync(
    addr,
    createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(offset) }),
    3000,
  );
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(res.remark, `can not find message by the offset, ${offset}`);
});

Deno.test("QUERY_MESSAGE finds messages by KEYS entry and by UNIQ_KEY", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const before = Date.now();
  for (let i = 0; i < 3; i++) {
    const props = encodeProperties({
      KEYS: `order-${i % 2} shared`,
      UNIQ_KEY: i === 2 ? UNIQ : `U${i}`,
    });
    await client.invokeSync(
      addr,
      sendRequest(sendHeader("Query", { properties: props }), utf8(`m${i}`)),
      3000,
    );
  }
  await cluster.brokers[0].controller.store.flush(); // the index is built as the log is written
  const query = (key: string, extra: Record<string, string> = {}) =>
    client.invokeSync(
      addr,
      createRequest(RequestCode.QUERY_MESSAGE, {
        ...encodeHeader(QueryMessageRequestHeader, {
          topic: "Query",
          key,
          maxNum: 32,
          beginTimestamp: before - 1000,
          endTimestamp: Date.now() + 1000,
        }),
        ...extra,
      }),
      3000,
    );
  const byKey = await query("order-0");
  assert.equal(byKey.code, ResponseCode.SUCCESS, byKey.remark);
  assert.deepEqual(decodeMessageRecords(byKey.body!).map((m) => m.body), [utf8("m0"), utf8("m2")]);
  assert.match(byKey.extFields.indexLastUpdateTimestamp, /^\d+$/);
  assert.match(byKey.extFields.indexLastUpdatePhyoffset, /^\d+$/);

  const byId = await query(UNIQ, { _UNIQUE_KEY_QUERY: "true" });
  assert.deepEqual(decodeMessageRecords(byId.body!).map((m) => m.body), [utf8("m2")]);

  const none = await query("nobody");
  assert.equal(none.code, ResponseCode.QUERY_NOT_FOUND);
  assert.equal(none.remark, "can not find message, maybe time range not correct");
  assert.match(none.extFields.indexLastUpdateTimestamp, /^\d+$/);
});

Deno.test("QUERY_CONSUME_QUEUE answers a queue's raw entries from an index, and a group's subscription", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await cluster.createTopic("Cq", { queues: 1 });
  const offsets: number[] = [];
  for (const tags of ["a", "b", "c"]) {
    const res = await send(client, addr, "Cq", `m-${tags}`, { tags });
    offsets.push(decodeOffsetMsgId(res.extFields.msgId).offset);
  }
  const query = (
    h: { topic: string; queueId: number; index: number; count: number; consumerGroup?: string },
  ) =>
    client.invokeSync(
      addr,
      request(RequestCode.QUERY_CONSUME_QUEUE, QueryConsumeQueueRequestHeader, h),
      3000,
    );

  let res = await query({ topic: "Cq", queueId: 0, index: 1, count: 5 });
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  let body = decodeQueryConsumeQueueBody(res.body!);
  assert.deepEqual([body.minQueueIndex, body.maxQueueIndex], [0, 3]);
  assert.deepEqual(body.queueData?.map((e) => e.physicOffset), offsets.slice(1));
  assert.deepEqual(body.queueData?.map((e) => e.tagsCode), [
    javaStringHashCode("b"),
    javaStringHashCode("c"),
  ]);
  assert.equal(body.subscriptionData, undefined);

  // Named group: its subscription, or that it is not online.
  res = await query({ topic: "Cq", queueId: 0, index: 0, count: 1, consumerGroup: "gcq" });
  body = decodeQueryConsumeQueueBody(res.body!);
  assert.equal(body.queueData?.length, 1);
  assert.equal(body.filterData, "gcq@Cq is not online!");
  await heartbeat(client, addr, "cq-client", [consumer("gcq", [sub("Cq", "a || b")])]);
  res = await query({ topic: "Cq", queueId: 0, index: 0, count: 1, consumerGroup: "gcq" });
  body = decodeQueryConsumeQueueBody(res.body!);
  assert.deepEqual(body.subscriptionData?.tagsSet, ["a", "b"]);
  assert.equal(body.filterData, "null");

  res = await query({ topic: "Cq", queueId: 0, index: 3, count: 1 });
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(res.remark, "Index 3 of 0@Cq is not exist!");
  assert.equal(res.body, undefined);
  res = await query({ topic: "Cq", queueId: 7, index: 0, count: 1 });
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(res.remark, "7@Cq is not exist!");
});
