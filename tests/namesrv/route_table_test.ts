import assert from "node:assert/strict";
import { type RegisterBrokerParams, RouteTable } from "../../src/namesrv/route_table.ts";
import { createTopicConfig, TopicSysFlag } from "../../src/remoting/body/topic_config.ts";
import type { DataVersion } from "../../src/remoting/body/data_version.ts";

const V1: DataVersion = { timestamp: 1000, counter: 1 };
const V2: DataVersion = { timestamp: 2000, counter: 2 };

function broker(
  name: string,
  addr: string,
  topics: Record<string, number>,
  extra: Partial<RegisterBrokerParams> & { dataVersion?: DataVersion } = {},
): RegisterBrokerParams {
  const table = new Map(
    Object.entries(topics).map((
      [t, n],
    ) => [t, createTopicConfig(t, { readQueueNums: n, writeQueueNums: n })]),
  );
  return {
    clusterName: "c1",
    brokerName: name,
    brokerAddr: addr,
    brokerId: 0,
    haServerAddr: `${addr}-ha`,
    topicConfigWrapper: { topicConfigTable: table, dataVersion: extra.dataVersion ?? V1 },
    ...extra,
  };
}

Deno.test("RouteTable.registerBroker() builds queue data from a master's topics", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  assert.deepEqual(rt.registerBroker(broker("a", "h:1", { T1: 4, T2: 2 }), 0), {});
  assert.deepEqual(rt.pickupTopicRouteData("T1"), {
    queueDatas: [{
      brokerName: "a",
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      topicSysFlag: 0,
    }],
    brokerDatas: [{ cluster: "c1", brokerName: "a", brokerAddrs: new Map([[0, "h:1"]]) }],
    filterServerTable: new Map(),
  });
  assert.equal(rt.pickupTopicRouteData("T3"), undefined);
  assert.deepEqual(rt.getAllTopicList(), ["T1", "T2"]);
});

Deno.test("RouteTable.registerBroker() rereads topics only when the DataVersion changes", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  rt.registerBroker(broker("a", "h:1", { T1: 4 }), 0);
  rt.registerBroker(broker("a", "h:1", { T1: 8, T9: 1 }), 1);
  assert.equal(
    rt.pickupTopicRouteData("T1")!.queueDatas[0].writeQueueNums,
    4,
    "same version: tables kept",
  );
  assert.equal(rt.pickupTopicRouteData("T9"), undefined);

  rt.registerBroker(broker("a", "h:1", { T1: 8, T9: 1 }, { dataVersion: V2 }), 2);
  assert.equal(rt.pickupTopicRouteData("T1")!.queueDatas[0].writeQueueNums, 8);
  assert.ok(rt.pickupTopicRouteData("T9"));
  assert.equal(rt.isBrokerTopicConfigChanged("h:1", V2), false);
  assert.equal(rt.isBrokerTopicConfigChanged("h:1", { ...V2, stateVersion: 1 }), true);
  assert.equal(rt.isBrokerTopicConfigChanged("h:2", V2), true, "unknown broker");
});

Deno.test("RouteTable.registerBroker() answers a slave with its master's addresses", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  assert.deepEqual(
    rt.registerBroker(broker("a", "h:2", { T1: 1 }, { brokerId: 1 }), 0),
    {},
    "master unknown yet",
  );
  rt.registerBroker(broker("a", "h:1", { T1: 4 }), 0);
  assert.deepEqual(rt.registerBroker(broker("a", "h:2", { T1: 1 }, { brokerId: 1 }), 0), {
    masterAddr: "h:1",
    haServerAddr: "h:1-ha",
  });
  assert.equal(
    rt.pickupTopicRouteData("T1")!.queueDatas[0].readQueueNums,
    4,
    "slaves do not write queue data",
  );
});

Deno.test("RouteTable.registerBroker() keeps one id per address when a slave becomes master", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  rt.registerBroker(broker("a", "h:1", { T1: 4 }), 0);
  rt.registerBroker(broker("a", "h:2", { T1: 4 }, { brokerId: 1 }), 0);
  rt.unregisterBroker("c1", "h:1", "a", 0);
  rt.registerBroker(broker("a", "h:2", { T1: 4 }, { brokerId: 0 }), 0);
  assert.deepEqual(rt.brokerAddrTable.get("a")!.brokerAddrs, new Map([[0, "h:2"]]));
});

Deno.test("RouteTable.scanNotActiveBroker() drops brokers silent for longer than the expiry", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  rt.registerBroker(broker("a", "h:1", { T1: 4 }), 0);
  rt.registerBroker(broker("b", "h:2", { T1: 2 }), 0);
  rt.registerBroker(broker("b", "h:2", { T1: 2 }), 900); // a new registration keeps b alive
  assert.deepEqual(rt.scanNotActiveBroker(1000, 1000).map(([addr]) => addr), []);
  assert.deepEqual(rt.scanNotActiveBroker(1000, 1001).map(([addr]) => addr), ["h:1"]);
  assert.deepEqual(rt.pickupTopicRouteData("T1")!.queueDatas.map((q) => q.brokerName), ["b"]);
  assert.deepEqual([...rt.clusterAddrTable.get("c1")!], ["b"]);

  rt.updateBrokerInfoUpdateTimestamp("h:2", 1950);
  assert.deepEqual(rt.scanNotActiveBroker(1000, 2000).map(([addr]) => addr), []);
  assert.deepEqual(rt.scanNotActiveBroker(1000, 2951).map(([addr]) => addr), ["h:2"]);
  assert.equal(rt.pickupTopicRouteData("T1"), undefined);
  assert.equal(rt.clusterAddrTable.size, 0);
  assert.equal(rt.brokerAddrTable.size, 0);
});

