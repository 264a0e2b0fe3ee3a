import assert from "node:assert/strict";
import { decodeMessageRecord } from "../../../src/common/message/message_codec.ts";
import { MessageConst } from "../../../src/common/message/message_const.ts";
import { getProperty } from "../../../src/common/message/properties.ts";
import { MessageSysFlag, transactionType } from "../../../src/common/message/sys_flag.ts";
import type { BrokerController } from "../../../src/broker/broker.ts";
import type { BrokerConfig } from "../../../src/broker/broker_config.ts";
import { SystemTopic } from "../../../src/broker/topic_validator.ts";
import {
  type LocalTransactionState,
  TransactionProducer,
} from "../../../src/client/producer/transaction_producer.ts";
import type { MessageExt } from "../../../src/client/message_ext.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import { encodeHeader } from "../../../src/remoting/header_codec.ts";
import { EndTransactionRequestHeader } from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { waitUntil } from "../../helpers/wait.ts";

const TOPIC = "TxTopic";
/** Checks run when the test says (a pass is also started by hand), each half message at once. */
const TX: Partial<BrokerConfig> = { transactionTimeOut: 0, transactionCheckInterval: 3_600_000 };

/**
 * A check pass started by hand, once the producer's first heartbeat (1 s after it starts) has
 * told the broker where to ask; a message stored in the pass's first millisecond waits for
 * the next pass, as on Java.
 */
async function checkNow(b: BrokerController): Promise<void> {
  await waitUntil(
    "the producer's heartbeat",
    () => b.services.producers.availableChannel("TxGroup") !== undefined,
    35_000,
  );
  await new Promise((r) => setTimeout(r, 5));
  await b.services.transactions.check();
}

/** The bodies stored in `topic` (every queue), read through the store. */
async function stored(b: BrokerController, topic: string): Promise<string[]> {
  const out: string[] = [];
  const queues = b.topicConfigManager.get(topic)?.readQueueNums ?? 0;
  for (let q = 0; q < queues; q++) {
    const r = await b.store.getMessage("t", topic, q, 0, 32);
    for (const m of r.messages) out.push(new TextDecoder().decode(decodeMessageRecord(m).body));
  }
  return out.sort();
}

async function txProducer(
  cluster: TestCluster,
  execute: (body: string) => LocalTransactionState,
  check: (msg: MessageExt) => LocalTransactionState,
) {
  const checked: MessageExt[] = [];
  const p = new TransactionProducer({
    namesrvAddr: cluster.namesrvAddr,
    producerGroup: "TxGroup",
    clientIP: "127.0.0.1",
    heartbeatBrokerIntervalMs: 500, // A restarted broker learns of the producer soon.
    transactionListener: {
      executeLocalTransaction: (msg) => execute(String(msg.body)),
      checkLocalTransaction: (msg) => {
        checked.push(msg);
        return check(msg);
      },
    },
  });
  await p.start();
  return { producer: p, checked, [Symbol.asyncDispose]: () => p.shutdown() };
}

