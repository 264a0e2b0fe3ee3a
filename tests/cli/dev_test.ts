import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { decodeTopicRouteData } from "../../src/remoting/body/topic_route_data.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { sendHeader, sendRequest, utf8 } from "../helpers/send.ts";
import { firstLine, rmq } from "../helpers/rmq.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { verifyStore } from "../helpers/verify_store.ts";

Deno.test("rmq dev prints NAMESRV_ADDR once name server and broker serve, and exits 0", async () => {
  await using dir = await tempDir();
  const child = rmq([
    "dev",
    "-p",
    "0",
    "--broker-port",
    "0",
    "--store",
    `${dir.path}/data`,
    "--log-level",
    "warn",
  ]).spawn();
  try {
    const line = await firstLine(child.stdout);
    const m = /^NAMESRV_ADDR=(127\.0\.0\.1:\d+)$/.exec(line);
    assert.ok(m, `start-up line: ${JSON.stringify(line)}`);
    await using client = new RemotingClient();
    const route = await client.invokeSync(
      m[1],
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TBW102" }),
      3000,
    );
    assert.equal(route.code, ResponseCode.SUCCESS, route.remark);
    const brokerAddr = decodeTopicRouteData(route.body!).brokerDatas[0].brokerAddrs.get(0)!;
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
  assert.ok((await Deno.stat(`${dir.path}/data/commitlog`)).isDirectory);
  assert.equal(verifyStore({ storePathRootDir: `${dir.path}/data` }).records, 1);
});

Deno.test("rmq dev stops gracefully on a SIGTERM sent right after its NAMESRV_ADDR line", async () => {
  await using dir = await tempDir();
  const child = rmq(["dev", "-p", "0", "--broker-port", "0", "--store", dir.path]).spawn();
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
