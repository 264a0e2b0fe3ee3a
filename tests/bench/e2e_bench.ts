/**
 * End to end through an in-process `rmq dev` (DevServer): rmq's producer sends 1 KiB messages
 * (256 in flight, 4 connections) while a clustering push consumer receives them; one
 * iteration = 20,000 messages produced and all of them delivered, so messages/s = 20,000 / time.
 * Producer, broker and consumer share this process (and its cores): the figure understates
 * separate processes; `rmq bench` measures those.
 *
 *   deno bench -A tests/bench/e2e_bench.ts
 */
import { ConsumeFromWhere } from "../../src/client/consumer/consumer_types.ts";
import { Producer } from "../../src/client/producer/producer.ts";
import { PushConsumer } from "../../src/client/consumer/push_consumer.ts";
import { DevServer } from "../../src/dev/dev_server.ts";

const MESSAGES = 20_000;
const IN_FLIGHT = 256;
const CLIENTS = 4;
const BODY = new Uint8Array(1024).map((_, i) => i & 0xff);

let round = 0;

Deno.bench({
  name: `e2e in one process: ${MESSAGES} x 1 KiB produced and consumed per iteration`,
  n: 3,
  warmup: 1,
  async fn(b) {
    const store = await Deno.makeTempDir({ prefix: "rmq-e2e-bench-" });
    const dev = new DevServer({ namesrvPort: 0, brokerPort: 0, store });
    const namesrvAddr = await dev.start();
    const topic = `E2eBench${round++}`;
    const producers = Array.from({ length: CLIENTS }, (_, i) =>
      new Producer({
        namesrvAddr,
        producerGroup: "e2e_bench_pg",
        instanceName: `e2e-bench-${i}`,
        serializeType: "ROCKETMQ",
      }));
    for (const p of producers) await p.start();
    await producers[0].send({ topic, body: "warm-up" }); // creates the topic
    let received = 0;
    let done: () => void = () => {};
    const all = new Promise<void>((r) => done = r);
    const consumer = new PushConsumer({
      namesrvAddr,
      consumerGroup: "e2e_bench_cg",
      serializeType: "ROCKETMQ",
      consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
      consumeMessageBatchMaxSize: 32,
    });
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((msgs) => {
      received += msgs.length;
      if (received >= MESSAGES + 1) done();
    });
    await consumer.start();
    b.start();
    let left = MESSAGES;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, i) => {
      const p = producers[i % CLIENTS];
      while (left-- > 0) await p.sendAsync({ topic, body: BODY });
    }));
    await all;
    b.end();
    await consumer.shutdown();
    for (const p of producers) await p.shutdown();
    await dev.shutdown();
    await Deno.remove(store, { recursive: true });
  },
});
