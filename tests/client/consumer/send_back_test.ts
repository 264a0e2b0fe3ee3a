/**
 * Giving failed messages back: CONSUMER_SEND_MSG_BACK, and the resend to the retry topic the
 * client falls back to, against a real broker.
 */
import assert from "node:assert/strict";
import { ClientInstance } from "../../../src/client/client_instance.ts";
import { decodeMessages } from "../../../src/client/message_ext.ts";
import { sendMessageBack } from "../../../src/client/consumer/send_back.ts";
import { encodeMessageRecord } from "../../../src/common/message/message_codec.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { startPushConsumer } from "../../helpers/consumers.ts";

const UNIQ = "7F00000100010000000000000000ABCD";

Deno.test("sendMessageBack() resends to %RETRY%<group> when the broker refuses the send-back", async () => {
  await using cluster = await startCluster({ broker: { messageDelayLevel: "50ms 50ms 50ms" } });
  await cluster.createTopic("OrigTopic", { queues: 1 });
  // The group's consumer: its heartbeat creates %RETRY%g_fallback, and it reads it.
  await using c = await startPushConsumer(cluster, { consumerGroup: "g_fallback" }, [
    ["OrigTopic", "*"],
  ]);
  await using instance = ClientInstance.getOrCreate({
    namesrvAddr: cluster.namesrvAddr,
    clientIP: "127.0.0.1",
  });
  instance.start();
  await instance.updateTopicRouteInfoFromNameServer("OrigTopic");
  const [host, port] = cluster.brokers[0].addr.split(":");
  // A message whose commit-log offset the broker does not have: the send-back fails (1).
  const [msg] = decodeMessages(
    encodeMessageRecord({
      queueId: 0,
      flag: 9,
      queueOffset: 0,
      physicalOffset: 1 << 40,
      sysFlag: 0,
      bornTimestamp: 1,
      bornHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 1 },
      storeTimestamp: 2,
      storeHost: { ip: new Uint8Array(host.split(".").map(Number)), port: Number(port) },
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: new TextEncoder().encode("orphan"),
      topic: "OrigTopic",
      properties: `TAGS\u0001TagX\u0002UNIQ_KEY\u0001${UNIQ}\u0002`,
    }),
    "broker-a",
  );
  await sendMessageBack(instance, msg, {
    group: "g_fallback",
    delayLevel: 0,
    maxReconsumeTimes: 16,
  });
  // Delay level 3 + 0 (50 ms here), then the consumer reads it from the retry topic.
  await c.received.waitForCount(1, 3000);
  const d = c.received.list[0];
  assert.equal(d.body, "orphan");
  assert.equal(d.topic, "OrigTopic");
  assert.equal(d.msgId, UNIQ);
  assert.equal(d.tags, "TagX");
  assert.equal(d.reconsumeTimes, 1);
  assert.equal(d.message.flag, 9);
  assert.equal(d.properties.RETRY_TOPIC, "OrigTopic");
  assert.equal(d.properties.ORIGIN_MESSAGE_ID, UNIQ);
  assert.equal(d.properties.RECONSUME_TIME, undefined);
});
