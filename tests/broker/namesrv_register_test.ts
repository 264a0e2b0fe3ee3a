import assert from "node:assert/strict";
import { NamesrvRegistrar } from "../../src/broker/namesrv_register.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createTopicConfig, type TopicConfig } from "../../src/remoting/body/topic_config.ts";
import { startNamesrv } from "../helpers/namesrv.ts";

function registrar(client: RemotingClient, namesrvAddrs: string[], topics: TopicConfig[]) {
  return new NamesrvRegistrar(registrarOptions(client, namesrvAddrs, topics));
}

for (const compressed of [false, true]) {
  Deno.test(`NamesrvRegistrar registers with every name server (compressed ${compressed}) and unregisters`, async () => {
    await using ns1 = await startNamesrv();
    await using ns2 = await startNamesrv();
    await using client = new RemotingClient();
    const topics = [createTopicConfig("TopicA", { readQueueNums: 2, writeQueueNums: 2 })];
    const r = new NamesrvRegistrar({
      ...registrarOptions(client, [ns1.addr, ns2.addr], topics),
      compressed,
    });
    await r.start();
    for (const ns of [ns1, ns2]) {
      const route = ns.controller.routes.pickupTopicRouteData("TopicA");
      assert.equal(route?.queueDatas[0].writeQueueNums, 2);
      assert.equal(route?.brokerDatas[0].brokerAddrs.get(0), "127.0.0.1:10911");
      assert.deepEqual(ns.controller.routes.getAllClusterInfo().clusterAddrTable.get("c1"), [
        "broker-x",
      ]);
    }
    await r.stop();
    await r.unregisterAll();
    for (const ns of [ns1, ns2]) {
      assert.equal(ns.controller.routes.pickupTopicRouteData("TopicA"), undefined);
    }
  });
}

/** Options whose topic table gets a new DataVersion every round (as if it changed each time). */
function registrarOptions(client: RemotingClient, addrs: string[], topics: TopicConfig[]) {
  let counter = 0;
  return {
    client,
    namesrvAddrs: addrs,
    identity: {
      clusterName: "c1",
      brokerName: "broker-x",
      brokerId: 0,
      brokerAddr: "127.0.0.1:10911",
      haServerAddr: "127.0.0.1:10912",
    },
    topicConfig: () => ({
      topicConfigTable: new Map(topics.map((t) => [t.topicName, t] as const)),
      dataVersion: { timestamp: 1, counter: ++counter },
    }),
    compressed: false,
    timeoutMs: 1000,
    periodMs: 60_000,
  };
}

Deno.test("NamesrvRegistrar.registerSoon() runs one more round for calls made during a round", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const topics = [createTopicConfig("T0")];
  const r = registrar(client, [ns.addr], topics);
  await r.start();
  assert.equal(r.rounds, 1);
  topics.push(createTopicConfig("T1"));
  const calls = [r.registerSoon(), r.registerSoon(), r.registerSoon(), r.registerSoon()];
  await Promise.all(calls);
  assert.equal(r.rounds, 3, "the first call's round, then one for the three made meanwhile");
  assert.ok(ns.controller.routes.pickupTopicRouteData("T1"));
  await r.stop();
});

Deno.test("NamesrvRegistrar keeps going when a name server is down", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient({ connectTimeoutMs: 500 });
  // A port nothing listens on: take one and free it.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dead = `127.0.0.1:${l.addr.port}`;
  l.close();
  const r = registrar(client, [dead, ns.addr], [createTopicConfig("TopicB")]);
  await r.start();
  assert.deepEqual(await r.registerAll(), [false, true]);
  assert.ok(ns.controller.routes.pickupTopicRouteData("TopicB"));
  await r.stop();
  await r.unregisterAll(); // logs the dead one, does not throw
});

Deno.test("NamesrvRegistrar.registerSoon(changed) registers just those topics; the name server keeps the rest", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const table = new Map([["T0", createTopicConfig("T0")]]);
  const asked: (string[] | undefined)[] = [];
  let counter = 0;
  const r = new NamesrvRegistrar({
    ...registrarOptions(client, [ns.addr], []),
    topicConfig: (changed) => {
      asked.push(changed?.map((tc) => tc.topicName));
      return {
        topicConfigTable: changed ? new Map(changed.map((tc) => [tc.topicName, tc])) : table,
        dataVersion: { timestamp: 1, counter: ++counter },
      };
    },
  });
  await r.start();
  const t1 = createTopicConfig("T1", { readQueueNums: 3, writeQueueNums: 3 });
  table.set("T1", t1);
  await r.registerSoon([t1]);
  assert.equal(ns.controller.routes.pickupTopicRouteData("T1")?.queueDatas[0].writeQueueNums, 3);
  assert.ok(ns.controller.routes.pickupTopicRouteData("T0"), "an incremental round keeps T0");

  // Changes made during a round share the next; one asking for everything makes it whole.
  const t2 = createTopicConfig("T2");
  const t3 = createTopicConfig("T3");
  const first = r.registerSoon([t2]);
  const both = [r.registerSoon([t3]), r.registerSoon([t2])];
  await Promise.all([first, ...both]);
  const whole = [r.registerSoon([t2]), r.registerSoon([t3]), r.registerSoon()];
  await Promise.all([r.registerSoon([t3]), ...whole]);
  assert.deepEqual(asked, [undefined, ["T1"], ["T2"], ["T3", "T2"], ["T2"], undefined]);
  await r.stop();
});
