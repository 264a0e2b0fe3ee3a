import assert from "node:assert/strict";
import { clientChannelInfo } from "../../src/broker/client_channel.ts";
import { clientScanInterval } from "../../src/broker/consumer_manager.ts";
import { ConsumerManager } from "../../src/broker/consumer_manager.ts";
import { ProducerManager } from "../../src/broker/producer_manager.ts";
import { subscriptionOf } from "../../src/broker/consumer_subscription.ts";
import { logger } from "../../src/common/log.ts";
import { Channel } from "../../src/remoting/channel.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { startCluster } from "../helpers/cluster.ts";
import { consumer, heartbeat, notifiedClient, sub } from "../helpers/consume.ts";
import { waitUntil } from "../helpers/consumers.ts";
import { socketPair } from "../helpers/remoting.ts";

Deno.test("ConsumerManager tracks members by connection and tells the rest when one goes", async () => {
  using pair1 = await socketPair();
  using pair2 = await socketPair();
  const log = logger("test");
  const ch1 = new Channel(pair1.server, { onRequest: () => null, log });
  const ch2 = new Channel(pair2.server, { onRequest: () => null, log });
  const told: [string, Channel[]][] = [];
  const m = new ConsumerManager((group, channels) => told.push([group, channels]));
  const subs = [subscriptionOf(sub("T", "TagA", 1))];
  const reg = (ch: Channel, id: string, now: number) =>
    m.register(
      "g",
      clientChannelInfo(ch, id, "JAVA", 409, now),
      "CONSUME_PASSIVELY",
      "CLUSTERING",
      "CONSUME_FROM_LAST_OFFSET",
      subs,
      true,
    );
  assert.equal(reg(ch1, "A", 0), true);
  assert.equal(reg(ch2, "B", 0), true);
  assert.equal(reg(ch1, "A", 50), false, "a repeated heartbeat changes nothing");
  assert.deepEqual(told.map(([g, c]) => [g, c.length]), [["g", 1], ["g", 2]]);
  assert.deepEqual(m.get("g")?.clientIds(), ["A", "B"]);
  assert.deepEqual([...m.queryTopicConsumeByWho("T")], ["g"]);

  m.scanNotActiveChannel(100, 140); // B last beat at 0, A at 50
  assert.deepEqual(m.get("g")?.clientIds(), ["A"]);
  assert.ok(ch2.isClosed, "its connection is closed");
  assert.deepEqual(told.at(-1)?.[1], [ch1]);
  m.channelClosed(ch1);
  assert.equal(m.get("g"), undefined, "an empty group is forgotten");
  assert.equal(told.length, 3, "nobody left to tell");
  ch1.close();
});

Deno.test("ProducerManager forgets closed and silent connections", async () => {
  using pair = await socketPair();
  const ch = new Channel(pair.server, { onRequest: () => null, log: logger("test") });
  const m = new ProducerManager();
  m.register("pg", clientChannelInfo(ch, "P", "JAVA", 409, 0));
  m.register("pg", clientChannelInfo(ch, "P", "JAVA", 409, 90));
  assert.equal(m.get("pg")?.length, 1);
  m.scanNotActiveChannel(100, 150);
  assert.equal(m.get("pg")?.length, 1);
  m.scanNotActiveChannel(100, 200);
  assert.equal(m.get("pg"), undefined);
  assert.ok(ch.isClosed);
});

Deno.test("clientScanInterval() scans every 10 s, sooner for short timeouts", {
  permissions: "none",
}, () => {
  assert.equal(clientScanInterval(120_000), 10_000);
  assert.equal(clientScanInterval(1000), 500);
  assert.equal(clientScanInterval(10), 50);
});

Deno.test("ConsumerManager drops clients without a heartbeat for channelExpiredTimeout", async () => {
  await using cluster = await startCluster({ broker: { channelExpiredTimeout: 200 } });
  const addr = cluster.brokers[0].addr;
  const live = notifiedClient();
  await using _live = live.client;
  await using silent = new RemotingClient();
  const consume = cluster.brokers[0].controller.services;
  await heartbeat(silent, addr, "silent", [consumer("ge", [sub("T", "*")])], ["pg"]);
  const started = Date.now();
  // The live client keeps sending heartbeats; the silent one stops after its first.
  let beating = true;
  const beats = (async () => {
    while (beating) {
      await heartbeat(live.client, addr, "live", [consumer("ge", [sub("T", "*")])]);
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  try {
    await waitUntil(
      "the silent client to be dropped",
      () => consume.consumers.get("ge")?.clientIds().join() === "live",
      3000,
    );
    assert.ok(Date.now() - started >= 150);
    assert.equal(consume.producers.get("pg"), undefined);
    await waitUntil("the live client to hear of it", () => live.notes.length >= 2);
  } finally {
    beating = false;
    await beats;
  }
});
