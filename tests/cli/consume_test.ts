/**
 * `rmq consume` as a real process (deno run main.ts consume …) against an in-process cluster;
 * and its flag parsing and line format.
 */
import assert from "node:assert/strict";
import { UsageError } from "../../src/common/errors.ts";
import { encodeMessageRecord } from "../../src/common/message/message_codec.ts";
import { decodeMessages } from "../../src/client/message_ext.ts";
import { command, formatMessage, parseConsumeSettings } from "../../src/cli/consume.ts";
import { parseCommandArgs } from "../../src/cli/args.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { sendMany, startProducer } from "../helpers/consumers.ts";
import { rmq, type RmqRun, runRmq } from "../helpers/rmq.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const CONSUME = ["consume", "--log-level", "warn"];

function spawn(args: string[], env: Record<string, string> = {}) {
  return rmq([...CONSUME, ...args], { env }).spawn();
}

/** Runs `rmq consume …` to its end. */
function consume(args: string[], env: Record<string, string> = {}): Promise<RmqRun> {
  return runRmq([...CONSUME, ...args], { env });
}

function settings(args: string[], env: Record<string, string> = {}) {
  return parseConsumeSettings(parseCommandArgs(command, args).values, (n) => env[n]);
}

function committedTotal(cluster: TestCluster, group: string, topic: string, queues: number) {
  const s = cluster.brokers[0].controller.services;
  let n = 0;
  for (let q = 0; q < queues; q++) n += Math.max(0, s.consumerOffsets.queryOffset(group, topic, q));
  return n;
}

Deno.test({
  name: "parseConsumeSettings() reads flags, --from forms and NAMESRV_ADDR",
  permissions: "none",
}, () => {
  const s = settings([
    "-g",
    "g1",
    "-t",
    "T",
    "--tag",
    "A || B",
    "-n",
    "h:1",
    "-c",
    "5",
    "--json",
    "--fail-rate",
    "0.25",
    "--timeout",
    "2s",
  ]);
  assert.equal(s.group, "g1");
  assert.equal(s.topic, "T");
  assert.equal(s.expression, "A || B");
  assert.equal(s.namesrvAddr, "h:1");
  assert.equal(s.count, 5);
  assert.equal(s.json, true);
  assert.equal(s.failRate, 0.25);
  assert.equal(s.timeoutMs, 2000);
  assert.equal(s.consumeFromWhere, "CONSUME_FROM_LAST_OFFSET");
  assert.equal(s.broadcast, false);
  const env = { NAMESRV_ADDR: "e:2" };
  assert.equal(settings(["-g", "g", "-t", "T"], env).namesrvAddr, "e:2");
  assert.equal(
    settings(["-g", "g", "-t", "T", "--from", "first"], env).consumeFromWhere,
    "CONSUME_FROM_FIRST_OFFSET",
  );
  const ms = settings(["-g", "g", "-t", "T", "--from", "1700000000000"], env);
  assert.equal(ms.consumeFromWhere, "CONSUME_FROM_TIMESTAMP");
  assert.equal(ms.consumeTimestamp, 1700000000000);
  const iso = settings(["-g", "g", "-t", "T", "--from", "2023-11-14T22:13:20Z"], env);
  assert.equal(iso.consumeTimestamp, 1700000000000);
});

