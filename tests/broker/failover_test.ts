/**
 * A SYNC_MASTER killed with SIGKILL (an `rmq broker` process) and its slave (in process): what
 * the issue asks of RocketMQ's master/slave — every acknowledged message is on the slave, a
 * new consumer group reads all of them from it while the master is gone, and once the master
 * is back the group's offsets and new sends carry on there.
 */
import assert from "node:assert/strict";
import { ConsumeFromWhere } from "../../src/client/consumer/consumer_types.ts";
import { SendStatus } from "../../src/client/producer/send_result.ts";
import { decodeKVTable } from "../../src/remoting/body/topic_list.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import {
  CreateTopicRequestHeader,
  QueryConsumerOffsetRequestHeader,
} from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { offsetToFileName } from "../../src/store/segment_file.ts";
import { startCluster, TEST_STORE_CONFIG } from "../helpers/cluster.ts";
import { request } from "../helpers/consume.ts";
import { startProducer, startPushConsumer } from "../helpers/consumers.ts";
import { freePortPair } from "../helpers/ports.ts";
import { firstLine, rmq } from "../helpers/rmq.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { verifyStore } from "../helpers/verify_store.ts";
import { waitUntil } from "../helpers/wait.ts";

const TOPIC = "Failover";
const QUEUES = 4;

Deno.test("kill -9 of a SYNC_MASTER loses no acknowledged message; its slave serves them until it returns", async () => {
  await using cluster = await startCluster({ brokers: [] });
  await using dir = await tempDir();
  const port = freePortPair();
  const masterAddr = `127.0.0.1:${port}`;
  const conf = `${dir.path}/master.toml`;
  await Deno.writeTextFile(
    conf,
    [
      'brokerName = "broker-a"',
      'brokerRole = "SYNC_MASTER"',
      `listenPort = ${port}`,
      'bindAddress = "127.0.0.1"',
      'brokerIP1 = "127.0.0.1"',
      "vipChannelEnable = false",
      `namesrvAddr = "${cluster.namesrvAddr}"`,
      `storePathRootDir = "${dir.path}/master"`,
      `mappedFileSizeCommitLog = ${TEST_STORE_CONFIG.mappedFileSizeCommitLog}`,
      `mappedFileSizeConsumeQueue = ${TEST_STORE_CONFIG.mappedFileSizeConsumeQueue}`,
      `maxHashSlotNum = ${TEST_STORE_CONFIG.maxHashSlotNum}`,
      `maxIndexNum = ${TEST_STORE_CONFIG.maxIndexNum}`,
    ].join("\n"),
  );
  const startMaster = async () => {
    const child = rmq(["broker", "-c", conf, "--log-level", "warn"]).spawn();
    assert.match(await firstLine(child.stdout), /^broker listening on /);
    return child;
  };
  let master = await startMaster();
  const slave = await cluster.addBroker({
    brokerName: "broker-a",
    brokerRole: "SLAVE",
    brokerId: 1,
  });
  await using client = new RemotingClient();
  const created = await client.invokeSync(
    masterAddr,
    createRequest(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      encodeHeader(CreateTopicRequestHeader, {
        topic: TOPIC,
        defaultTopic: "TBW102",
        readQueueNums: QUEUES,
        writeQueueNums: QUEUES,
        perm: 6,
        topicFilterType: "SINGLE_TAG",
        topicSysFlag: 0,
        order: false,
      }),
    ),
    5000,
  );
  assert.equal(created.code, ResponseCode.SUCCESS, created.remark);
  await waitUntil(
    "the slave to follow the master",
    () => slave.controller.store.haClient!.connected,
    15_000,
  );

  await using producer = await startProducer(cluster, { pollNameServerIntervalMs: 500 });
  const acked = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const r = await producer.send({ topic: TOPIC, body: `m${i}` });
    if (r.sendStatus === SendStatus.SEND_OK) acked.add(`m${i}`);
  }
  assert.equal(acked.size, 200, "with its slave following, every send is SEND_OK");

  master.kill("SIGKILL");
  await master.status;
  await waitUntil("the route to lose the master", () => {
    const r = cluster.namesrv.controller.routes.pickupTopicRouteData(TOPIC);
    return r !== undefined && !r.brokerDatas[0].brokerAddrs.has(0);
  });

  await using consumer = await startPushConsumer(cluster, {
    consumerGroup: "AfterKill",
    consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
    pollNameServerIntervalMs: 500,
    persistConsumerOffsetInterval: 500,
  }, [[TOPIC, "*"]]);
  const seen = () => new Set(consumer.received.list.map((d) => d.body));
  await waitUntil(
    () => `every acknowledged message from the slave (${seen().size} of ${acked.size})`,
    () => [...acked].every((b) => seen().has(b)),
    20_000,
  );

  master = await startMaster();
  await waitUntil(
    "the slave to follow the restarted master",
    () => slave.controller.store.haClient!.connected,
    15_000,
  );
  for (let i = 200; i < 300; i++) {
    const r = await producer.send({ topic: TOPIC, body: `m${i}` });
    assert.equal(r.sendStatus, SendStatus.SEND_OK);
    acked.add(`m${i}`);
  }
  await waitUntil(
    () => `the new messages too (${seen().size} of ${acked.size})`,
    () => [...acked].every((b) => seen().has(b)),
    20_000,
  );
  // The group's progress is on the master again: every queue consumed to its end.
  await waitUntil("the group's offsets on the master", async () => {
    for (let q = 0; q < QUEUES; q++) {
      const res = await client.invokeSync(
        masterAddr,
        request(RequestCode.QUERY_CONSUMER_OFFSET, QueryConsumerOffsetRequestHeader, {
          consumerGroup: "AfterKill",
          topic: TOPIC,
          queueId: q,
        }),
        3000,
      );
      const max = await client.invokeSync(
        masterAddr,
        createRequest(RequestCode.GET_MAX_OFFSET, { topic: TOPIC, queueId: String(q) }),
        3000,
      );
      if (res.code !== ResponseCode.SUCCESS || res.extFields.offset !== max.extFields.offset) {
        return false;
      }
    }
    return true;
  }, 15_000);
  await consumer.consumer.shutdown();
  master.kill("SIGTERM");
  assert.equal((await master.status).code, 0);
  verifyStore({ ...TEST_STORE_CONFIG, storePathRootDir: `${dir.path}/master` });
});

