import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startCluster } from "../helpers/cluster.ts";
import { captureLogs } from "../helpers/remoting.ts";
import { sendHeader, sendRequest, utf8 } from "../helpers/send.ts";

Deno.test("a broker whose config/*.json were deleted restores its topics and says what it lost", async () => {
  await using cluster = await startCluster();
  const broker = cluster.brokers[0];
  await cluster.createTopic("Survivor", { queues: 5 });
  await using client = new RemotingClient();
  for (let q = 0; q < 5; q++) {
    const res = await client.invokeSync(
      broker.addr,
      sendRequest(sendHeader("Survivor", { queueId: q }), utf8(`m${q}`)),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  }
  broker.controller.services.consumerOffsets.commitOffset("test", "g1", "Survivor", 0, 1);
  await broker.stop();
  for (const name of ["topics", "consumerOffset", "subscriptionGroup", "delayOffset"]) {
    for (const suffix of ["", ".bak"]) {
      Deno.removeSync(`${broker.storeDir}/config/${name}.json${suffix}`);
    }
  }
  using logs = captureLogs();
  await broker.restart();
  const restored = broker.controller.topicConfigManager.get("Survivor");
  assert.ok(restored, "the topic is back in the table");
  assert.equal(restored.readQueueNums, 5);
  assert.equal(restored.writeQueueNums, 5);
  assert.equal(logs.matching("warning", "lacked").length, 1);
  assert.equal(logs.matching("error", "Consumer offsets file").length, 1);
  assert.equal(logs.matching("warning", "Subscription group file").length, 1);
  await cluster.waitForRoute("Survivor");
  // The files are back, so the next start is quiet.
  await broker.restart();
  assert.equal(logs.matching("error", "Consumer offsets file").length, 1);
});
