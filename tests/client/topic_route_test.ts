import assert from "node:assert/strict";
import type { TopicRouteData } from "../../src/remoting/body/topic_route_data.ts";
import {
  defaultTopicRoute,
  routeFingerprint,
  topicRouteToPublishInfo,
  topicRouteToSubscribeInfo,
} from "../../src/client/topic_route.ts";

function route(over: Partial<TopicRouteData> = {}): TopicRouteData {
  return {
    queueDatas: [
      { brokerName: "broker-b", readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: "broker-a", readQueueNums: 3, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: "broker-r", readQueueNums: 1, writeQueueNums: 1, perm: 4, topicSysFlag: 0 },
      { brokerName: "broker-s", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 },
    ],
    brokerDatas: [
      { cluster: "c", brokerName: "broker-a", brokerAddrs: new Map([[0, "10.0.0.1:10911"]]) },
      { cluster: "c", brokerName: "broker-b", brokerAddrs: new Map([[0, "10.0.0.2:10911"]]) },
      { cluster: "c", brokerName: "broker-r", brokerAddrs: new Map([[0, "10.0.0.3:10911"]]) },
      // A group whose master is gone: only its slave is left.
      { cluster: "c", brokerName: "broker-s", brokerAddrs: new Map([[1, "10.0.0.4:10911"]]) },
    ],
    filterServerTable: new Map(),
    ...over,
  };
}

const names = (qs: readonly { brokerName: string; queueId: number }[]) =>
  qs.map((q) => `${q.brokerName}:${q.queueId}`);

Deno.test(
  {
    name: "topicRouteToPublishInfo() lists writable queues of brokers with a master, by name",
    permissions: "none",
  },
  () => {
    const info = topicRouteToPublishInfo("T", route());
    assert.deepEqual(names(info.messageQueueList), [
      "broker-a:0",
      "broker-a:1",
      "broker-b:0",
      "broker-b:1",
    ]);
    assert.ok(info.messageQueueList.every((q) => q.topic === "T"));
    assert.equal(info.orderTopic, false);
    assert.equal(info.haveTopicRouterInfo, true);
    assert.equal(info.ok, true);
    assert.equal(info.writeQueueNumsOf("broker-a"), 2);
    assert.equal(info.writeQueueNumsOf("nope"), 0);
  },
);

Deno.test(
  {
    name: "topicRouteToPublishInfo() follows orderTopicConf when the route has one",
    permissions: "none",
  },
  () => {
    const info = topicRouteToPublishInfo("T", route({ orderTopicConf: "broker-b:2;broker-a:1" }));
    assert.deepEqual(names(info.messageQueueList), ["broker-b:0", "broker-b:1", "broker-a:0"]);
    assert.equal(info.orderTopic, true);
  },
);

Deno.test(
  {
    name: "topicRouteToSubscribeInfo() lists readable queues by readQueueNums",
    permissions: "none",
  },
  () => {
    assert.deepEqual(names(topicRouteToSubscribeInfo("T", route())), [
      "broker-b:0",
      "broker-b:1",
      "broker-a:0",
      "broker-a:1",
      "broker-a:2",
      "broker-r:0",
      "broker-s:0",
    ]);
  },
);

Deno.test(
  {
    name: "defaultTopicRoute() offers min(defaultQueueNums, readQueueNums) queues per broker",
    permissions: "none",
  },
  () => {
    const tbw = route({
      queueDatas: [
        { brokerName: "broker-a", readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 },
        { brokerName: "broker-b", readQueueNums: 2, writeQueueNums: 8, perm: 7, topicSysFlag: 0 },
      ],
    });
    const d = defaultTopicRoute(tbw, 4);
    assert.deepEqual(d.queueDatas.map((q) => [q.readQueueNums, q.writeQueueNums]), [[4, 4], [
      2,
      2,
    ]]);
    assert.equal(tbw.queueDatas[0].readQueueNums, 8); // the original is left alone
  },
);

Deno.test(
  { name: "routeFingerprint() ignores list order and sees any change", permissions: "none" },
  () => {
    const a = route();
    const b = route({
      queueDatas: [...a.queueDatas].reverse(),
      brokerDatas: [...a.brokerDatas].reverse(),
    });
    assert.equal(routeFingerprint(a), routeFingerprint(b));
    const c = route();
    c.queueDatas[0] = { ...c.queueDatas[0], writeQueueNums: 3 };
    assert.notEqual(routeFingerprint(a), routeFingerprint(c));
  },
);