Deno.test({
  name: "parseConsumeSettings() turns every bad flag into a one-line UsageError",
  permissions: "none",
}, () => {
  const cases: [string[], RegExp][] = [
    [["-g", "g", "-n", "h:1"], /--topic is required/],
    [["-t", "T", "-n", "h:1"], /--group is required/],
    [["-g", "g", "-t", "T"], /no name server/],
    [["-g", "g", "-t", "T", "-n", "h:1", "--from", "soon"], /--from: "soon"/],
    [["-g", "g", "-t", "T", "-n", "h:1", "--fail-rate", "2"], /--fail-rate: "2"/],
    [["-g", "g", "-t", "T", "-n", "h:1", "--tag", "||"], /names no tag/],
    [["-g", "bad group", "-t", "T", "-n", "h:1"], /group "bad group"/],
    [["-g", "g", "-t", "T", "-n", "h:1", "-c", "0"], /--count: "0"/],
    [["-g", "g", "-t", "T", "-n", "h:1", "--timeout", "soon"], /--timeout: "soon"/],
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
  name: "formatMessage() writes one line: text with a quoted body, or JSON with base64",
  permissions: "none",
}, () => {
  const record = (body: Uint8Array) =>
    decodeMessages(
      encodeMessageRecord({
        queueId: 1,
        flag: 0,
        queueOffset: 42,
        physicalOffset: 4096,
        sysFlag: 0,
        bornTimestamp: 1700000000000,
        bornHost: { ip: new Uint8Array([10, 0, 0, 1]), port: 5 },
        storeTimestamp: 1700000000001,
        storeHost: { ip: new Uint8Array([10, 0, 0, 2]), port: 10911 },
        reconsumeTimes: 1,
        preparedTransactionOffset: 0,
        body,
        topic: "T",
        properties: "a\u00011\u0002KEYS\u0001k1 k2\u0002TAGS\u0001A\u0002UNIQ_KEY\u0001ID1\u0002",
      }),
      "broker-a",
    )[0];
  const text = record(new TextEncoder().encode('hi\n"there"'));
  assert.equal(
    formatMessage(text, false),
    'topic=T queue=broker-a:1 offset=42 msgId=ID1 keys=k1,k2 tags=A reconsumeTimes=1 props={"a":"1"} body="hi\\n\\"there\\""',
  );
  const json = JSON.parse(formatMessage(text, true));
  assert.equal(json.bodyText, 'hi\n"there"');
  assert.equal(atob(json.body), 'hi\n"there"');
  assert.deepEqual(json.keys, ["k1", "k2"]);
  assert.equal(json.offsetMsgId, "0A00000200002A9F0000000000001000");
  assert.deepEqual(json.properties, { a: "1", KEYS: "k1 k2", TAGS: "A", UNIQ_KEY: "ID1" });
  const binary = record(new Uint8Array([0xff, 0x00, 0x80]));
  assert.match(formatMessage(binary, false), / body=base64:\/wCA$/);
  assert.equal(JSON.parse(formatMessage(binary, true)).bodyText, undefined);
});

Deno.test("rmq consume --count N prints N messages, commits their offsets and exits 0", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliConsume", { queues: 4 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 30, (i) => ({
    topic: "CliConsume",
    tags: "TagA",
    keys: [`k${i}`],
    properties: { n: String(i) },
    body: `hello ${i}`,
  }));
  const run = await consume(
    ["-g", "cli_g", "-t", "CliConsume", "--count", "30", "--from", "first", "--timeout", "20s"],
    { NAMESRV_ADDR: cluster.namesrvAddr },
  );
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 30, run.stdout);
  const bodies = new Set<string>();
  for (const line of lines) {
    const m =
      /^topic=CliConsume queue=broker-a:(\d) offset=(\d+) msgId=([0-9A-F]{32}) keys=k(\d+) tags=TagA reconsumeTimes=0 props=(\{.*\}) body="(hello \d+)"$/
        .exec(line);
    assert.ok(m, line);
    assert.equal(JSON.parse(m[5]).n, m[4]);
    assert.equal(m[6], `hello ${m[4]}`);
    bodies.add(m[6]);
  }
  assert.equal(bodies.size, 30);
  assert.equal(committedTotal(cluster, "cli_g", "CliConsume", 4), 30);
  // A consumer that is done before its first rebalance round ends says nothing alarming.
  const quick = await consume(
    [
      "-g",
      "cli_g_quick",
      "-t",
      "CliConsume",
      "--count",
      "1",
      "--from",
      "first",
      "--timeout",
      "20s",
    ],
    { NAMESRV_ADDR: cluster.namesrvAddr },
  );
  assert.equal(quick.code, 0, quick.stderr);
  assert.doesNotMatch(quick.stderr, /WRN|no consumer for this group/);
});