Deno.test(
  "RouteTable keeps a broker's queues while a slave of it is left",
  { permissions: "none" },
  () => {
    const rt = new RouteTable();
    rt.registerBroker(broker("a", "h:1", { T1: 4 }), 0);
    rt.registerBroker(broker("a", "h:2", { T1: 4 }, { brokerId: 1 }), 0);
    rt.removeBrokerByAddr("h:1");
    const route = rt.pickupTopicRouteData("T1")!;
    assert.deepEqual(
      route.brokerDatas[0].brokerAddrs,
      new Map([[1, "h:2"]]),
      "consumers may still read",
    );
    rt.unregisterBroker("c1", "h:2", "a", 1);
    assert.equal(rt.pickupTopicRouteData("T1"), undefined);
  },
);

Deno.test(
  "RouteTable wipes and restores write permission per broker",
  { permissions: "none" },
  () => {
    const rt = new RouteTable();
    rt.registerBroker(broker("a", "h:1", { T1: 4, T2: 4 }), 0);
    rt.registerBroker(broker("b", "h:2", { T1: 4 }), 0);
    assert.equal(rt.wipeWritePermOfBroker("a"), 2);
    const perms = () =>
      rt.pickupTopicRouteData("T1")!.queueDatas.map((q) => `${q.brokerName}:${q.perm}`);
    assert.deepEqual(perms(), ["a:4", "b:6"]);
    assert.equal(rt.addWritePermOfBroker("a"), 2);
    assert.deepEqual(perms(), ["a:6", "b:6"]);
  },
);

Deno.test("RouteTable.deleteTopic() removes a topic, or its queues in one cluster", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  rt.registerBroker(broker("a", "h:1", { T1: 4, T2: 4 }), 0);
  rt.registerBroker(broker("x", "h:9", { T1: 4 }, { clusterName: "c2" }), 0);
  rt.deleteTopic("T1", "c2");
  assert.deepEqual(rt.pickupTopicRouteData("T1")!.queueDatas.map((q) => q.brokerName), ["a"]);
  rt.deleteTopic("T1", "nope");
  rt.deleteTopic("T1", "c1");
  assert.equal(rt.pickupTopicRouteData("T1"), undefined);
  rt.deleteTopic("T2");
  assert.deepEqual(rt.getAllTopicList(), []);
  assert.deepEqual(rt.getTopicsByCluster("c1"), []);
});

Deno.test("RouteTable lists topics by cluster, system topics and unit topics", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  const unit = createTopicConfig("U", {
    topicSysFlag: TopicSysFlag.FLAG_UNIT | TopicSysFlag.FLAG_UNIT_SUB,
  });
  const unitSub = createTopicConfig("S", { topicSysFlag: TopicSysFlag.FLAG_UNIT_SUB });
  const p = broker("a", "h:1", { T1: 1 });
  p.topicConfigWrapper!.topicConfigTable.set("U", unit).set("S", unitSub);
  rt.registerBroker(p, 0);
  rt.registerBroker(broker("x", "h:9", { T2: 1 }, { clusterName: "c2" }), 0);
  assert.deepEqual(rt.getTopicsByCluster("c1"), ["T1", "U", "S"]);
  assert.deepEqual(rt.getTopicsByCluster("c2"), ["T2"]);
  assert.deepEqual(rt.getSystemTopicList(), {
    topicList: ["c1", "a", "c2", "x"],
    brokerAddr: "h:1",
  });
  assert.deepEqual(rt.getUnitTopics(), ["U"]);
  assert.deepEqual(rt.getHasUnitSubTopicList(), ["U", "S"]);
  assert.deepEqual(rt.getHasUnitSubUnUnitTopicList(), ["S"]);
  assert.deepEqual(
    rt.getAllClusterInfo().clusterAddrTable,
    new Map([["c1", ["a"]], ["c2", ["x"]]]),
  );
});

Deno.test("RouteTable.registerBroker() records filter servers and routes carry them", {
  permissions: "none",
}, () => {
  const rt = new RouteTable();
  rt.registerBroker({ ...broker("a", "h:1", { T1: 1 }), filterServerList: ["f:1"] }, 0);
  assert.deepEqual(rt.pickupTopicRouteData("T1")!.filterServerTable, new Map([["h:1", ["f:1"]]]));
  rt.registerBroker({ ...broker("a", "h:1", { T1: 1 }), filterServerList: [] }, 0);
  assert.deepEqual(rt.pickupTopicRouteData("T1")!.filterServerTable, new Map());
});
