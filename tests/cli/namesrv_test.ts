import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { firstLine, rmq } from "../helpers/rmq.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test("rmq namesrv prints its bound address, serves, and exits 0 on SIGTERM", async () => {
  await using dir = await tempDir();
  const config = `${dir.path}/namesrv.toml`;
  // The file sets a fixed port; the flag overrides it with 0 (any free port).
  await Deno.writeTextFile(config, `listenPort = 9\nkvConfigPath = "${dir.path}/kv.json"\n`);
  const child = rmq([
    "namesrv",
    "-c",
    config,
    "-p",
    "0",
    "--host",
    "127.0.0.1",
    "--log-level",
    "warn",
  ]).spawn();
  try {
    const line = await firstLine(child.stdout);
    const m = /^namesrv listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    assert.ok(m, `start-up line: ${JSON.stringify(line)}`);
    await using client = new RemotingClient();
    const res = await client.invokeSync(
      `127.0.0.1:${m[1]}`,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TopicTest" }),
      3000,
    );
    assert.equal(res.code, ResponseCode.TOPIC_NOT_EXIST);
  } finally {
    child.kill("SIGTERM");
  }
  const { code } = await child.status;
  const stderr = await new Response(child.stderr).text();
  assert.equal(code, 0, stderr);
});

Deno.test("rmq namesrv rejects unknown flags and bad values with one line and exit code 2", async () => {
  for (
    const [args, message] of [
      [["--bogus"], "rmq namesrv: unknown option --bogus (see rmq namesrv --help)"],
      [
        ["-p", "99999"],
        'rmq namesrv: Invalid value for --port: "99999" (expected an integer from 0 to 65535)',
      ],
    ] as const
  ) {
    const out = await rmq(["namesrv", ...args]).output();
    assert.equal(out.code, 2);
    assert.equal(new TextDecoder().decode(out.stderr), `${message}\n`);
    assert.equal(out.stdout.length, 0);
  }
});

Deno.test("rmq namesrv reports a bad config file value as a usage error", async () => {
  await using dir = await tempDir();
  const config = `${dir.path}/namesrv.toml`;
  await Deno.writeTextFile(config, 'brokerChannelExpiredTime = "soon"\n');
  const out = await rmq(["namesrv", "-c", config]).output();
  assert.equal(out.code, 2);
  assert.equal(
    new TextDecoder().decode(out.stderr),
    'rmq namesrv: Invalid value for brokerChannelExpiredTime: "soon" (expected an integer)\n',
  );
});
