/**
 * Topic creation one at a time, as `mqadmin updateTopic` does it (the project's issue 15):
 * `rmq namesrv` and `rmq broker` as separate processes, UPDATE_AND_CREATE_TOPIC sent and
 * answered --topics times in a row; prints the time per create over each thousand and in all,
 * and checks the name server has every route at the end.
 *
 *   deno run -A tests/bench/topic_creation.ts [--topics 10000] [--limit 400]
 */
import { parseArgs } from "node:util";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import { CreateTopicRequestHeader } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startRmq } from "../helpers/rmq.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    topics: { type: "string", default: "10000" },
    limit: { type: "string", default: "400" },
  },
});
const TOPICS = Number(values.topics);
const LIMIT_MS = Number(values.limit) * 1000;

const ns = await startRmq(["namesrv", "-p", "0", "--host", "127.0.0.1"], /listening on \S+/);
const nsAddr = ns.line.split(" ").pop()!;
const store = await Deno.makeTempDir({ prefix: "rmq-topics-" });
const broker = await startRmq(
  ["broker", "-n", nsAddr, "-p", "0", "--host", "127.0.0.1", "--store", store],
  /listening on \S+/,
);
const brokerAddr = broker.line.split(" ").pop()!;
const client = new RemotingClient();
try {
  const begin = performance.now();
  let lap = begin;
  let created = 0;
  for (let i = 0; i < TOPICS && performance.now() - begin < LIMIT_MS; i++) {
    const header = encodeHeader(CreateTopicRequestHeader, {
      topic: `BenchTopic${i}`,
      defaultTopic: "TBW102",
      readQueueNums: 8,
      writeQueueNums: 8,
      perm: 6,
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: 0,
      order: false,
    });
    const res = await client.invokeSync(
      brokerAddr,
      createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, header),
      30_000,
    );
    if (res.code !== ResponseCode.SUCCESS) throw new Error(`create failed: ${res.remark}`);
    created++;
    if (created % 1000 === 0) {
      const now = performance.now();
      console.log(
        `${created} topics: ${((now - lap) / 1000).toFixed(2)} ms per create over the last 1000`,
      );
      lap = now;
    }
  }
  const total = performance.now() - begin;
  const route = await client.invokeSync(
    nsAddr,
    createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: `BenchTopic${created - 1}` }),
    5000,
  );
  console.log(
    `created ${created} topics in ${(total / 1000).toFixed(1)} s ` +
      `(${(total / created).toFixed(2)} ms each); last route ${
        route.code === ResponseCode.SUCCESS ? "found" : "missing"
      }`,
  );
} finally {
  await client.close();
  broker.child.kill("SIGTERM");
  await broker.child.status;
  ns.child.kill("SIGTERM");
  await ns.child.status;
  await Deno.remove(store, { recursive: true });
}
