/**
 * `rmq admin` against a real rmq name server and broker: mqadmin's commands and short flags,
 * aligned tables, --json, and exit codes that mean something.
 */
import assert from "node:assert/strict";
import { startCluster } from "../helpers/cluster.ts";
import { sendMany, startProducer } from "../helpers/consumers.ts";
import { runRmq } from "../helpers/rmq.ts";
import { request } from "../helpers/consume.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { ConsumerSendMsgBackRequestHeader } from "../../src/remoting/headers.ts";
import { decodeOffsetMsgId } from "../../src/common/message/message_id.ts";
import { PushConsumer } from "../../src/client/consumer/push_consumer.ts";
import { ConsumeFromWhere } from "../../src/client/consumer/consumer_types.ts";

Deno.test("rmq admin: cluster, topics, status and consumer progress, as tables and JSON", async () => {
  await using cluster = await startCluster();
  const ns = ["-n", cluster.namesrvAddr];
  const admin = (...args: string[]) => runRmq(["admin", ...args, ...ns]);
  const broker = cluster.brokers[0].addr;

  const list = await admin("clusterList");
  assert.equal(list.code, 0, list.stderr);
  const [head, row] = list.stdout.trimEnd().split("\n");
  assert.match(head, /^Cluster\s+Broker\s+BID\s+Addr\s+Version\s+InTPS\s+OutTPS\s+Disk$/);
  assert.match(row, new RegExp(`^DefaultCluster\\s+broker-a\\s+0\\s+${broker}\\s+V4_`));

  const made = await admin(
    "updateTopic",
    "-t",
    "AdminT",
    "-c",
    "DefaultCluster",
    "-r",
    "2",
    "-w",
    "2",
  );
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made.stdout, `create topic AdminT on ${broker} success\n`);
  assert.equal(cluster.brokers[0].controller.topicConfigManager.get("AdminT")?.writeQueueNums, 2);
  await cluster.waitForRoute("AdminT");

  await using producer = await startProducer(cluster);
  await sendMany(producer, 4, (i) => ({ topic: "AdminT", body: `a${i}` }));
  const status = JSON.parse((await admin("topicStatus", "-t", "AdminT", "--json")).stdout);
  assert.equal(status.length, 2);
  assert.equal(status.reduce((n: number, q: { maxOffset: number }) => n + q.maxOffset, 0), 4);

  const route = await admin("topicRoute", "-t", "AdminT");
  assert.match(route.stdout, new RegExp(`^broker-a\\s+0\\s+${broker}\\s+2\\s+2\\s+6$`, "m"));
  assert.match((await admin("topicList")).stdout, /^AdminT$/m);

  // A group that committed 1 on queue 0.
  const consumed = await runRmq(
    [
      "consume",
      "-g",
      "AdminG",
      "-t",
      "AdminT",
      "--from",
      "first",
      "--count",
      "4",
      "--timeout",
      "20s",
      ...ns,
    ],
  );
  assert.equal(consumed.code, 0, consumed.stderr);
  const progress = await admin("consumerProgress", "-g", "AdminG", "--json");
  assert.equal(progress.code, 0, progress.stderr);
  const p = JSON.parse(progress.stdout);
  assert.equal(p.group, "AdminG");
  assert.equal(p.diffTotal, 0);
  assert.equal(p.queues.length, 2);
  const groups = JSON.parse((await admin("consumerProgress", "--json")).stdout);
  assert.deepEqual(groups.find((g: { group: string }) => g.group === "AdminG"), {
    group: "AdminG",
    diffTotal: 0,
    consumeTps: p.consumeTps,
  });
  const table = await admin("consumerProgress", "-g", "AdminG");
  assert.match(
    table.stdout,
    /^Topic\s+Broker\s+QID\s+BrokerOffset\s+ConsumerOffset\s+Diff\s+LastTime$/m,
  );
  assert.match(table.stdout, /^Diff Total: 0$/m);

  const rt = JSON.parse((await admin("brokerStatus", "-b", broker, "--json")).stdout);
  assert.ok("putTps" in rt && "commitLogMaxOffset" in rt);
  const config = JSON.parse(
    (await admin("getBrokerConfig", "-c", "DefaultCluster", "--json")).stdout,
  );
  assert.equal(config[broker].brokerName, "broker-a");

  const gone = await admin("deleteTopic", "-t", "AdminT", "-c", "DefaultCluster");
  assert.equal(gone.code, 0, gone.stderr);
  assert.equal(cluster.brokers[0].controller.topicConfigManager.get("AdminT"), undefined);
  const noRoute = await admin("topicRoute", "-t", "AdminT");
  assert.equal(noRoute.code, 1);
  assert.equal(noRoute.stdout, "");
  assert.match(
    noRoute.stderr,
    /^rmq admin topicRoute: GET_ROUTEINFO_BY_TOPIC to .*: TOPIC_NOT_EXIST \(17\)/,
  );
  assert.equal(noRoute.stderr.trimEnd().split("\n").length, 1);
});

