import assert from "node:assert/strict";
import { BrokerController } from "../../src/broker/broker.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import type { RemotingCommand } from "../../src/remoting/command.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startCluster, TEST_STORE_CONFIG } from "../helpers/cluster.ts";
import { sendHeader, sendRequest, utf8, viewMessage } from "../helpers/send.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { verifyStore } from "../helpers/verify_store.ts";

Deno.test("BrokerController registers its system topics with the name server at start", async () => {
  await using cluster = await startCluster();
  const routes = cluster.namesrv.controller.routes;
  for (const topic of ["TBW102", "SELF_TEST_TOPIC", "DefaultCluster", "broker-a"]) {
    assert.ok(routes.pickupTopicRouteData(topic), topic);
  }
  const info = routes.getAllClusterInfo();
  assert.deepEqual(info.clusterAddrTable.get("DefaultCluster"), ["broker-a"]);
  assert.equal(info.brokerAddrTable.get("broker-a")?.brokerAddrs.get(0), cluster.brokers[0].addr);
});

Deno.test("BrokerController gets an auto-created topic to the name server within a second", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const res = await client.invokeSync(
    cluster.brokers[0].addr,
    sendRequest(sendHeader("FreshTopic"), utf8("x")),
    3000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  const route = await cluster.waitForRoute("FreshTopic", ["broker-a"], 1000);
  assert.equal(route.queueDatas[0].writeQueueNums, 4);
});

Deno.test("BrokerController keeps topics and messages across a restart", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await client.invokeSync(
      broker.addr,
      sendRequest(sendHeader("Durable", { queueId: i % 2 }), utf8(`m${i}`)),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS);
    ids.push(res.extFields.msgId);
  }
  await broker.restart();
  assert.equal(broker.controller.topicConfigManager.get("Durable")?.writeQueueNums, 4);
  for (let i = 0; i < 10; i++) {
    assert.deepEqual((await viewMessage(client, ids[i])).body, utf8(`m${i}`));
  }
  const next = await client.invokeSync(
    broker.addr,
    sendRequest(sendHeader("Durable", { queueId: 1 }), utf8("after")),
    3000,
  );
  assert.equal(next.extFields.queueOffset, "5", "queue offsets continue");
  await cluster.waitForRoute("Durable", ["broker-a"]);
});

Deno.test("BrokerController.shutdown() answers the sends it took, keeps them, and unregisters", async () => {
  await using cluster = await startCluster();
  const broker = cluster.brokers[0];
  await using client = new RemotingClient();
  await client.invokeSync(broker.addr, sendRequest(sendHeader("Drain"), utf8("first")), 3000);
  const store = broker.controller.store;
  const pending: Promise<RemotingCommand | Error>[] = [];
  for (let i = 0; i < 300; i++) {
    pending.push(
      client.invokeSync(
        broker.addr,
        sendRequest(sendHeader("Drain", { queueId: 0 }), utf8(`m${i}`)),
        3000,
      )
        .catch((e: Error) => e),
    );
  }
  while (store.stats.putMessageTimesTotal < 2) await new Promise((r) => setTimeout(r, 1));
  await broker.stop();
  const results = await Promise.all(pending);
  const ok = results.filter((r): r is RemotingCommand => !(r instanceof Error) && r.code === 0);
  assert.ok(ok.length > 0);
  // Requests that reached the broker were answered before its store closed: none says the
  // store was unavailable. (Ones that arrive after the drain see a closed connection.)
  for (const r of results) if (!(r instanceof Error)) assert.equal(r.code, 0, r.remark);
  assert.equal(cluster.namesrv.controller.routes.getAllClusterInfo().brokerAddrTable.size, 0);
  await broker.restart();
  for (const r of ok) {
    const m = await viewMessage(client, r.extFields.msgId);
    assert.equal(m.topic, "Drain");
  }
});

/** A port P with P − 2 free as well (the VIP channel's). */
function portPairFree(): number {
  for (let i = 0; i < 50; i++) {
    const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const p = a.addr.port;
    try {
      Deno.listen({ hostname: "127.0.0.1", port: p - 2 }).close();
      return p;
    } catch {
      // P − 2 is taken: try another.
    } finally {
      a.close();
    }
  }
  throw new Error("No free port pair found");
}

Deno.test("BrokerController serves sends on the VIP channel at listenPort - 2", async () => {
  await using dir = await tempDir();
  const port = portPairFree();
  await using broker = new BrokerController({
    ...TEST_STORE_CONFIG,
    listenPort: port,
    bindAddress: "127.0.0.1",
    brokerIP1: "127.0.0.1",
    brokerName: "broker-vip",
    storePathRootDir: dir.path,
  });
  await broker.start();
  assert.equal(broker.vipAddr?.port, port - 2);
  await using client = new RemotingClient();
  const res = await client.invokeSync(
    `127.0.0.1:${port - 2}`,
    sendRequest(sendHeader("Vip"), utf8("x")),
    3000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  // Message ids name the main port, which clients know from the route.
  assert.equal((await viewMessage(client, res.extFields.msgId)).storeHost.port, port);
  await broker.shutdown(1000);
  assert.equal(verifyStore({ ...TEST_STORE_CONFIG, storePathRootDir: dir.path }).records, 1);
});

Deno.test("BrokerController.start() names the address it cannot bind and releases the store", async () => {
  await using dir = await tempDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const config = {
    ...TEST_STORE_CONFIG,
    bindAddress: "127.0.0.1",
    vipChannelEnable: false,
    brokerName: "b",
    storePathRootDir: dir.path,
  };
  const broker = new BrokerController({ ...config, listenPort: taken.addr.port });
  await assert.rejects(
    broker.start(),
    new RegExp(`^Error: Cannot listen on 127\\.0\\.0\\.1:${taken.addr.port}: `),
  );
  await broker.shutdown();
  await using again = new BrokerController({ ...config, listenPort: 0 });
  await again.start(); // the store is free again
  const third = new BrokerController({ ...config, listenPort: 0 });
  await assert.rejects(third.start(), /it is open in another process/);
});
