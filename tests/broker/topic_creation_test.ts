import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import { CreateTopicRequestHeader } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startCluster } from "../helpers/cluster.ts";

const TOPICS = 10_000;
/**
 * Creating them took over 400 s when every create rewrote and re-registered the whole table
 * (each one costing more as the table grew); batched writes and incremental registration take
 * ~12 s here. The bound leaves room for a slow CI machine, not for per-table cost.
 */
const BOUND_MS = 150_000;

Deno.test("10,000 topics created one at a time, as mqadmin does, within a bounded time", async () => {
  await using cluster = await startCluster();
  const broker = cluster.brokers[0];
  await using client = new RemotingClient();
  const begin = Date.now();
  for (let i = 0; i < TOPICS; i++) {
    const header = encodeHeader(CreateTopicRequestHeader, {
      topic: `Many${i}`,
      defaultTopic: "TBW102",
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: 0,
      order: false,
    });
    const res = await client.invokeSync(
      broker.addr,
      createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, header),
      10_000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    assert.ok(Date.now() - begin < BOUND_MS, `only ${i + 1} topics created in ${BOUND_MS} ms`);
  }
  // The admin call returns once the name server has the topic: every one is routed.
  const routed = new Set(cluster.namesrv.controller.routes.getAllTopicList());
  for (let i = 0; i < TOPICS; i++) assert.ok(routed.has(`Many${i}`), `Many${i} has no route`);

  // Every topic was written to topics.json: a restart has them all.
  await broker.restart();
  for (let i = 0; i < TOPICS; i += 97) {
    assert.equal(broker.controller.topicConfigManager.get(`Many${i}`)?.writeQueueNums, 4);
  }
  assert.ok(broker.controller.topicConfigManager.get(`Many${TOPICS - 1}`));
});

Deno.test("a name server's write-permission wipe survives the broker's periodic registration and new topics", async () => {
  await using cluster = await startCluster();
  const broker = cluster.brokers[0];
  await using client = new RemotingClient();
  await cluster.createTopic("Wiped", { queues: 2 });
  const wipe = await client.invokeSync(
    cluster.namesrvAddr,
    createRequest(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: broker.name }),
    3000,
  );
  assert.equal(wipe.code, ResponseCode.SUCCESS);
  const perm = (topic: string) =>
    cluster.namesrv.controller.routes.pickupTopicRouteData(topic)?.queueDatas[0].perm;
  assert.equal(perm("Wiped"), 4);
  // The periodic round (whole table, unchanged data version) and a new topic's round.
  await broker.controller.registerSoon();
  await cluster.createTopic("Fresh", { queues: 2 });
  assert.equal(perm("Wiped"), 4, "Java keeps the wipe until ADD_WRITE_PERM_OF_BROKER");
  assert.equal(perm("Fresh"), 6, "a topic created after the wipe is writable");
});