Deno.test("rmq consume --json --tag prints only matching messages as JSON lines", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliJson", { queues: 2 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 20, (i) => ({
    topic: "CliJson",
    tags: i % 2 ? "TagB" : "TagA",
    body: `b${i}`,
  }));
  const run = await consume([
    "-n",
    cluster.namesrvAddr,
    "-g",
    "cli_json",
    "-t",
    "CliJson",
    "--from",
    "first",
    "--tag",
    "TagB",
    "--json",
    "-c",
    "10",
    "--timeout",
    "20s",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const objs = run.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(objs.length, 10);
  for (const o of objs) {
    assert.equal(o.tags, "TagB");
    assert.equal(o.topic, "CliJson");
    assert.equal(atob(o.body), o.bodyText);
    assert.equal(Number(o.bodyText.slice(1)) % 2, 1);
  }
});

Deno.test("rmq consume --fail-rate shows failed deliveries coming back through the retry topic", async () => {
  await using cluster = await startCluster({
    broker: { messageDelayLevel: "50ms 50ms 50ms 50ms" },
  });
  await cluster.createTopic("CliFail", { queues: 2 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 20, (i) => ({ topic: "CliFail", body: `f${i}` }));
  const run = await consume([
    "-n",
    cluster.namesrvAddr,
    "-g",
    "cli_fail",
    "-t",
    "CliFail",
    "--from",
    "first",
    "--fail-rate",
    "0.5",
    "-c",
    "20",
    "--timeout",
    "30s",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 20);
  const bodies = lines.map((l) => /body="(f\d+)"$/.exec(l)![1]).sort();
  assert.deepEqual(bodies, Array.from({ length: 20 }, (_, i) => `f${i}`).sort());
  // With 20 first deliveries at 0.5, a failure is all but certain (1 − 2^−20).
  const failures = run.stderr.split("\n").filter((l) => l.includes("failing delivery"));
  assert.ok(failures.length > 0, run.stderr);
  // A redelivered message shows its original topic and a higher reconsumeTimes.
  assert.ok(
    lines.some((l) => /^topic=CliFail .* reconsumeTimes=[1-9]/.test(l)),
    run.stdout,
  );
});

Deno.test("rmq consume --timeout before --count exits 1; SIGINT exits 0", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliStop", { queues: 1 });
  await using producer = await startProducer(cluster);
  await producer.send({ topic: "CliStop", body: "only" });
  const short = await consume([
    "-n",
    cluster.namesrvAddr,
    "-g",
    "cli_stop",
    "-t",
    "CliStop",
    "--from",
    "first",
    "-c",
    "5",
    "--timeout",
    "1500ms",
  ]);
  assert.equal(short.code, 1);
  assert.equal(short.stdout.trimEnd().split("\n").length, 1);
  assert.match(short.stderr, /timed out after 1500 ms with 1 of 5 messages/);

  const child = spawn([
    "-n",
    cluster.namesrvAddr,
    "-g",
    "cli_sig",
    "-t",
    "CliStop",
    "--from",
    "first",
  ]);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 15_000;
  while (!seen.includes("\n") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  assert.match(seen, /body="only"/);
  child.kill("SIGINT");
  while (!(await reader.read()).done) { /* drain until the process closes stdout */ }
  const status = await child.status;
  await child.stderr.cancel();
  assert.equal(status.code, 0);
  assert.equal(committedTotal(cluster, "cli_sig", "CliStop", 1), 1);
});

Deno.test("rmq consume --broadcast keeps its offsets in --offset-dir", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliBcast", { queues: 2 });
  await using dir = await tempDir();
  await using producer = await startProducer(cluster);
  await sendMany(producer, 6, (i) => ({ topic: "CliBcast", body: `x${i}` }));
  const args = [
    "-n",
    cluster.namesrvAddr,
    "-g",
    "cli_bcast",
    "-t",
    "CliBcast",
    "--broadcast",
    "--offset-dir",
    dir.path,
    "--from",
    "first",
    "--quiet",
    "-c",
    "6",
    "--timeout",
    "20s",
  ];
  const run = await consume(args);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^consumed=6 elapsed=\d+\.\d{3}s rate=\d+ msg\/s\n$/);
  const files = [];
  for await (const e of Deno.readDir(dir.path)) files.push(e.name);
  assert.equal(files.length, 1);
  assert.match(files[0], /@DEFAULT$/);
  // Run again: the local offsets say everything was read, so nothing comes before the timeout.
  const again = await consume([...args.slice(0, -4), "-c", "1", "--timeout", "1s"]);
  assert.equal(again.code, 1);
  assert.match(again.stdout, /^consumed=0 /);
});

