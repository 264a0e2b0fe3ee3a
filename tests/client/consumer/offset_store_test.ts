import assert from "node:assert/strict";
import { ClientInstance } from "../../../src/client/client_instance.ts";
import {
  LocalFileOffsetStore,
  OFFSET_ERROR,
  OFFSET_NONE,
  RemoteBrokerOffsetStore,
} from "../../../src/client/consumer/offset_store.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { startProducer } from "../../helpers/consumers.ts";
import { tempDir } from "../../helpers/temp_dir.ts";

const Q0 = { topic: "T", brokerName: "broker-a", queueId: 0 };
const Q1 = { topic: "T", brokerName: "broker-a", queueId: 1 };
const OTHER = { topic: "U", brokerName: "broker-b", queueId: 3 };

Deno.test("LocalFileOffsetStore persists to <dir>/<clientId>/<group>/offsets.json and reloads", async () => {
  await using dir = await tempDir();
  const store = new LocalFileOffsetStore(dir.path, "127.0.0.1@DEFAULT", "g1");
  await store.load();
  assert.equal(store.readOffsetFromMemory(Q0), OFFSET_NONE);
  assert.equal(await store.readOffsetFromStore(Q0), OFFSET_NONE);
  store.updateOffset(Q0, 12, false);
  store.updateOffset(Q0, 5, true); // increaseOnly: ignored
  store.updateOffset(Q1, 7, false);
  store.updateOffset(OTHER, 1, false);
  assert.equal(store.readOffsetFromMemory(Q0), 12);
  await store.persistAll([Q0, Q1]);
  const path = `${dir.path}/127.0.0.1@DEFAULT/g1/offsets.json`;
  assert.equal(store.path, path);
  // Java's OffsetSerializeWrapper in fastjson form: MessageQueue objects as keys.
  assert.equal(
    await Deno.readTextFile(path),
    '{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:12,' +
      '{"brokerName":"broker-a","queueId":1,"topic":"T"}:7}}',
  );
  store.updateOffset(Q0, 20, false);
  await store.persist(Q0);
  // The previous file is kept as .bak; a lost main file falls back to it.
  assert.match(await Deno.readTextFile(`${path}.bak`), /:12,/);
  const again = new LocalFileOffsetStore(dir.path, "127.0.0.1@DEFAULT", "g1");
  await again.load();
  assert.equal(again.readOffsetFromMemory(Q0), 20);
  assert.equal(await again.readOffsetFromStore(Q1), 7);
  await Deno.remove(path);
  assert.equal(await again.readOffsetFromStore(Q0), 12);
  assert.deepEqual(again.offsets("T").map(([mq, o]) => [mq.queueId, o]).sort(), [[0, 12], [1, 7]]);
});

Deno.test("LocalFileOffsetStore ignores a corrupt file rather than failing", async () => {
  await using dir = await tempDir();
  const store = new LocalFileOffsetStore(dir.path, "c", "g");
  await Deno.mkdir(`${dir.path}/c/g`, { recursive: true });
  await Deno.writeTextFile(store.path, "{not json");
  await store.load();
  assert.equal(store.readOffsetFromMemory(Q0), OFFSET_NONE);
});

Deno.test("RemoteBrokerOffsetStore reads none (22), persists, and reads the broker's offset", async () => {
  // Ratio 0: the broker answers "none stored" instead of 0 for a queue with messages.
  await using cluster = await startCluster({ broker: { accessMessageInMemoryMaxRatio: 0 } });
  await cluster.createTopic("T", { queues: 2 });
  const instance = ClientInstance.getOrCreate({ namesrvAddr: cluster.namesrvAddr });
  await using _ = instance;
  instance.start();
  await instance.updateTopicRouteInfoFromNameServer("T");
  await using producer = await startProducer(cluster);
  for (let i = 0; i < 9; i++) await producer.send({ topic: "T", body: "x" }, { messageQueue: Q0 });
  const store = new RemoteBrokerOffsetStore(instance, "g_remote");
  store.updateOffset(Q0, 9, false);
  store.updateOffset(OTHER, 4, false);
  await store.persistAll([Q0]);
  // Queues not listed are forgotten, not sent.
  assert.equal(store.readOffsetFromMemory(OTHER), OFFSET_NONE);
  const s = cluster.brokers[0].controller.services;
  assert.equal(s.consumerOffsets.queryOffset("g_remote", "T", 0), 9);
  store.removeOffset(Q0);
  assert.equal(await store.readOffsetFromStore(Q0), 9);
  assert.equal(store.readOffsetFromMemory(Q0), 9);
  // Queue 1 is empty: a new group gets 0 (its first message would still be in memory, §3.4).
  assert.equal(await store.readOffsetFromStore(Q1), 0);
  // Queue 0 has messages on disk (ratio 0) and g_new no offset: 22, read as "none".
  const fresh = new RemoteBrokerOffsetStore(instance, "g_new");
  assert.equal(await fresh.readOffsetFromStore(Q0), OFFSET_NONE);
  // A broker group nobody knows: an error, not "none".
  assert.equal(await store.readOffsetFromStore(OTHER), OFFSET_ERROR);
});
