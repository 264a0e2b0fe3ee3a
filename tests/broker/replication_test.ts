import assert from "node:assert/strict";
import { PullSysFlag } from "../../src/common/message/sys_flag.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import {
  CreateTopicRequestHeader,
  QueryConsumerOffsetRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startCluster } from "../helpers/cluster.ts";
import { bodies, pullRequest, request } from "../helpers/consume.ts";
import { sendHeader, sendRequest, utf8 } from "../helpers/send.ts";
import { waitUntil } from "../helpers/wait.ts";

const SLAVE = { brokerName: "broker-a", brokerRole: "SLAVE", brokerId: 1 } as const;

Deno.test("A slave broker finds its master through the name server, replicates it and serves reads", async () => {
  await using cluster = await startCluster({
    brokers: [{ brokerName: "broker-a", brokerRole: "SYNC_MASTER" }, SLAVE],
  });
  const [master, slave] = cluster.brokers;
  await cluster.createTopic("HaTopic", { queues: 2 });
  await using client = new RemotingClient();
  await waitUntil(
    "the slave to connect",
    () => master.controller.store.haService!.connectionCount === 1,
  );
  for (let i = 0; i < 20; i++) {
    const res = await client.invokeSync(
      master.addr,
      sendRequest(sendHeader("HaTopic", { queueId: i % 2 }), utf8(`m${i}`)),
      6000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  }
  // SYNC_MASTER: answered means on the slave.
  assert.equal(slave.controller.store.maxPhyOffset, master.controller.store.maxPhyOffset);
  // The route lists both; only the master made queue data.
  const route = await cluster.waitForRoute("HaTopic");
  assert.deepEqual([...route.brokerDatas[0].brokerAddrs], [[0, master.addr], [1, slave.addr]]);

  // Metadata copied from the master (the first round 3 s after start).
  const offsets = request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
    consumerGroup: "g1",
    topic: "HaTopic",
    queueId: 1,
    commitOffset: 7,
  });
  assert.equal((await client.invokeSync(master.addr, offsets, 3000)).code, ResponseCode.SUCCESS);
  await waitUntil(
    "topics and offsets on the slave",
    () =>
      slave.controller.topicConfigManager.get("HaTopic")?.readQueueNums === 2 &&
      slave.controller.services.consumerOffsets.queryOffset("g1", "HaTopic", 1) === 7,
    15_000,
  );

  // Reads from the slave: the messages, and "pull from the master next" (slaveReadEnable off).
  const pulled = await client.invokeSync(
    slave.addr,
    pullRequest({
      consumerGroup: "g1",
      topic: "HaTopic",
      queueId: 0,
      sysFlag: PullSysFlag.SUBSCRIPTION | PullSysFlag.COMMIT_OFFSET,
      commitOffset: 5,
    }),
    3000,
  );
  assert.equal(pulled.code, ResponseCode.SUCCESS);
  assert.deepEqual(bodies(pulled), [
    "m0",
    "m2",
    "m4",
    "m6",
    "m8",
    "m10",
    "m12",
    "m14",
    "m16",
    "m18",
  ]);
  assert.equal(pulled.extFields.suggestWhichBrokerId, "0");
  assert.equal(
    slave.controller.services.consumerOffsets.queryOffset("g1", "HaTopic", 0),
    -1,
    "a slave keeps no offsets a pull commits",
  );
  const query = request(RequestCode.QUERY_CONSUMER_OFFSET, QueryConsumerOffsetRequestHeader, {
    consumerGroup: "g1",
    topic: "HaTopic",
    queueId: 1,
  });
  assert.equal((await client.invokeSync(slave.addr, query, 3000)).extFields.offset, "7");

  // A slave takes no writes.
  const refused = await client.invokeSync(
    slave.addr,
    sendRequest(sendHeader("HaTopic"), utf8("x")),
    3000,
  );
  assert.equal(refused.code, ResponseCode.SERVICE_NOT_AVAILABLE);
  const create = await client.invokeSync(
    slave.addr,
    createRequest(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      encodeHeader(CreateTopicRequestHeader, {
        topic: "OnSlave",
        defaultTopic: "TBW102",
        readQueueNums: 1,
        writeQueueNums: 1,
        perm: 6,
        topicFilterType: "SINGLE_TAG",
        topicSysFlag: 0,
        order: false,
      }),
    ),
    3000,
  );
  assert.equal(create.code, ResponseCode.SYSTEM_ERROR);
  assert.match(create.remark!, /is a slave/);
});

Deno.test("SYNC_MASTER answers SLAVE_NOT_AVAILABLE without its slave, with the send header", async () => {
  await using cluster = await startCluster({
    brokers: [{ brokerName: "broker-a", brokerRole: "SYNC_MASTER" }],
  });
  await cluster.createTopic("Alone", { queues: 1 });
  await using client = new RemotingClient();
  const res = await client.invokeSync(
    cluster.brokers[0].addr,
    sendRequest(sendHeader("Alone"), utf8("m")),
    3000,
  );
  assert.equal(res.code, ResponseCode.SLAVE_NOT_AVAILABLE);
  assert.equal(res.extFields.queueOffset, "0");
  assert.ok(res.extFields.msgId);
});

Deno.test("Replication, registration and the slave's metadata copy run over TLS, signed, with the ACL on", async () => {
  const tlsDir = new URL("../fixtures/tls/", import.meta.url).pathname;
  const dir = await Deno.makeTempDir({ prefix: "rmq-ha-tls-" });
  try {
    const aclFile = `${dir}/plain_acl.yml`;
    await Deno.writeTextFile(
      aclFile,
      "accounts:\n- accessKey: brokers1\n  secretKey: brokers-secret\n  admin: true\n",
    );
    const secure = {
      tlsServerMode: "enforcing" as const,
      tlsServerCertPath: `${tlsDir}server.pem`,
      tlsServerKeyPath: `${tlsDir}server.key`,
      tlsEnable: true,
      tlsClientTrustCertPath: `${tlsDir}ca.pem`,
      aclEnable: true,
      aclFile,
      accessKey: "brokers1",
      secretKey: "brokers-secret",
    };
    await using cluster = await startCluster({
      namesrv: { ...secure },
      broker: secure,
      brokers: [{ brokerName: "broker-a", brokerRole: "SYNC_MASTER" }, SLAVE],
    });
    const [master, slave] = cluster.brokers;
    await waitUntil(
      "the slave to connect over TLS",
      () => master.controller.store.haService!.connectionCount === 1,
    );
    await using client = new RemotingClient({
      tls: { caCerts: [Deno.readTextFileSync(`${tlsDir}ca.pem`)] },
      credentials: { accessKey: "brokers1", secretKey: "brokers-secret" },
    });
    const create = createRequest(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      encodeHeader(CreateTopicRequestHeader, {
        topic: "TlsHa",
        defaultTopic: "TBW102",
        readQueueNums: 1,
        writeQueueNums: 1,
        perm: 6,
        topicFilterType: "SINGLE_TAG",
        topicSysFlag: 0,
        order: false,
      }),
    );
    assert.equal((await client.invokeSync(master.addr, create, 3000)).code, ResponseCode.SUCCESS);
    const res = await client.invokeSync(
      master.addr,
      sendRequest(sendHeader("TlsHa", { queueId: 0 }), utf8("over tls")),
      6000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    assert.equal(slave.controller.store.maxPhyOffset, master.controller.store.maxPhyOffset);
    await waitUntil(
      "the topic copied to the slave",
      () => slave.controller.topicConfigManager.get("TlsHa") !== undefined,
      15_000,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