Deno.test("a slave killed with SIGKILL mid-stream resumes from its own end and matches its master", async () => {
  await using cluster = await startCluster({ brokers: [{ brokerName: "broker-a" }] });
  const master = cluster.brokers[0];
  await using dir = await tempDir();
  const port = freePortPair();
  const conf = `${dir.path}/slave.toml`;
  await Deno.writeTextFile(
    conf,
    [
      'brokerName = "broker-a"',
      'brokerRole = "SLAVE"',
      "brokerId = 1",
      `listenPort = ${port}`,
      'bindAddress = "127.0.0.1"',
      'brokerIP1 = "127.0.0.1"',
      "vipChannelEnable = false",
      `namesrvAddr = "${cluster.namesrvAddr}"`,
      `storePathRootDir = "${dir.path}/slave"`,
      `mappedFileSizeCommitLog = ${TEST_STORE_CONFIG.mappedFileSizeCommitLog}`,
      `mappedFileSizeConsumeQueue = ${TEST_STORE_CONFIG.mappedFileSizeConsumeQueue}`,
      `maxHashSlotNum = ${TEST_STORE_CONFIG.maxHashSlotNum}`,
      `maxIndexNum = ${TEST_STORE_CONFIG.maxIndexNum}`,
    ].join("\n"),
  );
  const startSlave = async () => {
    const child = rmq(["broker", "-c", conf, "--log-level", "warn"]).spawn();
    assert.match(await firstLine(child.stdout), /^broker listening on /);
    return child;
  };
  await cluster.createTopic(TOPIC, { queues: QUEUES });
  let slave = await startSlave();
  await using producer = await startProducer(cluster);
  const sending = (async () => {
    for (let i = 0; i < 3000; i++) {
      await producer.send({ topic: TOPIC, body: `m${i}|${"x".repeat(i % 300)}` });
    }
  })();
  const store = master.controller.store;
  await waitUntil("some replication", () => (store.haService!.pushedMaxOffset > 100_000), 15_000);
  slave.kill("SIGKILL");
  await slave.status;
  slave = await startSlave();
  await sending;
  await using client = new RemotingClient();
  const slaveAddr = `127.0.0.1:${port}`;
  const end = store.maxPhyOffset;
  await waitUntil("the restarted slave to catch up", async () => {
    const res = await client.invokeSync(
      slaveAddr,
      createRequest(RequestCode.GET_BROKER_RUNTIME_INFO),
      3000,
    );
    return Number(decodeKVTable(res.body!).get("commitLogMaxOffset")) === end;
  }, 20_000);
  slave.kill("SIGTERM");
  assert.equal((await slave.status).code, 0);
  const segment = TEST_STORE_CONFIG.mappedFileSizeCommitLog!;
  const read = (root: string) =>
    Deno.readFileSync(`${root}/commitlog/${offsetToFileName(0)}`).subarray(
      0,
      Math.min(end, segment),
    );
  assert.ok(end < segment, "one segment holds the run");
  assert.deepEqual(read(`${dir.path}/slave`), read(master.storeDir));
  verifyStore({ ...TEST_STORE_CONFIG, storePathRootDir: `${dir.path}/slave` });
});
