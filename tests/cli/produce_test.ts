/**
 * `rmq produce` as a real process (deno run main.ts produce …) against an in-process cluster,
 * checked through the broker's store; and its flag parsing.
 */
import assert from "node:assert/strict";
import { decodeMessageRecord } from "../../src/common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../../src/common/message/message_id.ts";
import { decodeProperties } from "../../src/common/message/properties.ts";
import { UsageError } from "../../src/common/errors.ts";
import { command, parseProduceSettings, readLines } from "../../src/cli/produce.ts";
import { parseCommandArgs } from "../../src/cli/args.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { runRmq } from "../helpers/rmq.ts";

const dec = new TextDecoder();

/** Runs `rmq produce …`, feeding `stdin` when given. */
function produce(args: string[], stdin?: string, env: Record<string, string> = {}) {
  return runRmq(["produce", "--log-level", "warn", ...args], { stdin, env });
}

/** The stored record behind an offsetMsgId, from the broker's store. */
async function stored(cluster: TestCluster, offsetMsgId: string) {
  const { address, offset } = decodeOffsetMsgId(offsetMsgId);
  const broker = cluster.brokers.find((b) => b.addr === address)!;
  const bytes = await broker.controller.store.lookMessageByOffset(offset);
  assert.ok(bytes, `no record for ${offsetMsgId}`);
  return decodeMessageRecord(bytes);
}

function settings(args: string[], env: Record<string, string> = {}) {
  return parseProduceSettings(parseCommandArgs(command, args).values, (n) => env[n]);
}

Deno.test({
  name: "parseProduceSettings() reads flags, properties and the body source",
  permissions: "none",
}, () => {
  const s = settings(
    ["-t", "T", "--tag", "A", "-k", "k1 k2", "-p", "a=1", "-p", "b=x=y", "-n", "h:1", "--json"],
  );
  assert.equal(s.topic, "T");
  assert.equal(s.namesrvAddr, "h:1");
  assert.equal(s.tags, "A");
  assert.equal(s.keys, "k1 k2");
  assert.deepEqual(s.properties, { a: "1", b: "x=y" });
  assert.deepEqual(s.source, { kind: "stdin" });
  assert.equal(s.mode, "sync");
  assert.equal(s.json, true);
  assert.equal(s.serializeType, "JSON");
  assert.deepEqual(settings(["-t", "T", "-b", "hi"], { NAMESRV_ADDR: "e:2" }).namesrvAddr, "e:2");
  assert.deepEqual(settings(["-t", "T", "-n", "h:1", "-c", "5"]).source, { kind: "generated" });
  assert.deepEqual(settings(["-t", "T", "-n", "h:1", "-f", "x.bin", "-c", "5"]).source, {
    kind: "file",
    path: "x.bin",
  });
  assert.equal(
    settings(["-t", "T", "-n", "h:1", "--mode", "async", "--serialize", "rocketmq"]).serializeType,
    "ROCKETMQ",
  );
});

Deno.test({
  name: "parseProduceSettings() turns every bad flag into a one-line UsageError",
  permissions: "none",
}, () => {
  const cases: [string[], RegExp][] = [
    [["-n", "h:1"], /--topic is required/],
    [["-t", "T"], /no name server: pass --namesrv HOST:PORT or set NAMESRV_ADDR/],
    [["-t", "T", "-n", "h:1", "-p", "novalue"], /--property: "novalue" \(expected k=v\)/],
    [["-t", "T", "-n", "h:1", "-b", "x", "-f", "y"], /--body and --file cannot be used together/],
    [["-t", "T", "-n", "h:1", "-c", "0"], /--count: "0"/],
    [["-t", "T", "-n", "h:1", "--mode", "fast"], /--mode: "fast" \(expected sync, async, oneway\)/],
    [["-t", "bad topic", "-n", "h:1"], /topic "bad topic" has characters/],
    [["-t", "T", "-n", "h:1", "-p", "TAGS=x"], /property name TAGS is reserved/],
    [["-t", "T", "-n", "h:1", "-b", ""], /body is empty/],
    [["-t", "T", "-n", "h:1", "--delay", "19"], /--delay: "19"/],
  ];
  for (const [args, re] of cases) {
    assert.throws(
      () => settings(args),
      (e: unknown) => e instanceof UsageError && re.test(e.message) && !e.message.includes("\n"),
      args.join(" "),
    );
  }
});

