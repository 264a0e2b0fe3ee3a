/**
 * Remoting micro-benchmarks: `deno bench -A tests/bench/remoting_bench.ts`.
 *
 * - frame codec: one SEND_MESSAGE_V2 frame with a 1 KiB body encoded and decoded per iteration,
 *   so iterations/s is frames/s (JSON and ROCKETMQ headers);
 * - round trips over loopback between a RemotingServer and a RemotingClient on 127.0.0.1:0,
 *   with 1 and 64 calls in flight. Each iteration is a fixed batch of calls (named in the bench),
 *   so calls/s = batch / time per iteration. Server and client are made before `b.start()` and
 *   closed after `b.end()` in every iteration, so nothing outlives the run.
 */
import { createRequest, createResponse, SerializeType } from "../../src/remoting/command.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { decodeFrame, encodeFrame } from "../../src/remoting/frame_codec.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import { SendMessageRequestHeaderV2 } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { RemotingServer } from "../../src/remoting/server.ts";

const BODY = new Uint8Array(1024).map((_, i) => i & 0xff);

function sendRequest(serializeType: SerializeType) {
  const ext = encodeHeader(SendMessageRequestHeaderV2, {
    producerGroup: "bench_producer_group",
    topic: "BenchTopic",
    defaultTopic: "TBW102",
    defaultTopicQueueNums: 4,
    queueId: 3,
    sysFlag: 0,
    bornTimestamp: 1700000000000,
    flag: 0,
    properties:
      "KEYS\u0001order-42\u0002UNIQ_KEY\u00017F0000010001000000000000000000AB\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002",
    reconsumeTimes: 0,
    unitMode: false,
    batch: false,
    brokerName: "broker-a",
  });
  return createRequest(RequestCode.SEND_MESSAGE_V2, ext, { body: BODY, serializeType });
}

for (
  const [name, type] of [["JSON", SerializeType.JSON], [
    "ROCKETMQ",
    SerializeType.ROCKETMQ,
  ]] as const
) {
  const cmd = sendRequest(type);
  Deno.bench({
    name: `frame encode+decode, SEND_MESSAGE_V2 1 KiB body, ${name} header`,
    group: "frame codec",
    fn() {
      const frame = encodeFrame(cmd);
      if (decodeFrame(frame).body?.length !== 1024) throw new Error("Bad round trip");
    },
  });
}

const SEND_OK_EXT = {
  msgId: "7F00000100002A9F0000000000001234",
  queueId: "3",
  queueOffset: "42",
};

function startPair() {
  const server = new RemotingServer({ hostname: "127.0.0.1", port: 0, name: "bench" });
  server.registerProcessor(
    RequestCode.SEND_MESSAGE_V2,
    (req) => createResponse(req, ResponseCode.SUCCESS, undefined, SEND_OK_EXT),
  );
  const addr = `127.0.0.1:${server.listen().port}`;
  const client = new RemotingClient({ name: "bench" });
  return { server, client, addr };
}

const SEQUENTIAL_CALLS = 2000;
const IN_FLIGHT = 64;
const CALLS_PER_WORKER = 100; // 64 × 100 = 6400 calls per iteration

async function roundTrips(inFlight: number, perWorker: number, b: Deno.BenchContext) {
  const { server, client, addr } = startPair();
  try {
    await client.invokeSync(addr, sendRequest(SerializeType.JSON), 3000); // connect first
    b.start();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      for (let i = 0; i < perWorker; i++) {
        const res = await client.invokeSync(addr, sendRequest(SerializeType.JSON), 3000);
        if (res.code !== ResponseCode.SUCCESS) throw new Error(`Bad response ${res.code}`);
      }
    }));
    b.end();
  } finally {
    await client.close();
    server.close();
  }
}

Deno.bench({
  name: `round trips over loopback, 1 in flight (${SEQUENTIAL_CALLS} calls/iter)`,
  group: "round trips",
  n: 15,
  warmup: 2,
  // An async function: deno bench only awaits functions declared async.
  async fn(b) {
    await roundTrips(1, SEQUENTIAL_CALLS, b);
  },
});

Deno.bench({
  name: `round trips over loopback, ${IN_FLIGHT} in flight (${
    IN_FLIGHT * CALLS_PER_WORKER
  } calls/iter)`,
  group: "round trips",
  n: 15,
  warmup: 2,
  async fn(b) {
    await roundTrips(IN_FLIGHT, CALLS_PER_WORKER, b);
  },
});
