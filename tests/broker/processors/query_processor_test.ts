import assert from "node:assert/strict";
import { decodeMessageRecords } from "../../../src/common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../../../src/common/message/message_id.ts";
import { encodeProperties } from "../../../src/common/message/properties.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import { encodeHeader } from "../../../src/remoting/header_codec.ts";
import { QueryMessageRequestHeader } from "../../../src/remoting/headers.ts";
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