Deno.test("rmq admin: usage errors exit 2 in one line; an unreachable server exits 1", async () => {
  await using cluster = await startCluster();
  const ns = ["-n", cluster.namesrvAddr];
  for (
    const [args, why] of [
      [["nope"], /unknown command "nope"/],
      [["topicStatus"], /topicStatus needs -t TOPIC/],
      [["updateTopic", "-t", "X"], /updateTopic needs -b BROKER_ADDR or -c CLUSTER/],
      [["updateTopic", "-t", "X", "-c", "C", "-p", "9"], /Invalid value for -p/],
    ] as const
  ) {
    const r = await runRmq(["admin", ...args, ...ns]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  const down = await runRmq(["admin", "brokerStatus", "-b", "127.0.0.1:1", ...ns]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^rmq admin brokerStatus: Cannot connect to 127\.0\.0\.1:1/);
});

Deno.test("rmq admin: groups, offsets, messages, KV config and permissions", async () => {
  await using cluster = await startCluster();
  const ns = ["-n", cluster.namesrvAddr];
  const admin = async (...args: string[]) => {
    const r = await runRmq(["admin", ...args, ...ns]);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await admin(...args, "--json"));
  const c = cluster.brokers[0].controller;
  await cluster.createTopic("AdmMsg", { queues: 2 });

  const sent = await json(
    "sendMessage",
    "-t",
    "AdmMsg",
    "-p",
    "hello admin",
    "-k",
    "key1",
    "-c",
    "TagA",
  );
  assert.equal(sent.status, "SEND_OK");
  const byKey = await json("queryMsgByKey", "-t", "AdmMsg", "-k", "key1");
  assert.equal(byKey.length, 1);
  assert.equal(byKey[0].msgId, sent.msgId);
  const byId = await json("queryMsgById", "-i", sent.offsetMsgId);
  assert.equal(byId["Message Body"], "hello admin");
  assert.equal(byId.Tags, "TagA");
  const byUniq = await json("queryMsgByUniqueKey", "-t", "AdmMsg", "-i", sent.msgId);
  assert.equal(byUniq["Offset Message ID"], sent.offsetMsgId);

  const inTopic = await json("printMsg", "-t", "AdmMsg");
  assert.deepEqual(inTopic.map((m: { body: string }) => m.body), ["hello admin"]);

  // A dead letter goes back to the topic it came from.
  await using backClient = new RemotingClient();
  const back = await backClient.invokeSync(
    cluster.brokers[0].addr,
    request(RequestCode.CONSUMER_SEND_MSG_BACK, ConsumerSendMsgBackRequestHeader, {
      offset: decodeOffsetMsgId(sent.offsetMsgId).offset,
      group: "AdmDlqG",
      delayLevel: -1,
      originMsgId: sent.msgId,
      originTopic: "AdmMsg",
      maxReconsumeTimes: 0,
    }),
    3000,
  );
  assert.equal(back.code, ResponseCode.SUCCESS, back.remark);
  const dead = await json("printMsg", "-t", "%DLQ%AdmDlqG");
  assert.equal(dead.length, 1);
  const deadId = (await json("queryMsgByUniqueKey", "-t", "%DLQ%AdmDlqG", "-i", dead[0].msgId))[
    "Offset Message ID"
  ];
  const resent = await json("resendMessage", "-i", deadId);
  assert.deepEqual([resent.from, resent.to, resent.status], ["%DLQ%AdmDlqG", "AdmMsg", "SEND_OK"]);
  assert.equal((await json("printMsg", "-t", "AdmMsg")).length, 2);

  // Offsets of an offline group: committed directly (the broker answers CONSUMER_NOT_ONLINE).
  const q = sent.queueId as number;
  c.services.consumerOffsets.commitOffset("127.0.0.1", "AdmG", "AdmMsg", q, 1);
  c.services.consumerOffsets.commitOffset("127.0.0.1", "AdmG", "AdmMsg", 1 - q, 0);
  const dry = await json("resetOffsetByTime", "-g", "AdmG", "-t", "AdmMsg", "-s", "0", "--dry-run");
  assert.equal(dry.dryRun, true);
  assert.deepEqual(
    dry.queues.find((x: { queueId: number }) => x.queueId === q),
    { brokerName: "broker-a", queueId: q, current: 1, next: 0 },
  );
  assert.equal(
    c.services.consumerOffsets.queryOffset("AdmG", "AdmMsg", q),
    1,
    "dry run changed nothing",
  );
  await admin("resetOffsetByTime", "-g", "AdmG", "-t", "AdmMsg", "-s", "0");
  assert.equal(c.services.consumerOffsets.queryOffset("AdmG", "AdmMsg", q), 0);
  await admin("skipAccumulatedMessage", "-g", "AdmG", "-t", "AdmMsg");
  const end = c.store.getMaxOffsetInQueue("AdmMsg", q);
  assert.equal(c.services.consumerOffsets.queryOffset("AdmG", "AdmMsg", q), end);
  await admin("cloneGroupOffset", "-s", "AdmG", "-d", "AdmG2", "-t", "AdmMsg");
  assert.equal(c.services.consumerOffsets.queryOffset("AdmG2", "AdmMsg", q), end);

  await admin("updateSubGroup", "-g", "AdmSub", "-c", "DefaultCluster", "-r", "3", "-q", "2");
  const sub = c.services.subscriptionGroups.get("AdmSub");
  assert.equal(sub?.retryMaxTimes, 3);
  assert.equal(sub?.retryQueueNums, 2);
  await admin("deleteSubGroup", "-g", "AdmSub", "-b", cluster.brokers[0].addr);
  assert.equal(c.services.subscriptionGroups.get("AdmSub"), undefined);

  await admin("updateKvConfig", "-s", "AdmNs", "-k", "k", "-v", "v");
  assert.equal(cluster.namesrv.controller.kvConfig.get("AdmNs", "k"), "v");
  await admin("deleteKvConfig", "-s", "AdmNs", "-k", "k");
  assert.equal(cluster.namesrv.controller.kvConfig.get("AdmNs", "k"), undefined);

  const wiped = await json("wipeWritePerm", "-b", "broker-a");
  assert.ok(wiped.namesrvs[0].topics > 0);
  assert.equal(
    (await cluster.namesrv.controller.routes.pickupTopicRouteData("AdmMsg"))?.queueDatas[0].perm,
    4,
  );
  await admin("addWritePerm", "-b", "broker-a");
  assert.equal(
    cluster.namesrv.controller.routes.pickupTopicRouteData("AdmMsg")?.queueDatas[0].perm,
    6,
  );

  await admin(
    "updateBrokerConfig",
    "-c",
    "DefaultCluster",
    "-k",
    "autoCreateTopicEnable",
    "-v",
    "false",
  );
  assert.equal(c.config.autoCreateTopicEnable, false);
  await admin("updateTopicPerm", "-t", "AdmMsg", "-c", "DefaultCluster", "-p", "4");
  assert.equal(c.topicConfigManager.get("AdmMsg")?.perm, 4);
});

Deno.test("rmq admin: reading a queue without a group, a live consumer's status, the ACL commands", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmq-admin-acl-" });
  const aclFile = `${dir}/plain_acl.yml`;
  await Deno.writeTextFile(
    aclFile,
    "accounts:\n- accessKey: opsAdmin1\n  secretKey: ops-secret\n  admin: true\n",
  );
  try {
    await using cluster = await startCluster({
      broker: { aclEnable: true, aclFile, accessKey: "opsAdmin1", secretKey: "ops-secret" },
    });
    const creds = { accessKey: "opsAdmin1", secretKey: "ops-secret" };
    const ns = [
      "-n",
      cluster.namesrvAddr,
      "--access-key",
      creds.accessKey,
      "--secret-key",
      creds.secretKey,
    ];
    const admin = async (...args: string[]) => {
      const r = await runRmq(["admin", ...args, ...ns]);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    const json = async (...args: string[]) => JSON.parse(await admin(...args, "--json"));
    await cluster.createTopic("AdmQueue", { queues: 1 });
    await using producer = await startProducer(cluster, creds);
    await sendMany(producer, 5, (i) => ({ topic: "AdmQueue", body: `q${i}`, tags: "T" }));

    const at3 = await json(
      "queryMsgByOffset",
      "-t",
      "AdmQueue",
      "-b",
      "broker-a",
      "-i",
      "0",
      "-o",
      "3",
    );
    assert.equal(at3["Message Body"], "q3");
    const all = await json(
      "printMsgByQueue",
      "-t",
      "AdmQueue",
      "-a",
      "broker-a",
      "-i",
      "0",
      "--count",
      "10",
    );
    assert.deepEqual(all.map((m: { body: string }) => m.body), ["q0", "q1", "q2", "q3", "q4"]);
    const two = await json(
      "printMsgByQueue",
      "-t",
      "AdmQueue",
      "-a",
      "broker-a",
      "-i",
      "0",
      "--from-offset",
      "3",
    );
    assert.deepEqual(two.map((m: { queueOffset: number }) => m.queueOffset), [3, 4]);

    await using consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "AdmLive",
      consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
      ...creds,
    });
    consumer.subscribe("AdmQueue", "*");
    consumer.registerMessageListener(() => {});
    await consumer.start();
    const conn = await json("consumerConnection", "-g", "AdmLive");
    assert.equal(conn.connections.length, 1);
    const status = await json("consumerStatus", "-g", "AdmLive");
    assert.equal(status.length, 1);
    assert.ok(status[0].subscriptions.some((s: { topic: string }) => s.topic === "AdmQueue"));

    await admin(
      "updateAclConfig",
      "-c",
      "DefaultCluster",
      "-a",
      "appUser99",
      "-s",
      "app-secret-9",
      "-t",
      "AdmQueue=PUB",
    );
    await admin("updateGlobalWhiteAddr", "-c", "DefaultCluster", "-g", "10.88.0.*");
    const version = await json("clusterAclConfigVersion", "-c", "DefaultCluster");
    assert.equal(version[0].counter, 2);
    const config = await json("getAccessConfigSubCommand", "-c", "DefaultCluster");
    const broker = cluster.brokers[0].addr;
    assert.deepEqual(config[broker].globalWhiteAddrs, ["10.88.0.*"]);
    assert.ok(
      config[broker].plainAccessConfigs.some((a: { accessKey: string }) =>
        a.accessKey === "appUser99"
      ),
    );
    await admin("deleteAccessConfig", "-c", "DefaultCluster", "-a", "appUser99");
    assert.doesNotMatch(await Deno.readTextFile(aclFile), /appUser99/);

    // Without the admin account, the broker refuses in one line, exit 1.
    const refused = await runRmq([
      "admin",
      "getAccessConfigSubCommand",
      "-c",
      "DefaultCluster",
      "-n",
      cluster.namesrvAddr,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /No accessKey is configured/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
