import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeClusterInfo,
  decodeTopicRouteData,
  encodeClusterInfo,
  encodeTopicRouteData,
  type TopicRouteData,
} from "../../../src/remoting/body/topic_route_data.ts";

function route(): TopicRouteData {
  return {
    queueDatas: [{
      brokerName: "broker-a",
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      topicSysFlag: 0,
    }],
    brokerDatas: [{
      cluster: "DefaultCluster",
      brokerName: "broker-a",
      brokerAddrs: new Map([[1, "10.0.0.2:10911"], [0, "10.0.0.1:10911"]]),
    }],
    filterServerTable: new Map(),
  };
}

Deno.test("encodeTopicRouteData() writes fastjson's unquoted numeric keys by default", {
  permissions: "none",
}, () => {
  assert.equal(
    textDecoder.decode(encodeTopicRouteData(route())),
    '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a",' +
      '"cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,' +
      '"readQueueNums":4,"topicSynFlag":0,"topicSysFlag":0,"writeQueueNums":4}]}',
  );
});

Deno.test("encodeTopicRouteData() writes standard JSON with ASCII escapes when asked", {
  permissions: "none",
}, () => {
  const r = route();
  r.orderTopicConf = "broker-a:4";
  r.brokerDatas[0].cluster = "集群";
  r.filterServerTable.set("10.0.0.1:10911", ["10.0.0.1:30000"]);
  assert.equal(
    textDecoder.decode(encodeTopicRouteData(r, { standardJson: true })),
    '{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"},"brokerName":"broker-a",' +
      '"cluster":"\\u96c6\\u7fa4"}],"filterServerTable":{"10.0.0.1:10911":["10.0.0.1:30000"]},' +
      '"orderTopicConf":"broker-a:4","queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,' +
      '"topicSynFlag":0,"topicSysFlag":0,"writeQueueNums":4}]}',
  );
});

Deno.test("decodeTopicRouteData() reads quoted, unquoted and pre-4.9 field spellings", {
  permissions: "none",
}, () => {
  const expected = route();
  expected.brokerDatas[0].brokerAddrs = new Map([[0, "10.0.0.1:10911"], [1, "10.0.0.2:10911"]]);
  for (const key of ["0", '"0"']) {
    const text = `{"brokerDatas":[{"brokerAddrs":{${key}:"10.0.0.1:10911",1:"10.0.0.2:10911"},` +
      `"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},` +
      `"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSynFlag":0,"writeQueueNums":4}]}`;
    assert.deepEqual(decodeTopicRouteData(textEncoder.encode(text)), expected);
  }
});

Deno.test(
  "encodeClusterInfo() matches the 4.9 name server's bytes",
  { permissions: "none" },
  () => {
    const text =
      '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.1:10911"},"brokerName":"broker-a",' +
      '"cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}';
    const info = decodeClusterInfo(textEncoder.encode(text));
    assert.deepEqual(info.clusterAddrTable, new Map([["DefaultCluster", ["broker-a"]]]));
    assert.deepEqual(
      info.brokerAddrTable.get("broker-a")?.brokerAddrs,
      new Map([[0, "10.0.0.1:10911"]]),
    );
    assert.equal(textDecoder.decode(encodeClusterInfo(info)), text);
  },
);
