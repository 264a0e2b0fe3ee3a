import assert from "node:assert/strict";
import { MessageConst } from "../../../src/common/message/message_const.ts";
import { MQClientError } from "../../../src/client/errors.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { startProducer, startPushConsumer, waitUntil } from "../../helpers/consumers.ts";

const dec = new TextDecoder();

Deno.test("Producer.request() gets the reply a responder sends with reply(), pushed by the broker", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Quotes", { queues: 2 });
  await using responder = await startProducer(cluster, { producerGroup: "Responder" });
  await using _c = await startPushConsumer(
    cluster,
    { consumerGroup: "QuoteService" },
    [["Quotes", "*"]],
    async (d) => {
      await responder.reply(d.message, `quote for ${d.body}`);
    },
  );
  await using requester = await startProducer(cluster, { producerGroup: "Requester" });
  const started = Date.now();
  const replies = await Promise.all(
    ["EURUSD", "GBPUSD", "USDJPY"].map((pair) =>
      requester.request({ topic: "Quotes", body: pair }, 10_000)
    ),
  );
  assert.deepEqual(replies.map((r) => dec.decode(r.body)), [
    "quote for EURUSD",
    "quote for GBPUSD",
    "quote for USDJPY",
  ]);
  const r = replies[0];
  assert.equal(r.topic, `${cluster.clusterName}_REPLY_TOPIC`);
  assert.equal(r.getProperty(MessageConst.MSG_TYPE), "reply");
  assert.equal(r.getProperty(MessageConst.REPLY_TO_CLIENT), requester.clientId);
  assert.ok(Number(r.getProperty(MessageConst.ARRIVE_TIME)) >= started);
  // Stored in the reply topic too (storeReplyMessageEnable), right after the push.
  const store = cluster.brokers[0].controller.store;
  await waitUntil(
    "the replies stored",
    () => store.getMaxOffsetInQueue(`${cluster.clusterName}_REPLY_TOPIC`, 0) === 3,
  );
});

Deno.test("A request nobody answers times out; reply() refuses a message that is no request", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("Nobody", { queues: 1 });
  await using p = await startProducer(cluster);
  await assert.rejects(
    p.request({ topic: "Nobody", body: "hello?" }, 500),
    (e: unknown) =>
      e instanceof MQClientError && /timed out after 500 ms: no reply/.test(e.message),
  );
  await using c = await startPushConsumer(cluster, { consumerGroup: "G" }, [["Nobody", "*"]]);
  await p.send({ topic: "Nobody", body: "plain" });
  await c.received.waitForCount(2); // The request above and this one.
  const plain = c.received.list.find((d) => d.body === "plain")!.message;
  await assert.rejects(
    p.reply(plain, "x"),
    /it is not a request \(property REPLY_TO_CLIENT is missing\)/,
  );
});
