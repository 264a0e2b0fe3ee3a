import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { decodeTopicRouteData } from "../../src/remoting/body/topic_route_data.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import { UpdateConsumerOffsetRequestHeader } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { sendHeader, sendRequest, utf8 } from "../helpers/send.ts";
import { firstLine, rmq } from "../helpers/rmq.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { bodies, pullRequest } from "../helpers/consume.ts";
import { waitUntil } from "../helpers/wait.ts";
import { verifyStore } from "../helpers/verify_store.ts";

/** Waits for `rmq dev`'s start-up line and returns its broker addresses by id, from the route. */
async function devBrokers(
  stdout: ReadableStream<Uint8Array>,
  client: RemotingClient,
): Promise<Map<number, string>> {
  const line = await firstLine(stdout);
  const m = /^NAMESRV_ADDR=(127\.0\.0\.1:\d+)$/.exec(line);
  assert.ok(m, `start-up line: ${JSON.stringify(line)}`);
  const route = await client.invokeSync(
    m[1],
    createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TBW102" }),
    3000,
  );
  assert.equal(route.code, ResponseCode.SUCCESS, route.remark);
  return decodeTopicRouteData(route.body!).brokerDatas[0].brokerAddrs;
}

Deno.test("rmq dev prints NAMESRV_ADDR once name server and broker serve, and exits 0", async () => {
  await using dir = await tempDir();
  const child = rmq([
    "dev",
    "-p",
    "0",
    "--broker-port",
    "0",
    "--dashboard-port",
    "0",
    "--store",
    `${dir.path}/data`,
    "--log-level",
    "warn",
  ]).spawn();
  try {
    await using client = new RemotingClient();
    const brokerAddr = (await devBrokers(child.stdout, client)).get(0)!;
    // Topics are created on first send.
    const res = await client.invokeSync(
      brokerAddr,
      sendRequest(sendHeader("DevTopic"), utf8("hello")),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  } finally {
    child.kill("SIGTERM");
  }
  const { code } = await child.status;
  const stderr = await new Response(child.stderr).text();
  assert.equal(code, 0, stderr);
  // A person gets a line that says what runs where and how to stop it.
  assert.match(
    stderr,
    /^rmq dev ready: name server 127\.0\.0\.1:\d+, broker 127\.0\.0\.1:\d+, store .*\/data, dashboard http:\/\/127\.0\.0\.1:\d+\/\. Stop with Ctrl-C\.$/m,
  );
  assert.ok((await Deno.stat(`${dir.path}/data/commitlog`)).isDirectory);
  assert.equal(verifyStore({ storePathRootDir: `${dir.path}/data` }).records, 1);
});

Deno.test("rmq dev stops gracefully on a SIGTERM sent right after its NAMESRV_ADDR line", async () => {
  await using dir = await tempDir();
  const child = rmq(["dev", "-p", "0", "--broker-port", "0", "--no-dashboard", "--store", dir.path])
    .spawn();
  const line = await firstLine(child.stdout);
  child.kill("SIGTERM");
  const { code } = await child.status;
  const stderr = await new Response(child.stderr).text();
  assert.match(line, /^NAMESRV_ADDR=/);
  assert.equal(code, 0, stderr);
  await assert.rejects(
    Deno.stat(`${dir.path}/abort`),
    Deno.errors.NotFound,
    "store closed cleanly",
  );
});

Deno.test("Ctrl-C of `deno task start` shuts down cleanly and keeps the offsets just committed", async () => {
  await using dir = await tempDir();
  const root = new URL("../..", import.meta.url).pathname;
  // A terminal's Ctrl-C signals the whole foreground process group: `deno task` and the
  // broker under it, which then gets SIGINT twice (the terminal's, and deno task's).
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "start", "-p", "0", "--broker-port", "0", "--store", dir.path],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  let stderr = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void (stderr += t) }),
  );
  try {
    await using client = new RemotingClient();
    const brokerAddr = (await devBrokers(child.stdout, client)).get(0)!;
    for (let i = 0; i < 3; i++) {
      const res = await client.invokeSync(
        brokerAddr,
        sendRequest(sendHeader("CtrlC"), utf8("m")),
        3000,
      );
      assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    }
    const commit = await client.invokeSync(
      brokerAddr,
      createRequest(
        RequestCode.UPDATE_CONSUMER_OFFSET,
        encodeHeader(UpdateConsumerOffsetRequestHeader, {
          consumerGroup: "CtrlCGroup",
          topic: "CtrlC",
          queueId: 0,
          commitOffset: 3,
        }),
      ),
      3000,
    );
    assert.equal(commit.code, ResponseCode.SUCCESS, commit.remark);
    Deno.kill(-child.pid, "SIGINT");
  } catch (e) {
    Deno.kill(-child.pid, "SIGKILL");
    throw e;
  }
  const { code } = await child.status;
  await stderrDone;
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /exiting now/);
  await assert.rejects(
    Deno.stat(`${dir.path}/abort`),
    Deno.errors.NotFound,
    "store closed cleanly",
  );
  const offsets = await Deno.readTextFile(`${dir.path}/config/consumerOffset.json`);
  assert.match(offsets, /"CtrlC@CtrlCGroup":\{0:3\}/);
  assert.equal(verifyStore({ storePathRootDir: dir.path }).records, 3);
});

Deno.test("rmq dev --slave runs a slave that replicates the broker and serves its messages", async () => {
  await using dir = await tempDir();
  const child = rmq([
    "dev",
    ...["-p", "0", "--broker-port", "0", "--no-dashboard", "--store", dir.path, "--slave"],
    ...["--log-level", "warn"],
  ]).spawn();
  try {
    await using client = new RemotingClient();
    const addrs = await devBrokers(child.stdout, client);
    assert.deepEqual([...addrs.keys()], [0, 1]);
    const res = await client.invokeSync(
      addrs.get(0)!,
      sendRequest(sendHeader("DevSlave"), utf8("replicated")),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    let got: string[] = [];
    await waitUntil("the message on the slave", async () => {
      const pulled = await client.invokeSync(
        addrs.get(1)!,
        pullRequest({ consumerGroup: "g", topic: "DevSlave", queueId: 0 }),
        3000,
      );
      got = pulled.code === ResponseCode.SUCCESS ? bodies(pulled) : [];
      return got.length > 0;
    }, 10_000);
    assert.deepEqual(got, ["replicated"]);
  } finally {
    child.kill("SIGTERM");
  }
  const { code } = await child.status;
  assert.equal(code, 0, await new Response(child.stderr).text());
  verifyStore({ storePathRootDir: `${dir.path}/slave` });
});
