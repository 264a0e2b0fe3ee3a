/**
 * Producer: `deno bench -A tests/bench/producer_bench.ts`.
 *
 * - encode path: one 1 KiB message validated, given its UNIQ_KEY, turned into a
 *   SEND_MESSAGE_V2 request and encoded as a frame, per iteration (JSON and ROCKETMQ headers);
 * - sends: a Producer against a name server and broker in this process (tests/helpers/
 *   cluster.ts), each iteration a fixed batch of 1 KiB sendAsync() calls, 1024 in flight, so
 *   messages/s = batch / time per iteration. Broker and producer share this process and its
 *   core, so this understates what either sustains alone; `rmq dev` in one process and
 *   `rmq produce --count N --mode async` in another gives the two-process figure. The cluster
 *   and producer are made before `b.start()` and closed after `b.end()`.
 */
import { prepareMessage } from "../../src/client/message.ts";
import { MQClientAPI } from "../../src/client/mq_client_api.ts";
import { Producer } from "../../src/client/producer/producer.ts";
import { sendMessageHeader } from "../../src/client/producer/send_path.ts";
import { UniqueKeyGenerator } from "../../src/common/message/message_id.ts";
import { SerializeType } from "../../src/remoting/command.ts";
import { encodeFrame } from "../../src/remoting/frame_codec.ts";
import { startCluster } from "../helpers/cluster.ts";

const BODY = new Uint8Array(1024).map((_, i) => i & 0xff);
const BATCH = 20_000;
const IN_FLIGHT = 1024;
const keys = new UniqueKeyGenerator();
const PREPARE = { maxMessageSize: 4 * 1024 * 1024, compressOver: 4096, compressLevel: 5 };
const BASE = { producerGroup: "bench_pg", defaultTopic: "TBW102", defaultTopicQueueNums: 4 };
const MQ = { topic: "BenchTopic", brokerName: "broker-a", queueId: 3 };

for (
  const [name, type] of [["JSON", SerializeType.JSON], [
    "ROCKETMQ",
    SerializeType.ROCKETMQ,
  ]] as const
) {
  Deno.bench({
    name: `producer encode path, 1 KiB message to a ${name} frame`,
    group: "encode",
    fn() {
      const p = prepareMessage(
        { topic: "BenchTopic", body: BODY, tags: "TagA", keys: "order-42" },
        keys.next(),
        PREPARE,
      );
      const req = MQClientAPI.sendRequest(sendMessageHeader(BASE, p, MQ, Date.now()), p.body);
      req.serializeType = type;
      encodeFrame(req);
    },
  });
}

for (const serializeType of ["JSON", "ROCKETMQ"] as const) {
  Deno.bench({
    name: `producer sendAsync, ${serializeType} headers, 1 KiB, ${BATCH} per iteration`,
    group: "send",
    n: 5,
    warmup: 1,
    async fn(b) {
      await using cluster = await startCluster();
      await cluster.createTopic("BenchTopic", { queues: 8 });
      await using producer = new Producer({
        namesrvAddr: cluster.namesrvAddr,
        producerGroup: "bench_pg",
        clientIP: "127.0.0.1",
        serializeType,
      });
      await producer.start();
      await producer.send({ topic: "BenchTopic", body: BODY });
      let inflight = 0;
      let failed = 0;
      let wake: (() => void) | undefined;
      const settled = () => {
        inflight--;
        const w = wake;
        wake = undefined;
        w?.();
      };
      const onError = () => {
        failed++;
        settled();
      };
      b.start();
      for (let i = 0; i < BATCH; i++) {
        inflight++;
        producer.sendAsync({ topic: "BenchTopic", body: BODY, tags: "TagA" }).then(
          settled,
          onError,
        );
        while (inflight >= IN_FLIGHT) await new Promise<void>((r) => wake = r);
      }
      while (inflight > 0) await new Promise<void>((r) => wake = r);
      b.end();
      if (failed > 0) throw new Error(`${failed} of ${BATCH} sends failed`);
    },
  });
}
