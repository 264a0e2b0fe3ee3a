/**
 * The ACL on a real name server and broker with rmq's own client: signed requests pass, every
 * kind of wrong one is refused with code 1 and stores nothing, the file is reloaded when it
 * changes, the ACL admin codes edit it, and refusals do not flood the log.
 */
import assert from "node:assert/strict";
import { MQBrokerError } from "../../src/client/errors.ts";
import { Producer } from "../../src/client/producer/producer.ts";
import { PushConsumer } from "../../src/client/consumer/push_consumer.ts";
import { ConsumeFromWhere } from "../../src/client/consumer/consumer_types.ts";
import { parseAclFile } from "../../src/acl/acl_file.ts";
import type { Credentials } from "../../src/acl/signature.ts";
import { decodeAclConfigBody } from "../../src/remoting/body/acl_config_body.ts";
import { encodeProperties } from "../../src/remoting/body/properties_body.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { registerBrokerRequest } from "../helpers/namesrv.ts";
import { captureLogs } from "../helpers/remoting.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { waitUntil } from "../helpers/wait.ts";
import { CLUSTER_ACL } from "../acl/acl_fixtures.ts";

const ACL = CLUSTER_ACL;
const ADMIN: Credentials = { accessKey: "brokerAdmin", secretKey: "broker-secret" };
const APP: Credentials = { accessKey: "appUser1", secretKey: "app-secret-1" };

async function aclCluster(dir: string): Promise<TestCluster> {
  const aclFile = `${dir}/plain_acl.yml`;
  await Deno.writeTextFile(aclFile, ACL);
  const cluster = await startCluster({
    namesrv: { aclEnable: true, aclFile },
    broker: { aclEnable: true, aclFile, ...ADMIN },
  });
  await cluster.createTopic("AclOrders", { queues: 2 });
  await cluster.createTopic("AclAudit", { queues: 2 });
  return cluster;
}

function stored(cluster: TestCluster, topic: string): number {
  const store = cluster.brokers[0].controller.store;
  return store.getMaxOffsetInQueue(topic, 0) + store.getMaxOffsetInQueue(topic, 1);
}

async function trySend(cluster: TestCluster, topic: string, creds?: Credentials): Promise<string> {
  await using p = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    producerGroup: "AclProducer",
    retryTimesWhenSendFailed: 0,
    ...creds,
  });
  await p.start();
  try {
    const r = await p.send({ topic, body: "hello acl" });
    return r.sendStatus;
  } catch (e) {
    const cause = e instanceof MQBrokerError ? e : (e as Error).cause;
    if (cause instanceof MQBrokerError) return `${cause.code} ${cause.remark}`;
    throw e;
  }
}

Deno.test("signed sends and consumes pass; wrong ones are refused with code 1 and store nothing", async () => {
  await using dir = await tempDir();
  await using cluster = await aclCluster(dir.path);
  assert.equal(await trySend(cluster, "AclOrders", APP), "SEND_OK");
  assert.equal(stored(cluster, "AclOrders"), 1);

  const refusals: [Credentials | undefined, string, RegExp][] = [
    [
      { ...APP, secretKey: "not-the-secret" },
      "AclOrders",
      /Check signature failed for accessKey=appUser1/,
    ],
    [undefined, "AclOrders", /No accessKey is configured/],
    [{ accessKey: "stranger1", secretKey: "x1234567" }, "AclOrders", /No acl config for stranger1/],
    [APP, "AclAudit", /No default permission for topic:AclAudit/],
  ];
  for (const [creds, topic, why] of refusals) {
    const r = await trySend(cluster, topic, creds);
    assert.match(r, /^1 org\.apache\.rocketmq\.acl\.common\.AclException: /);
    assert.match(r, why);
  }
  assert.equal(stored(cluster, "AclOrders"), 1, "refused sends stored nothing");
  assert.equal(stored(cluster, "AclAudit"), 0);

  await using c = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    consumerGroup: "AclGroup",
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
    ...APP,
  });
  const got: string[] = [];
  c.subscribe("AclOrders", "*");
  c.registerMessageListener((msgs) => {
    for (const m of msgs) got.push(new TextDecoder().decode(m.body));
  });
  await c.start();
  await waitUntil("the signed consumer to get the message", () => got.length === 1, 10_000);
  assert.deepEqual(got, ["hello acl"]);
});

Deno.test("admin codes need an admin account; the broker's settings of the ACL never change remotely", async () => {
  await using dir = await tempDir();
  await using cluster = await aclCluster(dir.path);
  const broker = cluster.brokers[0].addr;
  await using app = new RemotingClient({ credentials: APP });
  const create = await app.invokeSync(
    broker,
    createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic: "Sneaky",
      defaultTopic: "TBW102",
      readQueueNums: "1",
      writeQueueNums: "1",
      perm: "6",
      topicFilterType: "SINGLE_TAG",
    }),
    3000,
  );
  assert.equal(create.code, ResponseCode.SYSTEM_ERROR);
  assert.match(
    create.remark ?? "",
    /Need admin permission for request code=17, but accessKey=appUser1 is not/,
  );
  assert.equal(cluster.brokers[0].controller.topicConfigManager.get("Sneaky"), undefined);

  await using admin = new RemotingClient({ credentials: ADMIN });
  for (
    const [key, value] of [["aclEnable", "false"], ["aclFile", "/tmp/x.yml"], [
      "storePathRootDir",
      "/tmp",
    ]]
  ) {
    const r = await admin.invokeSync(
      broker,
      createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, {
        body: encodeProperties([[key, value]]),
      }),
      3000,
    );
    assert.notEqual(r.code, ResponseCode.SUCCESS, `${key} must not change remotely`);
  }
  assert.equal(cluster.brokers[0].controller.config.aclEnable, true);
});

