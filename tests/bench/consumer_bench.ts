/**
 * Push consumer: `deno bench -A tests/bench/consumer_bench.ts`.
 *
 * - decode path: one 32-record pull body (100-byte bodies, a tag, keys, UNIQ_KEY) read into
 *   MessageExt objects and each message's tag, msgId and body touched, per iteration;
 * - consume: a name server and broker in this process (tests/helpers/cluster.ts) holding
 *   MESSAGES stored messages (100-byte bodies, 8 queues); each iteration a PushConsumer of a
 *   new group reads all of them from the first offset (clustering, long polling, offsets
 *   committed as in production), with a listener that only counts, batch sizes 1 and 32.
 *   Messages/s = MESSAGES / time per iteration, start-up (routes, heartbeat, rebalance)
 *   included. Broker and consumer share this process and its core, so this understates what
 *   either sustains alone; `rmq dev` in one process and `rmq consume --quiet --count N
 *   --from first` in another gives the two-process figure.
 */
import { concatBytes } from "../../src/common/bytes.ts";
import { encodeMessageRecord } from "../../src/common/message/message_codec.ts";
import { decodeMessages, TopicHint } from "../../src/client/message_ext.ts";
import { PushConsumer } from "../../src/client/consumer/push_consumer.ts";
import { ConsumeFromWhere } from "../../src/client/consumer/consumer_types.ts";
import { startCluster } from "../helpers/cluster.ts";
import { startProducer } from "../helpers/consumers.ts";

const MESSAGES = 200_000;
const BODY = new Uint8Array(100).map((_, i) => i & 0xff);

const PULL_BODY = concatBytes(
  Array.from({ length: 32 }, (_, i) =>
    encodeMessageRecord({
      queueId: 0,
      flag: 0,
      queueOffset: i,
      physicalOffset: i * 300,
      sysFlag: 0,
      bornTimestamp: 1700000000000,
      bornHost: { ip: new Uint8Array([10, 0, 0, 1]), port: 5 },
      storeTimestamp: 1700000000001,
      storeHost: { ip: new Uint8Array([10, 0, 0, 2]), port: 10911 },
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body: BODY,
      topic: "BenchTopic",
      properties:
        `KEYS\u0001order-${i}\u0002TAGS\u0001TagA\u0002UNIQ_KEY\u00017F0000010001000000000000000000${
          i.toString(16).padStart(2, "0").toUpperCase()
        }\u0002`,
    })),
);
const HINT = new TopicHint("BenchTopic");

Deno.bench({
  name: "decode a 32-message pull body and read tag, msgId and body of each",
  group: "decode",
  fn() {
    let n = 0;
    for (const m of decodeMessages(PULL_BODY, "broker-a", HINT)) {
      n += m.tags!.length + m.msgId.length + m.body.length;
    }
    if (n === 0) throw new Error("nothing decoded");
  },
});

const cluster = await startCluster({
  broker: { commitLogCacheSize: 256 * 1024 * 1024, mappedFileSizeCommitLog: 256 * 1024 * 1024 },
});
await cluster.createTopic("BenchTopic", { queues: 8 });
{
  await using producer = await startProducer(cluster);
  const batch = Array.from({ length: 100 }, () => ({ topic: "BenchTopic", body: BODY, tags: "A" }));
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < MESSAGES / 100; i++) {
    pending.push(producer.sendBatch(batch));
    if (pending.length >= 64) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

let group = 0;
for (const batchSize of [1, 32]) {
  Deno.bench({
    name: `push consumer reads ${MESSAGES} stored messages, batch ${batchSize}`,
    group: "consume",
    n: 3,
    warmup: 1,
    async fn(b) {
      const consumer = new PushConsumer({
        namesrvAddr: cluster.namesrvAddr,
        clientIP: "127.0.0.1",
        consumerGroup: `bench_${group++}`,
        consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
        consumeMessageBatchMaxSize: batchSize,
      });
      consumer.subscribe("BenchTopic");
      let n = 0;
      let done!: () => void;
      const all = new Promise<void>((r) => done = r);
      consumer.registerMessageListener((msgs) => {
        n += msgs.length;
        if (n >= MESSAGES) done();
      });
      b.start();
      await consumer.start();
      await all;
      b.end();
      await consumer.shutdown();
    },
  });
}

globalThis.addEventListener("unload", () => {
  // deno bench has no afterAll and the process ends right after, so nothing async would
  // finish (a broker stopping now would write its config after the dirs are gone): only
  // remove the cluster's and the name server's temp dirs.
  const root = cluster.brokers[0].storeDir.slice(0, cluster.brokers[0].storeDir.lastIndexOf("/"));
  for (const dir of [root, cluster.namesrv.dir]) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
});