Deno.test("A committed transaction's message is delivered, a rolled-back one never; neither is checked", async () => {
  await using cluster = await startCluster({ broker: TX });
  await cluster.createTopic(TOPIC, { queues: 2 });
  const broker = cluster.brokers[0].controller;
  await using tx = await txProducer(
    cluster,
    (body) => body.startsWith("commit") ? "COMMIT_MESSAGE" : "ROLLBACK_MESSAGE",
    () => "UNKNOW",
  );
  const r1 = await tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "commit-1" });
  assert.equal(r1.localTransactionState, "COMMIT_MESSAGE");
  assert.equal(r1.sendStatus, "SEND_OK");
  await tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "rollback-1" });
  await tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "commit-2", keys: "k2" });
  await waitUntil("the commits", async () => (await stored(broker, TOPIC)).length === 2);
  assert.deepEqual(await stored(broker, TOPIC), ["commit-1", "commit-2"]);
  await waitUntil(
    "the op records",
    () => broker.store.getMaxOffsetInQueue(SystemTopic.TRANS_OP_HALF, 0) === 3,
  );

  // The committed message: the real topic, COMMIT, the half's offset, no REAL_*/TRAN_MSG.
  const q = r1.messageQueue.queueId;
  const got = await broker.store.getMessage("t", TOPIC, q, 0, 32);
  const rec = got.messages.map((m) => decodeMessageRecord(m)).find((m) =>
    new TextDecoder().decode(m.body) === "commit-1"
  )!;
  assert.equal(transactionType(rec.sysFlag), MessageSysFlag.TRANSACTION_COMMIT_TYPE);
  const half = decodeMessageRecord(
    (await broker.store.lookMessageByOffset(rec.preparedTransactionOffset))!,
  );
  assert.equal(half.topic, SystemTopic.TRANS_HALF);
  assert.equal(getProperty(half.properties, MessageConst.REAL_TOPIC), TOPIC);
  assert.equal(getProperty(rec.properties, MessageConst.REAL_TOPIC), undefined);
  assert.equal(getProperty(rec.properties, MessageConst.TRAN_MSG), undefined);
  assert.equal(getProperty(rec.properties, MessageConst.PGROUP), "TxGroup");
  assert.equal(getProperty(rec.properties, MessageConst.UNIQ_KEY), r1.msgId);

  // Resolved transactions are never checked.
  await checkNow(broker);
  await checkNow(broker);
  assert.equal(broker.services.transactions.checksSent, 0);
  assert.equal(tx.checked.length, 0);
});

for (const verdict of ["COMMIT_MESSAGE", "ROLLBACK_MESSAGE"] as const) {
  Deno.test(`An unknown transaction is checked with its producer, which answers ${verdict}`, async () => {
    await using cluster = await startCluster({ broker: TX });
    await cluster.createTopic(TOPIC, { queues: 2 });
    const broker = cluster.brokers[0].controller;
    await using tx = await txProducer(cluster, () => "UNKNOW", () => verdict);
    const r = await tx.producer.sendMessageInTransaction({
      topic: TOPIC,
      body: "open",
      tags: "T1",
    });
    assert.equal(r.localTransactionState, "UNKNOW");
    assert.deepEqual(await stored(broker, TOPIC), []);
    await checkNow(broker);
    await waitUntil("the check", () => tx.checked.length === 1);
    // The producer sees its own message: real topic, body, tags, the same message id.
    const m = tx.checked[0];
    assert.equal(m.topic, TOPIC);
    assert.equal(new TextDecoder().decode(m.body), "open");
    assert.equal(m.tags, "T1");
    assert.equal(m.getProperty(MessageConst.UNIQ_KEY), r.msgId);
    assert.equal(m.getProperty(MessageConst.TRANSACTION_CHECK_TIMES), "1");
    if (verdict === "COMMIT_MESSAGE") {
      await waitUntil("the commit", async () => (await stored(broker, TOPIC)).length === 1);
    } else {
      await waitUntil(
        "the op record",
        () => broker.store.getMaxOffsetInQueue(SystemTopic.TRANS_OP_HALF, 0) === 1,
      );
    }
    await checkNow(broker);
    assert.equal(broker.services.transactions.checksSent, 1, "answered: not checked again");
    assert.deepEqual(await stored(broker, TOPIC), verdict === "COMMIT_MESSAGE" ? ["open"] : []);
  });
}

Deno.test("An open transaction survives a broker restart and is checked after it", async () => {
  await using cluster = await startCluster({ broker: TX });
  await cluster.createTopic(TOPIC, { queues: 1 });
  let answer: LocalTransactionState = "UNKNOW";
  await using tx = await txProducer(cluster, () => "UNKNOW", () => answer);
  await tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "across" });
  const b = cluster.brokers[0];
  await checkNow(b.controller); // Asked once: still unknown.
  await waitUntil("the first check", () => tx.checked.length === 1);
  await b.restart();
  answer = "COMMIT_MESSAGE";
  await waitUntil(
    "the producer's heartbeat to the restarted broker",
    () => b.controller.services.producers.availableChannel("TxGroup") !== undefined,
    35_000,
  );
  await checkNow(b.controller);
  await waitUntil("the check after the restart", () => tx.checked.length === 2);
  assert.equal(tx.checked[1].getProperty(MessageConst.TRANSACTION_CHECK_TIMES), "2");
  await waitUntil("the commit", async () => (await stored(b.controller, TOPIC)).length === 1);
});

