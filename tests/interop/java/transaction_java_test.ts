/**
 * The official RocketMQ 4.8.0 TransactionMQProducer against rmq: commit, rollback, unknown
 * then checked to commit or rollback, and a check after a broker restart. Skipped with one
 * line where Java or the release is absent.
 */
import assert from "node:assert/strict";
import { decodeMessageRecord } from "../../../src/common/message/message_codec.ts";
import type { BrokerController } from "../../../src/broker/broker.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { JAVA_MISSING, runJava } from "../../helpers/java.ts";
import { waitUntil } from "../../helpers/wait.ts";

if (JAVA_MISSING) console.log(`transaction_java_test: skipped, ${JAVA_MISSING}`);

const TOPIC = "JavaTx";

async function stored(b: BrokerController): Promise<string[]> {
  const out: string[] = [];
  for (let q = 0; q < 4; q++) {
    const r = await b.store.getMessage("t", TOPIC, q, 0, 32);
    for (const m of r.messages) out.push(new TextDecoder().decode(decodeMessageRecord(m).body));
  }
  return out.sort();
}

Deno.test({
  name:
    "Java TransactionMQProducer: commit, rollback, checks that commit or roll back, a check after restart",
  ignore: JAVA_MISSING !== undefined,
}, async () => {
  await using cluster = await startCluster({
    broker: { transactionTimeOut: 1000, transactionCheckInterval: 500 },
  });
  await cluster.createTopic(TOPIC, { queues: 4 });
  const broker = cluster.brokers[0];
  await using java = await runJava("TransactionScenario", [
    cluster.namesrvAddr,
    TOPIC,
    ...["commit", "rollback", "unknown-commit", "unknown-rollback", "restart"],
  ]);
  const sent = [];
  for (let i = 0; i < 5; i++) sent.push(await java.until(/^sent /));
  assert.deepEqual(sent, [
    "sent commit SEND_OK COMMIT_MESSAGE",
    "sent rollback SEND_OK ROLLBACK_MESSAGE",
    "sent unknown-commit SEND_OK UNKNOW",
    "sent unknown-rollback SEND_OK UNKNOW",
    "sent restart SEND_OK UNKNOW",
  ]);
  // The checks answer the two unknown ones; "restart" stays open.
  await waitUntil(
    "unknown-commit committed by its check",
    async () => (await stored(broker.controller)).includes("unknown-commit"),
    20_000,
  );
  assert.match(await java.until(/^checked restart/), /^checked restart JavaTx$/);
  assert.deepEqual(await stored(broker.controller), ["commit", "unknown-commit"]);

  await broker.restart();
  await java.send("restarted");
  await waitUntil(
    "the open transaction committed by a check after the restart",
    async () => (await stored(broker.controller)).includes("restart"),
    30_000,
  );
  assert.deepEqual(await stored(broker.controller), ["commit", "restart", "unknown-commit"]);
  assert.equal(await java.finish(), 0);
});