Deno.test({
  name: "readLines() splits on \\n and \\r\\n, skips blank lines, keeps a last partial line",
  permissions: "none",
}, async () => {
  const chunks = ["a\r\nb", "b\n\n", "c\n", "d"];
  const stream = ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c)));
  const lines = [];
  for await (const l of readLines(stream)) lines.push(l);
  assert.deepEqual(lines, ["a", "bb", "c", "d"]);
});

Deno.test("rmq produce sends each stdin line as a message, one result line each", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliTopic", { queues: 4 });
  const run = await produce(
    ["--topic", "CliTopic", "--tag", "TagA", "--keys", "k1 k2", "-p", "a=1", "-p", "b=2"],
    "first\nsecond\n\nthird",
    { NAMESRV_ADDR: cluster.namesrvAddr },
  );
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 3, run.stdout);
  const bodies = [];
  for (const line of lines) {
    const m =
      /^SEND_OK msgId=([0-9A-F]{32}) offsetMsgId=([0-9A-F]{32}) queue=broker-a:(\d) queueOffset=(\d+)$/
        .exec(line);
    assert.ok(m, line);
    const rec = await stored(cluster, m[2]);
    bodies.push(dec.decode(rec.body));
    assert.equal(rec.topic, "CliTopic");
    assert.equal(rec.queueId, Number(m[3]));
    assert.equal(rec.queueOffset, Number(m[4]));
    assert.deepEqual({ ...decodeProperties(rec.properties) }, {
      a: "1",
      b: "2",
      KEYS: "k1 k2",
      TAGS: "TagA",
      UNIQ_KEY: m[1],
      CLUSTER: cluster.clusterName,
    });
  }
  assert.deepEqual(bodies, ["first", "second", "third"]);
});

