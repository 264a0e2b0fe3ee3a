/**
 * mqadmin, the official RocketMQ 4.8.0 admin tool, against rmq for the commands that need a
 * broker to forward to a client or its statistics: consumerStatus, queryMsgById -d, queryCq,
 * brokerConsumeStats and statsAll. One JVM runs them all beside a live Java consumer. Skipped
 * with one line where Java or the release is absent.
 */
import assert from "node:assert/strict";
import { startCluster } from "../../helpers/cluster.ts";
import { JAVA_MISSING, type JavaProcess, runJava } from "../../helpers/java.ts";

if (JAVA_MISSING) console.log(`mqadmin_java_test: skipped, ${JAVA_MISSING}`);

const TOPIC = "AdminTopic";
const GROUP = "AdminGroup";

/** Runs one mqadmin command line in the scenario's JVM; its output. */
async function mqadmin(java: JavaProcess, command: string): Promise<string> {
  await java.send(command);
  const out: string[] = [];
  for (let l = await java.line(60_000); l !== "END"; l = await java.line(60_000)) {
    out.push(l.replace(/^\| /, ""));
  }
  return out.join("\n");
}

Deno.test({
  name:
    "mqadmin consumerStatus, queryMsgById -d, queryCq, brokerConsumeStats and statsAll against rmq",
  ignore: JAVA_MISSING !== undefined,
}, async () => {
  await using cluster = await startCluster();
  const broker = cluster.brokers[0];
  const ns = `-n ${cluster.namesrvAddr}`;
  await cluster.createTopic(TOPIC, { queues: 2 });
  await using java = await runJava("MqadminScenario", [cluster.namesrvAddr, TOPIC, GROUP]);
  const [, clientId, offsetMsgId] = (await java.until(/^ready /, 90_000)).split(" ");

  // 307 GET_CONSUMER_RUNNING_INFO, forwarded to the Java consumer and its answer back.
  let out = await mqadmin(java, `consumerStatus -g ${GROUP} -i ${clientId} ${ns}`);
  assert.match(out, /#Consumer Subscription#/, out);
  assert.match(out, new RegExp(`Topic: ${TOPIC}\\s+ClassFilter: false\\s+SubExpression: \\*`), out);

  // 309 CONSUME_MESSAGE_DIRECTLY: the consumer's listener takes the stored message.
  out = await mqadmin(java, `queryMsgById -g ${GROUP} -d ${clientId} -i ${offsetMsgId} ${ns}`);
  assert.match(
    out,
    /ConsumeMessageDirectlyResult \[order=false, autoCommit=true, consumeResult=CR_SUCCESS/,
    out,
  );

  // 321 QUERY_CONSUME_QUEUE with the group's subscription.
  out = await mqadmin(java, `queryCq -t ${TOPIC} -q 0 -i 1 -c 2 -g ${GROUP} ${ns}`);
  assert.match(out, /Queue data: \nmax: 5, min: 0/, out);
  assert.match(out, /"subString":"\*"/, out);
  assert.match(
    out,
    /idx: 1\nConsumeQueueData\{physicOffset=\d+, physicSize=\d+, tagsCode=\d+/,
    out,
  );
  assert.match(out, /idx: 2\n/, out);
  assert.doesNotMatch(out, /idx: 3\n/, out);

  // 317 GET_BROKER_CONSUME_STATS: a row per consumed queue, nothing behind.
  out = await mqadmin(java, `brokerConsumeStats -b ${broker.addr} ${ns}`);
  assert.match(
    out,
    new RegExp(`^${TOPIC}\\s+${GROUP}\\s+${broker.name}\\s+0\\s+5\\s+5\\s+0\\s`, "m"),
    out,
  );
  assert.match(out, /Diff Total: 0/, out);

  // 315 VIEW_BROKER_STATS_DATA: the broker samples every 10 s; take the samples now.
  for (const w of ["minute", "hour", "day"] as const) broker.controller.services.stats.sampleAll(w);
  out = await mqadmin(java, `statsAll -t ${TOPIC} ${ns}`);
  const row = out.split("\n").find((l) => l.startsWith(TOPIC));
  assert.ok(row, out);
  const [, group, accumulation, inTps, outTps, inToday, outToday] = row.split(/\s+/);
  assert.equal(group, GROUP);
  assert.equal(accumulation, "0");
  assert.ok(Number(inTps) > 0 && Number(outTps) > 0, row);
  assert.equal(inToday, "10", "puts counted");
  assert.ok(Number(outToday) >= 10, `gets counted: ${row}`);
  assert.equal(await java.finish(), 0);
});
