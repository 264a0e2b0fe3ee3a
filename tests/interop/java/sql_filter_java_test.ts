/**
 * SQL92 selection with the official RocketMQ 4.8.0 client against rmq: MessageSelector.bySql on
 * user properties and TAGS, and a selector the broker refuses at the consumer's start. Skipped
 * with one line where Java or the release is absent.
 */
import assert from "node:assert/strict";
import { startCluster } from "../../helpers/cluster.ts";
import { JAVA_MISSING, runJava } from "../../helpers/java.ts";

if (JAVA_MISSING) console.log(`sql_filter_java_test: skipped, ${JAVA_MISSING}`);

async function consume(namesrv: string, topic: string, sql: string, want: number) {
  await using java = await runJava("SqlFilterScenario", [namesrv, topic, sql, String(want)]);
  const got: string[] = [];
  while (true) {
    const line = await java.line(60_000);
    if (line === "done") break;
    if (line.startsWith("refused ")) return line;
    if (line.startsWith("got ")) got.push(line.slice(4));
  }
  assert.equal(await java.finish(), 0);
  return got.sort();
}

Deno.test({
  name: "Java MessageSelector.bySql through rmq: only selected messages, bad selectors refused",
  ignore: JAVA_MISSING !== undefined,
}, async () => {
  await using cluster = await startCluster();
  for (const t of ["JavaSql1", "JavaSql2", "JavaSql3"]) await cluster.createTopic(t, { queues: 2 });
  const [a, b, refused] = await Promise.all([
    consume(cluster.namesrvAddr, "JavaSql1", "a between 3 and 6", 4),
    consume(cluster.namesrvAddr, "JavaSql2", "color = 'blue' AND TAGS IN ('odd')", 3),
    consume(cluster.namesrvAddr, "JavaSql3", "a >", 1),
  ]);
  assert.deepEqual(a, ["m3", "m4", "m5", "m6"]);
  assert.deepEqual(b, ["m5", "m7", "m9"]);
  // The broker's SUBSCRIPTION_PARSE_FAILED and reason, as the Java client reports them.
  assert.match(refused as string, /^refused CODE: 23 {2}DESC: Encountered the end/);
});
