import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createResponse } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startNamesrv } from "../helpers/namesrv.ts";
import { startServer } from "../helpers/remoting.ts";
import { firstLine, rmq } from "../helpers/rmq.ts";
import { sendHeader, sendRequest, utf8, viewMessage } from "../helpers/send.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { verifyStore } from "../helpers/verify_store.ts";

for (const via of ["flag", "env"] as const) {
  Deno.test(`rmq broker registers (namesrv by ${via}), serves, and unregisters on SIGTERM`, async () => {
    await using ns = await startNamesrv();
    await using dir = await tempDir();
    const unregistered: string[] = [];
    const routes = ns.controller.routes;
    const unregister = routes.unregisterBroker.bind(routes);
    routes.unregisterBroker = (cluster, addr, name, id) => {
      unregistered.push(addr);
      return unregister(cluster, addr, name, id);
    };
    const args = [
      "broker",
      "-p",
      "0",
      "--host",
      "127.0.0.1",
      "--broker-ip",
      "127.0.0.1",
      "--store",
      `${dir.path}/store`,
      "--log-level",
      "warn",
      ...(via === "flag" ? ["-n", ns.addr] : []),
    ];
    const child = rmq(args, { env: via === "env" ? { NAMESRV_ADDR: ns.addr } : {} }).spawn();
    let addr = "";
    try {
      const line = await firstLine(child.stdout);
      const m = /^broker listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      assert.ok(m, `start-up line: ${JSON.stringify(line)}`);
      addr = `127.0.0.1:${m[1]}`;
      const info = routes.getAllClusterInfo();
      assert.equal(
        info.brokerAddrTable.get(info.clusterAddrTable.get("DefaultCluster")![0])
          ?.brokerAddrs.get(0),
        addr,
        "registered before the line was printed",
      );
      await using client = new RemotingClient();
      const res = await client.invokeSync(
        addr,
        sendRequest(sendHeader("CliTopic"), utf8("hi")),
        3000,
      );
      assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
      assert.deepEqual((await viewMessage(client, res.extFields.msgId)).body, utf8("hi"));
    } finally {
      child.kill("SIGTERM");
    }
    const { code } = await child.status;
    const stderr = await new Response(child.stderr).text();
    assert.equal(code, 0, stderr);
    assert.deepEqual(unregistered, [addr]);
    assert.equal(routes.getAllClusterInfo().brokerAddrTable.size, 0);
    // Graceful: the store was closed cleanly (no abort marker) and topics.json written.
    await assert.rejects(Deno.stat(`${dir.path}/store/abort`), Deno.errors.NotFound);
    assert.match(await Deno.readTextFile(`${dir.path}/store/config/topics.json`), /"CliTopic"/);
    assert.equal(verifyStore({ storePathRootDir: `${dir.path}/store` }).records, 1);
  });
}

Deno.test("rmq broker reports bad flags and config values with one line and exit code 2", async () => {
  await using dir = await tempDir();
  const config = `${dir.path}/broker.toml`;
  await Deno.writeTextFile(config, 'flushDiskType = "SOMETIMES"\n');
  for (
    const [args, message] of [
      [["--bogus"], "rmq broker: unknown option --bogus (see rmq broker --help)"],
      [
        ["-p", "70000"],
        'rmq broker: Invalid value for --port: "70000" (expected an integer from 0 to 65535)',
      ],
      [
        ["-c", config],
        'rmq broker: Invalid value for flushDiskType: "SOMETIMES" (expected ASYNC_FLUSH or SYNC_FLUSH)',
      ],
    ] as const
  ) {
    const out = await rmq(["broker", ...args]).output();
    assert.equal(out.code, 2);
    assert.equal(new TextDecoder().decode(out.stderr), `${message}\n`);
    assert.equal(out.stdout.length, 0);
  }
});

Deno.test("rmq broker exits 1 with one line when its port is taken", async () => {
  await using dir = await tempDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  const out = await rmq([
    "broker",
    "-p",
    String(port),
    "--host",
    "127.0.0.1",
    "--store",
    dir.path,
    "--log-level",
    "error",
  ]).output();
  assert.equal(out.code, 1);
  assert.match(
    new TextDecoder().decode(out.stderr),
    new RegExp(`^rmq broker: Cannot listen on 127\\.0\\.0\\.1:${port}: .+\\n$`),
  );
});

Deno.test("rmq broker finishes its shutdown on a second SIGINT; a third forces the exit", async () => {
  for (const [signals, code] of [[2, 0], [3, 130]] as const) {
    // A name server slow to take the unregistration holds the shutdown's last step open.
    await using ns = startServer({
      [RequestCode.REGISTER_BROKER]: (req) => createResponse(req, ResponseCode.SUCCESS),
      [RequestCode.UNREGISTER_BROKER]: async (req) => {
        await new Promise((r) => setTimeout(r, 1500));
        return createResponse(req, ResponseCode.SUCCESS);
      },
    });
    await using dir = await tempDir();
    const child = rmq([
      "broker",
      ...["-n", ns.addr, "-p", "0", "--host", "127.0.0.1", "--store", `${dir.path}/store`],
    ]).spawn();
    assert.match(await firstLine(child.stdout), /^broker listening on /);
    child.kill("SIGINT");
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/Received "?SIGINT/.test(text)) {
      const { value, done } = await stderr.read();
      if (done) break;
      text += value;
    }
    for (let i = 1; i < signals; i++) {
      await new Promise((r) => setTimeout(r, 50)); // Signals sent back to back merge into one.
      child.kill("SIGINT");
    }
    while (true) {
      const { value, done } = await stderr.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    assert.equal(status.code, code, text);
    assert.match(text, signals === 2 ? /still shutting down/ : /a third time: exiting now/);
    await assert.rejects(Deno.stat(`${dir.path}/store/abort`), Deno.errors.NotFound);
  }
});