Deno.test("a new account in the file works within seconds; the ACL admin codes edit the file", async () => {
  await using dir = await tempDir();
  await using cluster = await aclCluster(dir.path);
  const aclFile = `${dir.path}/plain_acl.yml`;
  const late: Credentials = { accessKey: "lateUser1", secretKey: "late-secret" };
  assert.match(await trySend(cluster, "AclOrders", late), /No acl config for lateUser1/);
  await Deno.writeTextFile(
    aclFile,
    ACL + "- accessKey: lateUser1\n  secretKey: late-secret\n  topicPerms: [AclOrders=PUB]\n",
  );
  let last = "";
  await waitUntil(
    () => `the new account to work (last: ${last})`,
    async () => (last = await trySend(cluster, "AclOrders", late)) === "SEND_OK",
    5000,
  );

  const broker = cluster.brokers[0].addr;
  await using admin = new RemotingClient({ credentials: ADMIN });
  const call = (code: number, ext: Record<string, string> = {}) =>
    admin.invokeSync(broker, createRequest(code, ext), 3000);
  const made = await call(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, {
    accessKey: "madeByAdmin",
    secretKey: "made-secret",
    topicPerms: "AclOrders=PUB,AclAudit=DENY",
    admin: "false",
  });
  assert.equal(made.code, ResponseCode.SUCCESS, made.remark);
  const short = await call(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, {
    accessKey: "tiny",
    secretKey: "x",
  });
  assert.equal(short.code, ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED);
  assert.equal(
    (await call(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, { globalWhiteAddrs: "10.99.0.*" }))
      .code,
    0,
  );
  assert.equal((await call(RequestCode.DELETE_ACL_CONFIG, { accessKey: "lateUser1" })).code, 0);
  assert.equal(
    (await call(RequestCode.DELETE_ACL_CONFIG, { accessKey: "lateUser1" })).code,
    ResponseCode.DELETE_ACL_CONFIG_FAILED,
  );
  const version = await call(RequestCode.GET_BROKER_CLUSTER_ACL_INFO);
  assert.equal(JSON.parse(version.extFields.version).counter, 3);
  assert.equal(version.extFields.brokerAddr, broker);
  const all = decodeAclConfigBody((await call(RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG)).body!);
  assert.deepEqual(all.globalWhiteAddrs, ["10.99.0.*"]);
  assert.deepEqual(all.plainAccessConfigs.map((a) => a.accessKey), [
    "brokerAdmin",
    "appUser1",
    "madeByAdmin",
  ]);

  const onDisk = parseAclFile(await Deno.readTextFile(aclFile));
  assert.deepEqual(onDisk.accounts.find((a) => a.accessKey === "madeByAdmin")?.topicPerms, [
    "AclOrders=PUB",
    "AclAudit=DENY",
  ]);
  assert.equal(
    await trySend(cluster, "AclOrders", { accessKey: "madeByAdmin", secretKey: "made-secret" }),
    "SEND_OK",
  );
  assert.match(await trySend(cluster, "AclOrders", late), /No acl config for lateUser1/);
  // Reading the secrets is for admins only.
  await using app = new RemotingClient({ credentials: APP });
  const peek = await app.invokeSync(
    broker,
    createRequest(RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG, {}),
    3000,
  );
  assert.equal(peek.code, ResponseCode.SYSTEM_ERROR);
});

Deno.test("the name server refuses unsigned registrations but answers route queries", async () => {
  await using dir = await tempDir();
  await using cluster = await aclCluster(dir.path);
  await using stranger = new RemotingClient();
  const reg = await stranger.invokeSync(
    cluster.namesrvAddr,
    registerBrokerRequest({
      brokerName: "broker-a",
      brokerAddr: "10.6.6.6:10911",
      topics: { AclOrders: 2 },
    }),
    3000,
  );
  assert.equal(reg.code, ResponseCode.SYSTEM_ERROR);
  assert.match(reg.remark ?? "", /No accessKey is configured/);
  const wipe = await stranger.invokeSync(
    cluster.namesrvAddr,
    createRequest(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: "broker-a" }),
    3000,
  );
  assert.equal(wipe.code, ResponseCode.SYSTEM_ERROR);
  const route = await stranger.invokeSync(
    cluster.namesrvAddr,
    createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "AclOrders" }),
    3000,
  );
  assert.equal(route.code, ResponseCode.SUCCESS);
  assert.doesNotMatch(new TextDecoder().decode(route.body), /10\.6\.6\.6/);
});

Deno.test("refusals are logged once per connection per minute", async () => {
  await using dir = await tempDir();
  await using cluster = await aclCluster(dir.path);
  using logs = captureLogs();
  await using stranger = new RemotingClient();
  for (let i = 0; i < 20; i++) {
    const r = await stranger.invokeSync(
      cluster.brokers[0].addr,
      createRequest(RequestCode.GET_ALL_TOPIC_CONFIG, {}),
      3000,
    );
    // Codes without resources still need a known, signed account.
    assert.equal(r.code, ResponseCode.SYSTEM_ERROR);
  }
  assert.equal(logs.matching("warning", "Refused").length, 1);
});
