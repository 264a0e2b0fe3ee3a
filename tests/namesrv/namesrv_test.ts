import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../src/common/bytes.ts";
import { delay } from "../../src/common/timer.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, type RemotingCommand, SerializeType } from "../../src/remoting/command.ts";
import { decodeDataVersion, encodeDataVersion } from "../../src/remoting/body/data_version.ts";
import { decodeProperties, encodeProperties } from "../../src/remoting/body/properties_body.ts";
import { decodeKVTable, decodeTopicList } from "../../src/remoting/body/topic_list.ts";
import {
  decodeClusterInfo,
  decodeTopicRouteData,
  type TopicRouteData,
} from "../../src/remoting/body/topic_route_data.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { registerBrokerRequest, registerTestBroker, startNamesrv } from "../helpers/namesrv.ts";

const BROKER_A = "127.0.0.1:10911";
const TIMEOUT = 3000;

function call(
  client: RemotingClient,
  addr: string,
  code: number,
  ext: Record<string, string> = {},
  body?: Uint8Array,
): Promise<RemotingCommand> {
  return client.invokeSync(addr, createRequest(code, ext, { body }), TIMEOUT);
}

async function getRoute(
  client: RemotingClient,
  addr: string,
  topic: string,
): Promise<RemotingCommand> {
  return await call(client, addr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
}

/** Polls until `check` passes (the server reacts to closes and timers asynchronously). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`condition not met within ${timeoutMs} ms`);
    await delay(20);
  }
}

function text(body: Uint8Array | undefined): string {
  return textDecoder.decode(body ?? new Uint8Array(0));
}

Deno.test("NamesrvController serves route, cluster and topic-list queries for a registered broker", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const reg = await registerTestBroker(client, ns.addr, {
    brokerAddr: BROKER_A,
    topics: { TopicTest: 4, TBW102: 8 },
  });
  assert.equal(reg.code, ResponseCode.SUCCESS);
  assert.deepEqual(reg.extFields, {}, "a master gets no master/HA address");
  assert.equal(reg.body, undefined, "no ORDER_TOPIC_CONFIG namespace, no body");

  const route = await getRoute(client, ns.addr, "TopicTest");
  assert.equal(route.code, ResponseCode.SUCCESS);
  const data = decodeTopicRouteData(route.body!);
  assert.deepEqual(
    data,
    {
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
        brokerAddrs: new Map([[0, BROKER_A]]),
      }],
      filterServerTable: new Map(),
    } satisfies TopicRouteData,
  );
  // rmq's client says version 409: quoted keys, as a 4.9.4+ namesrv answers.
  assert.match(text(route.body), /"brokerAddrs":\{"0":"127\.0\.0\.1:10911"\}/);

  const cluster = await call(client, ns.addr, RequestCode.GET_BROKER_CLUSTER_INFO);
  assert.equal(cluster.code, ResponseCode.SUCCESS);
  assert.equal(
    text(cluster.body),
    '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a",' +
      '"cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}',
  );
  assert.deepEqual(
    decodeClusterInfo(cluster.body!).clusterAddrTable,
    new Map([["DefaultCluster", ["broker-a"]]]),
  );

  const all = await call(client, ns.addr, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
  assert.deepEqual(decodeTopicList(all.body!).topicList.sort(), ["TBW102", "TopicTest"]);

  const byCluster = await call(client, ns.addr, RequestCode.GET_TOPICS_BY_CLUSTER, {
    cluster: "DefaultCluster",
  });
  assert.deepEqual(decodeTopicList(byCluster.body!).topicList.sort(), ["TBW102", "TopicTest"]);
  const noCluster = await call(client, ns.addr, RequestCode.GET_TOPICS_BY_CLUSTER, {
    cluster: "Nope",
  });
  assert.deepEqual(decodeTopicList(noCluster.body!).topicList, []);

  const sys = await call(client, ns.addr, RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS);
  assert.deepEqual(decodeTopicList(sys.body!), {
    topicList: ["DefaultCluster", "broker-a"],
    brokerAddr: BROKER_A,
  });

  const unit = await call(client, ns.addr, RequestCode.GET_UNIT_TOPIC_LIST);
  assert.deepEqual(decodeTopicList(unit.body!).topicList, []);
});

Deno.test("GET_ROUTEINFO_BY_TOPIC quotes brokerAddrs keys only for version >= 401 or acceptStandardJsonOnly", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  await registerTestBroker(client, ns.addr, { brokerAddr: BROKER_A, topics: { TopicTest: 2 } });
  const ask = async (version: number, ext: Record<string, string> = {}) => {
    const req = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TopicTest", ...ext });
    req.version = version;
    return text((await client.invokeSync(ns.addr, req, TIMEOUT)).body);
  };
  const expected = (addrs: string) =>
    `{"brokerDatas":[{"brokerAddrs":${addrs},"brokerName":"broker-a","cluster":"DefaultCluster"}],` +
    `"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":2,` +
    `"topicSynFlag":0,"topicSysFlag":0,"writeQueueNums":2}]}`;
  assert.equal(await ask(121), expected('{0:"127.0.0.1:10911"}'), "ali-ons (121)");
  assert.equal(await ask(317), expected('{0:"127.0.0.1:10911"}'), "Go client (317)");
  assert.equal(await ask(399), expected('{0:"127.0.0.1:10911"}'), "Java 4.9.3");
  assert.equal(await ask(401), expected('{"0":"127.0.0.1:10911"}'), "Java 4.9.4");
  assert.equal(
    await ask(121, { acceptStandardJsonOnly: "true" }),
    expected('{"0":"127.0.0.1:10911"}'),
  );
});

Deno.test("GET_ROUTEINFO_BY_TOPIC answers TOPIC_NOT_EXIST with a remark for an unknown topic", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const res = await getRoute(client, ns.addr, "NoSuchTopic");
  assert.equal(res.code, ResponseCode.TOPIC_NOT_EXIST);
  assert.match(
    res.remark ?? "",
    /^No topic route info in name server for the topic: NoSuchTopic\n/,
  );
  assert.equal(res.body, undefined);

  const missing = await call(client, ns.addr, RequestCode.GET_ROUTEINFO_BY_TOPIC, {});
  assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
  assert.match(missing.remark ?? "", /topic/);
});

Deno.test("NamesrvController answers ROCKETMQ-serialized requests in kind", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient({ serializeType: SerializeType.ROCKETMQ });
  await registerTestBroker(client, ns.addr, { brokerAddr: BROKER_A, topics: { TopicTest: 1 } });
  const res = await getRoute(client, ns.addr, "TopicTest");
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(res.serializeType, SerializeType.ROCKETMQ);
  assert.equal(decodeTopicRouteData(res.body!).queueDatas[0].writeQueueNums, 1);
});

Deno.test("REGISTER_BROKER tells a slave where its master is and applies the slave-to-master rule", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  await registerTestBroker(client, ns.addr, {
    brokerAddr: BROKER_A,
    haServerAddr: "127.0.0.1:10912",
    topics: { TopicTest: 4 },
  });
  const slave = await registerTestBroker(client, ns.addr, {
    brokerAddr: "127.0.0.1:20911",
    brokerId: 1,
    haServerAddr: "127.0.0.1:20912",
    topics: { TopicTest: 8 },
  });
  assert.equal(slave.code, ResponseCode.SUCCESS);
  assert.deepEqual(slave.extFields, { masterAddr: BROKER_A, haServerAddr: "127.0.0.1:10912" });

  let route = decodeTopicRouteData((await getRoute(client, ns.addr, "TopicTest")).body!);
  assert.deepEqual(
    route.brokerDatas[0].brokerAddrs,
    new Map([[0, BROKER_A], [1, "127.0.0.1:20911"]]),
  );
  assert.equal(
    route.queueDatas[0].writeQueueNums,
    4,
    "a slave's topic table does not change the route",
  );

  // The slave is promoted: same address, id 0. It must not stay listed as id 1.
  await registerTestBroker(client, ns.addr, {
    brokerAddr: "127.0.0.1:20911",
    brokerId: 0,
    topics: { TopicTest: 4 },
  });
  route = decodeTopicRouteData((await getRoute(client, ns.addr, "TopicTest")).body!);
  assert.deepEqual(route.brokerDatas[0].brokerAddrs, new Map([[0, "127.0.0.1:20911"]]));
});

Deno.test("REGISTER_BROKER checks bodyCrc32 and decodes compressed bodies", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const bad = registerBrokerRequest({ brokerAddr: BROKER_A, topics: { TopicTest: 4 } });
  bad.extFields.bodyCrc32 = String((Number(bad.extFields.bodyCrc32) + 1) & 0x7fffffff);
  const res = await client.invokeSync(ns.addr, bad, TIMEOUT);
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(res.remark, "crc32 not match");
  assert.equal((await getRoute(client, ns.addr, "TopicTest")).code, ResponseCode.TOPIC_NOT_EXIST);

  const garbage = createRequest(RequestCode.REGISTER_BROKER, {
    ...bad.extFields,
    bodyCrc32: "0",
  }, { body: textEncoder.encode("{not json") });
  const res2 = await client.invokeSync(ns.addr, garbage, TIMEOUT);
  assert.equal(res2.code, ResponseCode.SYSTEM_ERROR);
  assert.match(res2.remark ?? "", /^Failed to decode RegisterBrokerBody: /);

  const ok = await registerTestBroker(client, ns.addr, {
    brokerAddr: BROKER_A,
    topics: { Zipped: 3 },
    compressed: true,
  });
  assert.equal(ok.code, ResponseCode.SUCCESS);
  const route = decodeTopicRouteData((await getRoute(client, ns.addr, "Zipped")).body!);
  assert.equal(route.queueDatas[0].readQueueNums, 3);
});

Deno.test("NamesrvController drops a broker that stops registering and closes its connection", async () => {
  await using ns = await startNamesrv({
    scanNotActiveBrokerInterval: 50,
    brokerChannelExpiredTime: 300,
  });
  await using broker = new RemotingClient();
  await using client = new RemotingClient();
  await registerTestBroker(broker, ns.addr, { brokerAddr: BROKER_A, topics: { TopicTest: 4 } });
  const brokerChannel = await broker.getChannel(ns.addr);
  assert.equal((await getRoute(client, ns.addr, "TopicTest")).code, ResponseCode.SUCCESS);
  // (That a new registration keeps a broker alive is route_table_test's, with a fake clock.)
  await eventually(async () =>
    (await getRoute(client, ns.addr, "TopicTest")).code === ResponseCode.TOPIC_NOT_EXIST
  );
  await brokerChannel.closed;
  const cluster = decodeClusterInfo(
    (await call(client, ns.addr, RequestCode.GET_BROKER_CLUSTER_INFO)).body!,
  );
  assert.equal(cluster.brokerAddrTable.size, 0);
  assert.equal(cluster.clusterAddrTable.size, 0);
});

Deno.test("UNREGISTER_BROKER removes the broker and the routes only it served", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  await registerTestBroker(client, ns.addr, {
    brokerAddr: BROKER_A,
    topics: { TopicTest: 4, OnlyA: 1 },
  });
  await registerTestBroker(client, ns.addr, {
    brokerName: "broker-b",
    brokerAddr: "127.0.0.1:10921",
    topics: { TopicTest: 2 },
  });
  const res = await call(client, ns.addr, RequestCode.UNREGISTER_BROKER, {
    brokerName: "broker-a",
    brokerAddr: BROKER_A,
    clusterName: "DefaultCluster",
    brokerId: "0",
  });
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal((await getRoute(client, ns.addr, "OnlyA")).code, ResponseCode.TOPIC_NOT_EXIST);
  const route = decodeTopicRouteData((await getRoute(client, ns.addr, "TopicTest")).body!);
  assert.deepEqual(route.queueDatas.map((q) => q.brokerName), ["broker-b"]);
  assert.deepEqual(route.brokerDatas.map((b) => b.brokerName), ["broker-b"]);
  const cluster = decodeClusterInfo(
    (await call(client, ns.addr, RequestCode.GET_BROKER_CLUSTER_INFO)).body!,
  );
  assert.deepEqual(cluster.clusterAddrTable, new Map([["DefaultCluster", ["broker-b"]]]));
});

Deno.test("NamesrvController drops a broker's routes when its connection closes", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const broker = new RemotingClient();
  try {
    await registerTestBroker(broker, ns.addr, { brokerAddr: BROKER_A, topics: { TopicTest: 4 } });
    assert.equal((await getRoute(client, ns.addr, "TopicTest")).code, ResponseCode.SUCCESS);
  } finally {
    await broker.close();
  }
  await eventually(async () =>
    (await getRoute(client, ns.addr, "TopicTest")).code === ResponseCode.TOPIC_NOT_EXIST
  );
  assert.equal(ns.controller.routes.brokerLiveTable.size, 0);
});

Deno.test("QUERY_DATA_VERSION reports whether the broker's DataVersion changed", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const dataVersion = { timestamp: 1_700_000_000_123, counter: 7 };
  await registerTestBroker(client, ns.addr, {
    brokerAddr: BROKER_A,
    topics: { TopicTest: 4 },
    dataVersion,
  });
  const header = {
    brokerName: "broker-a",
    brokerAddr: BROKER_A,
    clusterName: "DefaultCluster",
    brokerId: "0",
  };
  const before = ns.controller.routes.brokerLiveTable.get(BROKER_A)!.lastUpdateTimestamp;
  await delay(5);

  const same = await call(
    client,
    ns.addr,
    RequestCode.QUERY_DATA_VERSION,
    header,
    encodeDataVersion(dataVersion),
  );
  assert.equal(same.code, ResponseCode.SUCCESS);
  assert.equal(same.extFields.changed, "false");
  assert.deepEqual(decodeDataVersion(same.body!), dataVersion);
  assert.ok(
    ns.controller.routes.brokerLiveTable.get(BROKER_A)!.lastUpdateTimestamp > before,
    "counts as alive",
  );

  const newer = await call(
    client,
    ns.addr,
    RequestCode.QUERY_DATA_VERSION,
    header,
    encodeDataVersion({ ...dataVersion, counter: 8 }),
  );
  assert.equal(newer.extFields.changed, "true");
  assert.deepEqual(decodeDataVersion(newer.body!), dataVersion);

  const unknown = await call(
    client,
    ns.addr,
    RequestCode.QUERY_DATA_VERSION,
    { ...header, brokerAddr: "127.0.0.1:1" },
    encodeDataVersion(dataVersion),
  );
  assert.equal(unknown.extFields.changed, "true");
  assert.equal(unknown.body, undefined);
});

Deno.test("KV config requests store, list and delete values and survive a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmq-namesrv-kv-" });
  try {
    const kvConfigPath = `${dir}/sub/kvConfig.json`;
    {
      await using ns = await startNamesrv({ kvConfigPath });
      await using client = new RemotingClient();
      const put = (namespace: string, key: string, value: string) =>
        call(client, ns.addr, RequestCode.PUT_KV_CONFIG, { namespace, key, value });
      assert.equal((await put("NS1", "k1", "v1")).code, ResponseCode.SUCCESS);
      assert.equal((await put("NS1", "k2", "v2")).code, ResponseCode.SUCCESS);
      assert.equal((await put("NS1", "k1", "v1b")).code, ResponseCode.SUCCESS);

      const got = await call(client, ns.addr, RequestCode.GET_KV_CONFIG, {
        namespace: "NS1",
        key: "k1",
      });
      assert.equal(got.code, ResponseCode.SUCCESS);
      assert.equal(got.extFields.value, "v1b");
      const miss = await call(client, ns.addr, RequestCode.GET_KV_CONFIG, {
        namespace: "NS1",
        key: "nope",
      });
      assert.equal(miss.code, ResponseCode.QUERY_NOT_FOUND);
      assert.equal(miss.remark, "No config item, Namespace: NS1 Key: nope");

      const list = await call(client, ns.addr, RequestCode.GET_KVLIST_BY_NAMESPACE, {
        namespace: "NS1",
      });
      assert.equal(text(list.body), '{"table":{"k1":"v1b","k2":"v2"}}');
      const noList = await call(client, ns.addr, RequestCode.GET_KVLIST_BY_NAMESPACE, {
        namespace: "NS2",
      });
      assert.equal(noList.code, ResponseCode.QUERY_NOT_FOUND);

      const del = await call(client, ns.addr, RequestCode.DELETE_KV_CONFIG, {
        namespace: "NS1",
        key: "k2",
      });
      assert.equal(del.code, ResponseCode.SUCCESS);
      assert.equal(
        await Deno.readTextFile(kvConfigPath),
        '{"configTable":{"NS1":{"k1":"v1b"}}}',
        "written once acknowledged",
      );
    }
    await using ns = await startNamesrv({ kvConfigPath });
    await using client = new RemotingClient();
    const got = await call(client, ns.addr, RequestCode.GET_KV_CONFIG, {
      namespace: "NS1",
      key: "k1",
    });
    assert.equal(got.extFields.value, "v1b");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ORDER_TOPIC_CONFIG entries reach registering brokers and, when enabled, topic routes", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  await call(client, ns.addr, RequestCode.PUT_KV_CONFIG, {
    namespace: "ORDER_TOPIC_CONFIG",
    key: "Ordered",
    value: "broker-a:2",
  });
  const reg = await registerTestBroker(client, ns.addr, {
    brokerAddr: BROKER_A,
    topics: { Ordered: 4 },
  });
  assert.deepEqual(decodeKVTable(reg.body!), new Map([["Ordered", "broker-a:2"]]));

  let route = decodeTopicRouteData((await getRoute(client, ns.addr, "Ordered")).body!);
  assert.equal(route.orderTopicConf, undefined, "orderMessageEnable is off by default");

  const update = await call(
    client,
    ns.addr,
    RequestCode.UPDATE_NAMESRV_CONFIG,
    {},
    encodeProperties([["orderMessageEnable", "true"]]),
  );
  assert.equal(update.code, ResponseCode.SUCCESS);
  route = decodeTopicRouteData((await getRoute(client, ns.addr, "Ordered")).body!);
  assert.equal(route.orderTopicConf, "broker-a:2");
});

Deno.test("WIPE_WRITE_PERM_OF_BROKER and ADD_WRITE_PERM_OF_BROKER change the broker's queue perms", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  await registerTestBroker(client, ns.addr, { brokerAddr: BROKER_A, topics: { T1: 4, T2: 4 } });
  const wipe = await call(client, ns.addr, RequestCode.WIPE_WRITE_PERM_OF_BROKER, {
    brokerName: "broker-a",
  });
  assert.equal(wipe.code, ResponseCode.SUCCESS);
  assert.equal(wipe.extFields.wipeTopicCount, "2");
  assert.equal(
    decodeTopicRouteData((await getRoute(client, ns.addr, "T1")).body!).queueDatas[0].perm,
    4,
  );

  const add = await call(client, ns.addr, RequestCode.ADD_WRITE_PERM_OF_BROKER, {
    brokerName: "broker-a",
  });
  assert.equal(add.extFields.addTopicCount, "2");
  assert.equal(
    decodeTopicRouteData((await getRoute(client, ns.addr, "T1")).body!).queueDatas[0].perm,
    6,
  );

  const none = await call(client, ns.addr, RequestCode.WIPE_WRITE_PERM_OF_BROKER, {
    brokerName: "nope",
  });
  assert.equal(none.extFields.wipeTopicCount, "0");
});

Deno.test("DELETE_TOPIC_IN_NAMESRV removes a topic everywhere or from one cluster", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  await registerTestBroker(client, ns.addr, { brokerAddr: BROKER_A, topics: { T1: 4, T2: 4 } });
  await registerTestBroker(client, ns.addr, {
    clusterName: "Other",
    brokerName: "broker-x",
    brokerAddr: "127.0.0.1:10931",
    topics: { T2: 4 },
  });
  let res = await call(client, ns.addr, RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "T1" });
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal((await getRoute(client, ns.addr, "T1")).code, ResponseCode.TOPIC_NOT_EXIST);

  res = await call(client, ns.addr, RequestCode.DELETE_TOPIC_IN_NAMESRV, {
    topic: "T2",
    clusterName: "Other",
  });
  assert.equal(res.code, ResponseCode.SUCCESS);
  const route = decodeTopicRouteData((await getRoute(client, ns.addr, "T2")).body!);
  assert.deepEqual(route.queueDatas.map((q) => q.brokerName), ["broker-a"]);
});

Deno.test("GET_NAMESRV_CONFIG and UPDATE_NAMESRV_CONFIG speak properties text", async () => {
  await using ns = await startNamesrv();
  await using client = new RemotingClient();
  const got = await call(client, ns.addr, RequestCode.GET_NAMESRV_CONFIG);
  assert.equal(got.code, ResponseCode.SUCCESS);
  const props = decodeProperties(got.body!);
  assert.equal(props.get("listenPort"), "0");
  assert.equal(props.get("orderMessageEnable"), "false");
  assert.equal(props.get("brokerChannelExpiredTime"), "120000");

  const update = (text: string) =>
    call(client, ns.addr, RequestCode.UPDATE_NAMESRV_CONFIG, {}, textEncoder.encode(text));
  const black = await update("kvConfigPath=/tmp/elsewhere\n");
  assert.equal(black.code, ResponseCode.NO_PERMISSION);
  assert.equal(black.remark, "Can not update config in black list.");

  const bad = await update("brokerChannelExpiredTime=soon\n");
  assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
  assert.match(bad.remark ?? "", /brokerChannelExpiredTime/);

  // A key the server does not have is refused, and nothing of the request applied.
  const unknown = await update("brokerChannelExpiredTime = 50000\nnotAKey=1\n");
  assert.equal(unknown.code, ResponseCode.SYSTEM_ERROR);
  assert.match(unknown.remark ?? "", /^Unknown config key notAKey/);
  assert.equal(ns.controller.config.brokerChannelExpiredTime, 120000);

  const ok = await update("# comment\nbrokerChannelExpiredTime = 60000\n");
  assert.equal(ok.code, ResponseCode.SUCCESS);
  assert.equal(ns.controller.config.brokerChannelExpiredTime, 60000);
  const again = decodeProperties(
    (await call(client, ns.addr, RequestCode.GET_NAMESRV_CONFIG)).body!,
  );
  assert.equal(again.get("brokerChannelExpiredTime"), "60000");
});
