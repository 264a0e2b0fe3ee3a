/**
 * ali-ons (npm, a pure-JS RocketMQ 4.x client written by others) sends to rmq brokers exactly
 * as it sends to Apache RocketMQ: route from the name server, SEND_MESSAGE_V2 with numbers and
 * booleans in extFields, JSON headers only, offsetMsgId read as 8+8+16 hex.
 */
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { decodeOffsetMsgId } from "../../src/common/message/message_id.ts";
import { decodeProperties } from "../../src/common/message/properties.ts";
import { MessageSysFlag } from "../../src/common/message/sys_flag.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { Message, startAliOnsProducer } from "../helpers/ali_ons.ts";
import { startCluster } from "../helpers/cluster.ts";
import { utf8, viewMessage } from "../helpers/send.ts";

Deno.test("ali-ons Producer sends to rmq broker and the stored records are what it sent", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("TopicAliOns", { queues: 4 });
  await using p = await startAliOnsProducer(cluster.namesrvAddr);
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];

  const msg = new Message("TopicAliOns", "TagA", "hello from ali-ons");
  msg.keys = ["order-1", "order-2"];
  msg.flag = 3;
  const before = Date.now();
  const r = await p.producer.send(msg);
  assert.equal(r.sendStatus, "SEND_OK");
  assert.equal(r.messageQueue.brokerName, "broker-a");
  assert.equal(r.messageQueue.topic, "TopicAliOns");
  assert.equal(r.queueOffset, 0);
  assert.equal(decodeOffsetMsgId(r.msgId).address, broker.addr);

  const m = await viewMessage(client, r.msgId);
  assert.equal(m.topic, "TopicAliOns");
  assert.equal(m.queueId, Number(r.messageQueue.queueId)); // ali-ons keeps the header string
  assert.equal(m.queueOffset, 0);
  assert.equal(m.flag, 3);
  assert.equal(m.sysFlag, 0);
  assert.ok(m.bornTimestamp >= before && m.bornTimestamp <= Date.now());
  assert.deepEqual(m.body, utf8("hello from ali-ons"));
  assert.deepEqual({ ...decodeProperties(m.properties) }, {
    TAGS: "TagA",
    KEYS: "order-1 order-2",
    CLUSTER: "DefaultCluster",
  });

  // ali-ons compresses bodies of 4 KiB and more; the broker keeps them compressed.
  const big = "rocketmq ".repeat(1000);
  const r2 = await p.producer.send(new Message("TopicAliOns", "TagB", big));
  assert.equal(r2.sendStatus, "SEND_OK");
  const m2 = await viewMessage(client, r2.msgId);
  assert.equal(m2.sysFlag & MessageSysFlag.COMPRESSED, MessageSysFlag.COMPRESSED);
  assert.equal(new TextDecoder().decode(inflateSync(m2.body)), big);
  assert.deepEqual(p.errors, [], p.logs.join("\n"));
});

Deno.test("ali-ons Producer spreads sends over two brokers and keeps sending when one stops", async () => {
  await using cluster = await startCluster({ brokers: 2 });
  const route = await cluster.createTopic("TopicTwo", { queues: 2 });
  assert.deepEqual(route.brokerDatas.map((b) => b.brokerName).sort(), ["broker-a", "broker-b"]);
  await using p = await startAliOnsProducer(cluster.namesrvAddr);

  const perBroker = new Map<string, number>();
  for (let i = 0; i < 16; i++) {
    const r = await p.producer.send(new Message("TopicTwo", "T", `m${i}`));
    assert.equal(r.sendStatus, "SEND_OK");
    const name = r.messageQueue.brokerName;
    perBroker.set(name, (perBroker.get(name) ?? 0) + 1);
  }
  assert.equal(perBroker.get("broker-a"), 8);
  assert.equal(perBroker.get("broker-b"), 8);

  await cluster.broker("broker-b").stop();
  assert.equal(
    cluster.namesrv.controller.routes.pickupTopicRouteData("TopicTwo")?.brokerDatas.length,
    1,
    "broker-b unregistered on shutdown",
  );
  for (let i = 0; i < 16; i++) {
    const r = await p.producer.send(new Message("TopicTwo", "T", `after-${i}`));
    assert.equal(r.sendStatus, "SEND_OK");
    assert.equal(r.messageQueue.brokerName, "broker-a");
  }
  const store = cluster.broker("broker-a").controller.store;
  assert.equal(
    store.getMaxOffsetInQueue("TopicTwo", 0) + store.getMaxOffsetInQueue("TopicTwo", 1),
    8 + 16,
  );
});
