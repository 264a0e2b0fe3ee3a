/**
 * Broker send path: `deno bench -A tests/bench/broker_send_bench.ts`.
 *
 * A BrokerController (temp store, ASYNC_FLUSH) and RemotingClients in this one process; each
 * iteration sends a fixed batch of SEND_MESSAGE_V2 requests with a 1 KiB body, 256 in flight
 * over 4 connections, so messages/s = batch / time per iteration. Client and broker share the
 * process (and its cores), so this understates what a broker alone sustains; run
 * `rmq broker -p 0` and a producer in another process for that figure. Broker and clients are
 * made before `b.start()` and closed after `b.end()` in every iteration.
 */
import { BrokerController } from "../../src/broker/broker.ts";
import { encodeProperties } from "../../src/common/message/properties.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { TEST_STORE_CONFIG } from "../helpers/cluster.ts";
import { sendHeader, sendRequest } from "../helpers/send.ts";

const BATCH = 20_000;
const CONNECTIONS = 4;
const IN_FLIGHT = 256;
const BODY = new Uint8Array(1024).map((_, i) => i & 0xff);
const PROPS = encodeProperties({
  KEYS: "order-42",
  UNIQ_KEY: "7F0000010001000000000000000000AB",
  WAIT: "true",
  TAGS: "TagA",
});

Deno.bench({
  name: `broker SEND_MESSAGE_V2, 1 KiB body, ${BATCH} messages per iteration`,
  n: 5,
  warmup: 1,
  async fn(b) {
    const dir = await Deno.makeTempDir({ prefix: "rmq-bench-" });
    const broker = new BrokerController({
      ...TEST_STORE_CONFIG,
      mappedFileSizeCommitLog: 1024 * 1024 * 1024,
      listenPort: 0,
      bindAddress: "127.0.0.1",
      brokerIP1: "127.0.0.1",
      brokerName: "bench",
      vipChannelEnable: false,
      storePathRootDir: dir,
    });
    const { port } = await broker.start();
    const addr = `127.0.0.1:${port}`;
    const clients = Array.from({ length: CONNECTIONS }, () => new RemotingClient());
    for (const c of clients) {
      await c.invokeSync(
        addr,
        sendRequest(sendHeader("BenchTopic", { properties: PROPS }), BODY),
        3000,
      );
    }
    let left = BATCH;
    let failed = 0;
    const worker = async (c: RemotingClient, queueId: number) => {
      while (left > 0) {
        left--;
        const r = await c.invokeSync(
          addr,
          sendRequest(sendHeader("BenchTopic", { queueId, properties: PROPS }), BODY),
          10_000,
        );
        if (r.code !== 0) failed++;
      }
    };
    b.start();
    await Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: IN_FLIGHT / CONNECTIONS }, () => worker(c, i % 4))
      ),
    );
    b.end();
    for (const c of clients) await c.close();
    await broker.shutdown();
    await Deno.remove(dir, { recursive: true });
    if (failed > 0) throw new Error(`${failed} sends failed`);
  },
});
