/**
 * Broker pull path: `deno bench -A tests/bench/broker_pull_bench.ts`.
 *
 * A BrokerController (temp store) with 100,000 stored messages (1 KiB bodies, 8 queues, put
 * straight into its store before timing), and one RemotingClient in this same process pulling
 * every queue from offset 0 to its end, one PULL_MESSAGE in flight per queue, 32 messages per
 * pull (a push consumer's default), subscription `*` sent with each pull as ali-ons and Go do;
 * the tag-filter case subscribes one of four tags. Messages/s = messages / time per iteration.
 * The last case times a held pull from the send of a message to its queue until the pull's
 * answer arrives (the send's own round trip runs alongside).
 * Client and broker share the process and its cores, so this understates what a broker alone
 * serves.
 */
import { BrokerController } from "../../src/broker/broker.ts";
import { encodeProperties } from "../../src/common/message/properties.ts";
import { socketAddressOf } from "../../src/common/message/socket_address.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { TEST_STORE_CONFIG } from "../helpers/cluster.ts";
import { pullRequest } from "../helpers/consume.ts";
import { sendHeader, sendRequest } from "../helpers/send.ts";

const MESSAGES = 100_000;
const QUEUES = 8;
const BODY = new Uint8Array(1024).map((_, i) => i & 0xff);
const TAGS = ["TagA", "TagB", "TagC", "TagD"];

const dir = await Deno.makeTempDir({ prefix: "rmq-bench-" });
const broker = new BrokerController({
  ...TEST_STORE_CONFIG,
  mappedFileSizeCommitLog: 1024 * 1024 * 1024,
  commitLogCacheSize: 256 * 1024 * 1024,
  listenPort: 0,
  bindAddress: "127.0.0.1",
  brokerIP1: "127.0.0.1",
  brokerName: "bench",
  vipChannelEnable: false,
  storePathRootDir: dir,
});
const { port } = await broker.start();
const addr = `127.0.0.1:${port}`;
const host = socketAddressOf(addr);
broker.topicConfigManager.createTopicInSendMessageBackMethod("PullBench", QUEUES, 6, 0);
broker.topicConfigManager.createTopicInSendMessageBackMethod("Wake", 1, 6, 0);
const puts = [];
for (let i = 0; i < MESSAGES; i++) {
  puts.push(broker.store.putMessage({
    topic: "PullBench",
    queueId: i % QUEUES,
    flag: 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: host,
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: BODY,
    properties: encodeProperties({ TAGS: TAGS[i % 4], UNIQ_KEY: `U${i}`, KEYS: `k${i}` }),
  }));
  if (puts.length >= 1000) await Promise.all(puts.splice(0));
}
await Promise.all(puts);
const client = new RemotingClient();

/** Pulls every queue to its end; returns the number of messages received. */
async function drain(subscription: string): Promise<number> {
  let received = 0;
  await Promise.all(Array.from({ length: QUEUES }, async (_, queueId) => {
    let offset = 0;
    const end = broker.store.getMaxOffsetInQueue("PullBench", queueId);
    while (offset < end) {
      const res = await client.invokeSync(
        addr,
        pullRequest({
          consumerGroup: "bench",
          topic: "PullBench",
          queueId,
          queueOffset: offset,
          subscription,
          sysFlag: 4,
        }),
        10_000,
      );
      if (res.code !== 0 && res.code !== 20) throw new Error(`pull answered ${res.code}`);
      offset = Number(res.extFields.nextBeginOffset);
      // Count records by their TOTALSIZE fields, as a client walks the body.
      const body = res.body;
      if (!body) continue;
      const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
      for (let p = 0; p < body.length; p += v.getInt32(p)) received++;
    }
  }));
  return received;
}

Deno.bench({
  name: `broker PULL_MESSAGE, 1 KiB bodies, ${MESSAGES} messages per iteration`,
  n: 5,
  warmup: 1,
  async fn() {
    const n = await drain("*");
    if (n !== MESSAGES) throw new Error(`received ${n} of ${MESSAGES}`);
  },
});

Deno.bench({
  name: `broker PULL_MESSAGE with tag filter (1 of 4 tags), ${MESSAGES} stored`,
  n: 5,
  warmup: 1,
  async fn() {
    const n = await drain("TagB");
    if (n !== MESSAGES / 4) throw new Error(`received ${n} of ${MESSAGES / 4}`);
  },
});

const producer = new RemotingClient();
let wakeOffset = 0;
Deno.bench({
  name: "held PULL_MESSAGE woken by a send (send, dispatch, wake, answer)",
  n: 500,
  warmup: 20,
  async fn(b) {
    const held = client.invokeSync(
      addr,
      pullRequest({ consumerGroup: "bench", topic: "Wake", queueOffset: wakeOffset }),
      20_000,
    );
    // Held once the broker has it: give the request a moment to arrive.
    await new Promise((r) => setTimeout(r, 1));
    b.start();
    const sent = producer.invokeSync(
      addr,
      sendRequest(sendHeader("Wake", { queueId: 0 }), BODY),
      3000,
    );
    const res = await held;
    b.end();
    await sent;
    if (res.code !== 0) throw new Error(`pull answered ${res.code}`);
    wakeOffset = Number(res.extFields.nextBeginOffset);
  },
});

globalThis.addEventListener("unload", () => {
  // deno bench has no afterAll; the process ends right after.
  void client.close();
  void producer.close();
  void broker.shutdown();
  Deno.removeSync(dir, { recursive: true });
});
