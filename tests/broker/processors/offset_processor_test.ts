import assert from "node:assert/strict";
import { RemotingClient } from "../../../src/remoting/client.ts";
import {
  SearchOffsetRequestHeader,
  TopicQueueRequestHeader,
} from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { records, request, send } from "../../helpers/consume.ts";
import { pullRequest } from "../../helpers/consume.ts";

Deno.test("GET_MAX_OFFSET, GET_MIN_OFFSET, GET_EARLIEST_MSG_STORETIME and SEARCH_OFFSET_BY_TIMESTAMP answer from the store", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("OffT", { queues: 2 });
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const ask = async (code: number, queueId = 0) =>
    (await client.invokeSync(
      addr,
      request(code, TopicQueueRequestHeader, { topic: "OffT", queueId }),
      3000,
    )).extFields;

  assert.deepEqual(await ask(RequestCode.GET_MAX_OFFSET), { offset: "0" });
  assert.deepEqual(await ask(RequestCode.GET_MIN_OFFSET), { offset: "0" });
  assert.deepEqual(await ask(RequestCode.GET_EARLIEST_MSG_STORETIME), { timestamp: "-1" });

  for (let i = 0; i < 5; i++) {
    await send(client, addr, "OffT", `m${i}`);
    await new Promise((r) => setTimeout(r, 3));
  }
  assert.deepEqual(await ask(RequestCode.GET_MAX_OFFSET), { offset: "5" });
  assert.deepEqual(await ask(RequestCode.GET_MAX_OFFSET, 1), { offset: "0" });
  const pulled = records(
    await client.invokeSync(addr, pullRequest({ consumerGroup: "g", topic: "OffT" }), 3000),
  );
  const times = pulled.map((m) => m.storeTimestamp);
  assert.deepEqual(await ask(RequestCode.GET_EARLIEST_MSG_STORETIME), {
    timestamp: String(times[0]),
  });
  const search = async (timestamp: number) =>
    (await client.invokeSync(
      addr,
      request(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, SearchOffsetRequestHeader, {
        topic: "OffT",
        queueId: 0,
        timestamp,
      }),
      3000,
    )).extFields.offset;
  assert.equal(await search(times[3]), "3");
  assert.equal(await search(0), "0");
  assert.equal(await search(times[4] + 60_000), "4");
});