Deno.test("After transactionCheckMax checks an open transaction goes to TRANS_CHECK_MAX_TIME_TOPIC", async () => {
  await using cluster = await startCluster({ broker: { ...TX, transactionCheckMax: 2 } });
  await cluster.createTopic(TOPIC, { queues: 1 });
  const broker = cluster.brokers[0].controller;
  await using tx = await txProducer(cluster, () => "UNKNOW", () => "UNKNOW");
  await tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "forever" });
  for (let i = 1; i <= 2; i++) {
    await checkNow(broker);
    await waitUntil(`check ${i}`, () => tx.checked.length === i);
  }
  await checkNow(broker);
  assert.equal(broker.store.getMaxOffsetInQueue(SystemTopic.TRANS_CHECK_MAX_TIME, 0), 1);
  await checkNow(broker);
  assert.equal(tx.checked.length, 2, "given up on: asked no more");
  assert.deepEqual(await stored(broker, TOPIC), []);
});

Deno.test("The timer checks open transactions every transactionCheckInterval", async () => {
  await using cluster = await startCluster({
    broker: { transactionTimeOut: 100, transactionCheckInterval: 200 },
  });
  await cluster.createTopic(TOPIC, { queues: 1 });
  const broker = cluster.brokers[0].controller;
  await using tx = await txProducer(cluster, () => "UNKNOW", () => "COMMIT_MESSAGE");
  await tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "timed" });
  await waitUntil(
    "the timed check and commit",
    async () => (await stored(broker, TOPIC)).length === 1,
    10_000,
  );
});

Deno.test("END_TRANSACTION is refused for the wrong group or offsets; rejectTransactionMessage refuses half messages", async () => {
  await using cluster = await startCluster({ broker: TX });
  await cluster.createTopic(TOPIC, { queues: 1 });
  const broker = cluster.brokers[0];
  await using tx = await txProducer(cluster, () => "UNKNOW", () => "UNKNOW");
  const r = await tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "x" });
  await using client = new RemotingClient();
  const end = (over: Record<string, unknown>) =>
    client.invokeSync(
      broker.addr,
      createRequest(
        RequestCode.END_TRANSACTION,
        encodeHeader(EndTransactionRequestHeader, {
          producerGroup: "TxGroup",
          tranStateTableOffset: r.queueOffset,
          commitLogOffset: broker.controller.store.minPhyOffset,
          commitOrRollback: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
          fromTransactionCheck: false,
          msgId: r.msgId,
          ...over,
        }),
      ),
      3000,
    );
  const halfOffset =
    (await broker.controller.store.getMessage("t", SystemTopic.TRANS_HALF, 0, 0, 1))
      .messages.map((m) => decodeMessageRecord(m).physicalOffset)[0];
  let res = await end({ producerGroup: "Other", commitLogOffset: halfOffset });
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(res.remark, "The producer group wrong");
  res = await end({ tranStateTableOffset: 99, commitLogOffset: halfOffset });
  assert.equal(res.remark, "The transaction state table offset wrong");
  res = await end({ commitLogOffset: halfOffset + 1 });
  assert.equal(res.remark, "Find prepared transaction message failed");
  res = await end({ commitLogOffset: halfOffset });
  assert.equal(res.code, ResponseCode.SUCCESS);
  await waitUntil("the commit", async () => (await stored(broker.controller, TOPIC)).length === 1);

  broker.controller.updateConfig({ rejectTransactionMessage: true });
  await assert.rejects(
    tx.producer.sendMessageInTransaction({ topic: TOPIC, body: "refused" }),
    /sending transaction message is forbidden/,
  );
});
