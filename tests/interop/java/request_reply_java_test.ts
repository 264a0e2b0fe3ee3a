/**
 * Request-reply with the official RocketMQ 4.8.0 client on both ends, through rmq:
 * DefaultMQProducer.request() sync and with a callback, answered by a consumer using
 * MessageUtil.createReplyMessage. Skipped with one line where Java or the release is absent.
 */
import assert from "node:assert/strict";
import { startCluster } from "../../helpers/cluster.ts";
import { JAVA_MISSING, runJava } from "../../helpers/java.ts";

if (JAVA_MISSING) console.log(`request_reply_java_test: skipped, ${JAVA_MISSING}`);

Deno.test({
  name: "Java request-reply through rmq: request() sync and async, replies pushed to the requester",
  ignore: JAVA_MISSING !== undefined,
}, async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("JavaRequests", { queues: 2 });
  await using java = await runJava("RequestReplyScenario", [cluster.namesrvAddr, "JavaRequests"]);
  assert.equal(
    await java.until(/^sync /, 60_000),
    `sync reply:one ${cluster.clusterName}_REPLY_TOPIC`,
  );
  assert.equal(await java.until(/^async /, 30_000), "async reply:two");
  assert.equal(await java.finish(), 0);
});