Deno.test("rmq produce --count N --mode async prints one summary and stores N messages", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliCount", { queues: 4 });
  const run = await produce([
    "-n",
    cluster.namesrvAddr,
    "-t",
    "CliCount",
    "--body",
    "hello",
    "--count",
    "300",
    "--mode",
    "async",
    "--json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.sent, 300);
  assert.equal(summary.failed, 0);
  assert.equal(typeof summary.elapsedMs, "number");
  assert.ok(summary.msgPerSec > 0);
  const store = cluster.brokers[0].controller.store;
  let total = 0;
  for (let q = 0; q < 4; q++) {
    const max = store.getMaxOffsetInQueue("CliCount", q);
    total += max;
    for (const e of store.readConsumeQueue("CliCount", q, 0, max)) {
      const rec = decodeMessageRecord((await store.lookMessageByOffset(e.commitLogOffset))!);
      assert.equal(dec.decode(rec.body), "hello");
    }
  }
  assert.equal(total, 300);
});

Deno.test("rmq produce --count in oneway mode, from a file, with text output", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliOneway", { queues: 2 });
  const file = await Deno.makeTempFile({ prefix: "rmq-produce-" });
  try {
    await Deno.writeFile(file, new Uint8Array([0, 1, 2, 255]));
    const run = await produce(
      ["-n", cluster.namesrvAddr, "-t", "CliOneway", "-f", file, "-c", "25", "-m", "oneway"],
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^sent=25 failed=0 elapsed=\d+\.\d{3}s rate=\d+ msg\/s\n$/);
    const store = cluster.brokers[0].controller.store;
    // Oneway sends are stored after the producer has gone; the store catches up at once.
    const deadline = Date.now() + 3000;
    while (
      store.getMaxOffsetInQueue("CliOneway", 0) + store.getMaxOffsetInQueue("CliOneway", 1) < 25
    ) {
      assert.ok(Date.now() < deadline, "oneway messages did not all arrive");
      await new Promise((r) => setTimeout(r, 10));
    }
    const e = store.readConsumeQueue("CliOneway", 0, 0, 1)[0];
    const rec = decodeMessageRecord((await store.lookMessageByOffset(e.commitLogOffset))!);
    assert.deepEqual(rec.body, new Uint8Array([0, 1, 2, 255]));
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("rmq produce exits 1 with a FAILED line when a send fails", async () => {
  await using cluster = await startCluster({ broker: { autoCreateTopicEnable: false } });
  const run = await produce(["-n", cluster.namesrvAddr, "-t", "NoRoute", "-b", "x", "--json"]);
  assert.equal(run.code, 1);
  const line = JSON.parse(run.stdout);
  assert.equal(line.status, "FAILED");
  assert.match(line.error, /no route for topic NoRoute/);
});

Deno.test("rmq produce exits 2 with one line for bad flags or no name server", async () => {
  const bad = await produce(["--topic", "T", "--bogus"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr.trimEnd().split("\n").length, 1);
  assert.match(bad.stderr, /^rmq produce: unknown option --bogus/);
  const injected = await produce([
    "--topic",
    "T",
    "-b",
    "x",
    "--property",
    "k=v\u0002DELAY\u00013",
    "-n",
    "127.0.0.1:1",
  ]);
  assert.equal(injected.code, 2);
  assert.match(injected.stderr, /^rmq produce: .*property value .* contains byte 0x01 or 0x02\n$/);
  const none = await produce(["--topic", "T", "-b", "x"], undefined, { NAMESRV_ADDR: "" });
  assert.equal(none.code, 2);
  assert.equal(
    none.stderr,
    "rmq produce: no name server: pass --namesrv HOST:PORT or set NAMESRV_ADDR\n",
  );
});

Deno.test("rmq produce and consume sign with --access-key (or the env) and connect with --tls-ca", async () => {
  const tlsDir = new URL("../fixtures/tls/", import.meta.url).pathname;
  const dir = await Deno.makeTempDir({ prefix: "rmq-cli-acl-" });
  try {
    const aclFile = `${dir}/plain_acl.yml`;
    await Deno.writeTextFile(
      aclFile,
      "accounts:\n- accessKey: cliAdmin1\n  secretKey: cli-secret\n  admin: true\n",
    );
    const tls = {
      tlsServerMode: "enforcing" as const,
      tlsServerCertPath: `${tlsDir}server.pem`,
      tlsServerKeyPath: `${tlsDir}server.key`,
    };
    await using cluster = await startCluster({
      namesrv: tls,
      broker: {
        ...tls,
        aclEnable: true,
        aclFile,
        tlsEnable: true,
        tlsClientTrustCertPath: `${tlsDir}ca.pem`,
      },
    });
    const ns = ["--namesrv", cluster.namesrvAddr, "--tls-ca", `${tlsDir}ca.pem`];
    const sent = await runRmq(
      [
        "produce",
        "-t",
        "CliAcl",
        "-b",
        "signed",
        "--access-key",
        "cliAdmin1",
        "--secret-key",
        "cli-secret",
        ...ns,
      ],
    );
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^SEND_OK /);
    const unsigned = await runRmq(["produce", "-t", "CliAcl", "-b", "x", ...ns]);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stdout, /No accessKey is configured/);
    const got = await runRmq(
      [
        "consume",
        "-t",
        "CliAcl",
        "-g",
        "CliAclGroup",
        "--from",
        "first",
        "--count",
        "1",
        "--timeout",
        "20s",
        ...ns,
      ],
      { env: { RMQ_ACCESS_KEY: "cliAdmin1", RMQ_SECRET_KEY: "cli-secret" } },
    );
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /signed/);
    const half = await runRmq([
      "produce",
      "-t",
      "CliAcl",
      "-b",
      "x",
      "--access-key",
      "cliAdmin1",
      ...ns,
    ]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--access-key and --secret-key go together/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