Deno.test("rmq consume, produce and bench say at once, in one line, that the name server cannot be reached", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${(l.addr as Deno.NetAddr).port}`;
  l.close(); // Nothing listens there now.
  for (
    const args of [
      ["consume", "-g", "g", "-t", "T", "--count", "1"],
      ["produce", "-t", "T", "-b", "x"],
      ["bench", "produce", "-t", "T", "--count", "10"],
    ]
  ) {
    const start = Date.now();
    const run = await runRmq([...args, "-n", addr]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      new RegExp(`^rmq ${args[0]}: cannot reach the name server \\(${addr}: .*refused.*\\)\\n$`),
    );
    assert.ok(Date.now() - start < 10_000);
  }
});

Deno.test("rmq consume --from last / --from TIME start a new group at the end / at the time, not at the backlog", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("CliFrom", { queues: 2 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 4, (i) => ({ topic: "CliFrom", body: `old ${i}` }));
  await new Promise((r) => setTimeout(r, 1100));
  const since = Date.now();
  await sendMany(producer, 2, (i) => ({ topic: "CliFrom", body: `recent ${i}` }));

  const fromTime = await consume(
    [
      "-g",
      "cli_from_time",
      "-t",
      "CliFrom",
      "--from",
      new Date(since).toISOString(),
      "--count",
      "2",
      "--timeout",
      "20s",
    ],
    { NAMESRV_ADDR: cluster.namesrvAddr },
  );
  assert.equal(fromTime.code, 0, fromTime.stderr);
  assert.deepEqual(fromTime.stdout.match(/body="[^"]*"/g)?.sort(), [
    'body="recent 0"',
    'body="recent 1"',
  ]);

  // --from last: nothing of the backlog; a message sent once the group is placed arrives.
  const child = rmq(
    [
      "consume",
      "-g",
      "cli_from_last",
      "-t",
      "CliFrom",
      "--from",
      "last",
      "--count",
      "1",
      "--timeout",
      "20s",
    ],
    { env: { NAMESRV_ADDR: cluster.namesrvAddr } },
  ).spawn();
  const offsets = cluster.brokers[0].controller.services.consumerOffsets;
  const deadline = Date.now() + 15_000;
  while (offsets.queryOffset("cli_from_last", "CliFrom", 0) < 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(committedTotal(cluster, "cli_from_last", "CliFrom", 2), 6, "placed at the end");
  await new Promise((r) => setTimeout(r, 300)); // Its consumer starts pulling.
  await producer.send({ topic: "CliFrom", body: "fresh" });
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.deepEqual(text.match(/body="[^"]*"/g), ['body="fresh"']);

  // A group that already has offsets keeps them.
  const again = await consume(
    ["-g", "cli_from_time", "-t", "CliFrom", "--from", "last", "--count", "1", "--timeout", "20s"],
    { NAMESRV_ADDR: cluster.namesrvAddr },
  );
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /body="fresh"/);
});
