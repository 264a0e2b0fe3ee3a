/**
 * The client instance against a real name server (brokers registered by hand, as
 * tests/helpers/namesrv.ts does): route updates, the broker table, heartbeat data, sharing.
 */
import assert from "node:assert/strict";
import { ClientInstance } from "../../src/client/client_instance.ts";
import type { ProducerInner } from "../../src/client/client_inner.ts";
import type { TopicPublishInfo } from "../../src/client/producer/topic_publish_info.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { registerTestBroker, startNamesrv } from "../helpers/namesrv.ts";

/** A producer as the instance sees it, recording the publish info it is given. */
function recordingProducer(groupName: string, topics: string[] = []) {
  const infos = new Map<string, TopicPublishInfo>();
  const inner: ProducerInner = {
    groupName,
    publishTopics: () => topics,
    isPublishTopicNeedUpdate: (t) => !infos.get(t)?.ok,
    updateTopicPublishInfo: (t, info) => void infos.set(t, info),
  };
  return { inner, infos };
}

/** An address nothing listens on (bound, then released), for brokers that only register. */
function deadAddr(): string {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  return `127.0.0.1:${port}`;
}

let seq = 0;
function instance(namesrvAddr: string): ClientInstance {
  return ClientInstance.getOrCreate({
    namesrvAddr,
    clientIP: "127.0.0.1",
    instanceName: `client-instance-test-${seq++}`,
  });
}

Deno.test("ClientInstance.updateTopicRouteInfoFromNameServer() updates brokers and producers", async () => {
  await using ns = await startNamesrv();
  await using remoting = new RemotingClient();
  const [addrA, addrB] = [deadAddr(), deadAddr()];
  await registerTestBroker(remoting, ns.addr, {
    brokerName: "broker-a",
    brokerAddr: addrA,
    topics: { T: 2 },
  });
  await registerTestBroker(remoting, ns.addr, {
    brokerName: "broker-b",
    brokerAddr: addrB,
    topics: { T: 3 },
  });
  await using ci = instance(ns.addr);
  const p = recordingProducer("pg", ["T"]);
  assert.equal(ci.registerProducer(p.inner), true);

  assert.equal(await ci.updateTopicRouteInfoFromNameServer("T"), true);
  assert.equal(ci.findBrokerAddressInPublish("broker-a"), addrA);
  assert.equal(ci.findBrokerAddressInPublish("broker-b"), addrB);
  assert.equal(p.infos.get("T")?.messageQueueList.length, 5);
  // Unchanged route: nothing to do.
  assert.equal(await ci.updateTopicRouteInfoFromNameServer("T"), false);
  // broker-b grows to 4 queues: the producer sees it on the next update.
  await registerTestBroker(remoting, ns.addr, {
    brokerName: "broker-b",
    brokerAddr: addrB,
    topics: { T: 4 },
    dataVersion: { timestamp: 1_700_000_000_001, counter: 2 },
  });
  assert.equal(await ci.updateTopicRouteInfoFromNameServer("T"), true);
  assert.equal(p.infos.get("T")?.messageQueueList.length, 6);
  // An unknown topic changes nothing.
  assert.equal(await ci.updateTopicRouteInfoFromNameServer("Unknown"), false);
  await ci.unregisterProducer("pg");
});

Deno.test("ClientInstance.updateTopicRouteInfoFromNameServer() stands TBW102's route in for a new topic", async () => {
  await using ns = await startNamesrv();
  await using remoting = new RemotingClient();
  await registerTestBroker(remoting, ns.addr, {
    brokerAddr: deadAddr(),
    topics: { TBW102: 8 },
  });
  await using ci = instance(ns.addr);
  const p = recordingProducer("pg");
  ci.registerProducer(p.inner);
  assert.equal(await ci.updateTopicRouteInfoFromNameServer("NewTopic"), false);
  assert.equal(
    await ci.updateTopicRouteInfoFromNameServer("NewTopic", { key: "TBW102", queueNums: 4 }),
    true,
  );
  const info = p.infos.get("NewTopic")!;
  assert.deepEqual(info.messageQueueList.map((q) => `${q.topic}/${q.brokerName}/${q.queueId}`), [
    "NewTopic/broker-a/0",
    "NewTopic/broker-a/1",
    "NewTopic/broker-a/2",
    "NewTopic/broker-a/3",
  ]);
  await ci.unregisterProducer("pg");
});

Deno.test("ClientInstance.updateTopicRouteInfoFromNameServer() shares one fetch among concurrent callers", async () => {
  await using ns = await startNamesrv();
  await using ci = instance(ns.addr);
  const a = ci.updateTopicRouteInfoFromNameServer("T");
  const b = ci.updateTopicRouteInfoFromNameServer("T");
  assert.equal(a, b);
  const c = ci.updateTopicRouteInfoFromNameServer("T", { key: "TBW102", queueNums: 4 });
  assert.notEqual(a, c);
  await Promise.all([a, b, c]);
});

Deno.test("ClientInstance.cleanOfflineBroker() forgets brokers no route lists", async () => {
  await using ns = await startNamesrv();
  await using remoting = new RemotingClient();
  await registerTestBroker(remoting, ns.addr, { brokerAddr: deadAddr(), topics: { T: 1 } });
  await using ci = instance(ns.addr);
  const p = recordingProducer("pg", ["T"]);
  ci.registerProducer(p.inner);
  await ci.updateTopicRouteInfoFromNameServer("T");
  ci.brokerAddrTable.set("broker-gone", new Map([[0, deadAddr()]]));
  ci.cleanOfflineBroker();
  assert.deepEqual([...ci.brokerAddrTable.keys()], ["broker-a"]);
  await ci.unregisterProducer("pg");
});

Deno.test({
  name: "ClientInstance.heartbeatData() lists producer groups and the inner producer",
  permissions: "none",
}, async () => {
  await using ci = instance("127.0.0.1:1");
  assert.deepEqual(ci.heartbeatData(), {
    clientID: ci.clientId,
    producerDataSet: [],
    consumerDataSet: [],
  });
  ci.registerProducer(recordingProducer("pg1").inner);
  ci.registerProducer(recordingProducer("pg2").inner);
  assert.deepEqual(ci.heartbeatData().producerDataSet, [
    { groupName: "pg1" },
    { groupName: "pg2" },
    { groupName: "CLIENT_INNER_PRODUCER" },
  ]);
  assert.match(ci.clientId, /^127\.0\.0\.1@client-instance-test-\d+$/);
  await ci.unregisterProducer("pg1");
  await ci.unregisterProducer("pg2");
});

Deno.test({
  name: "ClientInstance.getOrCreate() shares an instance by client id until it shuts down",
  permissions: "none",
}, async () => {
  const opts = { namesrvAddr: "127.0.0.1:1", clientIP: "127.0.0.1", instanceName: "shared-x" };
  const a = ClientInstance.getOrCreate(opts);
  assert.equal(ClientInstance.getOrCreate(opts), a);
  a.start();
  a.registerProducer(recordingProducer("pg").inner);
  await a.shutdown(); // still in use by pg: stays up
  assert.equal(a.isRunning, true);
  await a.unregisterProducer("pg");
  await a.shutdown();
  assert.equal(a.isRunning, false);
  const b = ClientInstance.getOrCreate(opts);
  assert.notEqual(b, a);
  await b.shutdown();
});
