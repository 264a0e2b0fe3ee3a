import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import RemotingCommandJs from "ali-ons/lib/protocol/command/remoting_command.js";
import type { Channel } from "../../src/remoting/channel.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import {
  createRequest,
  createResponse,
  isResponse,
  type RemotingCommand,
  RemotingFlag,
  SerializeType,
} from "../../src/remoting/command.ts";
import { RemotingClosedError } from "../../src/remoting/errors.ts";
import { decodeFrame, encodeFrame, MAX_FRAME_LENGTH } from "../../src/remoting/frame_codec.ts";
import { FrameReader } from "../../src/remoting/frame_reader.ts";
import { HeaderError } from "../../src/remoting/header_codec.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  type Processor,
  RemotingServer,
} from "../../src/remoting/server.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";
import { captureLogs, RawConn, startServer, within } from "../helpers/remoting.ts";

const ALIONS_SEND_V2_REQUEST = loadHexFixture("frame_alions_send_v2_request.hex");

const ECHO = 1000;
const ASYNC_ECHO = 1001;

/** Answers with the request's extFields and body, remark "echo <code>". */
const echo: Processor = (req) =>
  createResponse(req, ResponseCode.SUCCESS, `echo ${req.code}`, { ...req.extFields }, req.body);
const asyncEcho: Processor = async (req) => {
  await Promise.resolve();
  return echo(req, undefined as unknown as Channel);
};

function frameBytes(...cmds: RemotingCommand[]): Uint8Array {
  const frames = cmds.map(encodeFrame);
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let pos = 0;
  for (const f of frames) {
    out.set(f, pos);
    pos += f.length;
  }
  return out;
}

/** Splits bytes a server sent into frames; throws if they are not a whole number of frames. */
function framesIn(bytes: Uint8Array): RemotingCommand[] {
  const reader = new FrameReader();
  reader.push(bytes);
  const out: RemotingCommand[] = [];
  let cmd: RemotingCommand | undefined;
  while ((cmd = reader.next()) !== undefined) out.push(cmd);
  assert.equal(reader.buffered, 0, "server sent a partial frame");
  return out;
}

Deno.test("RemotingServer dispatches by code through its processor table", async () => {
  await using s = startServer({ [ECHO]: echo });
  s.server.registerProcessors(new Map([[ASYNC_ECHO, asyncEcho]]));
  await using client = new RemotingClient();
  for (const code of [ECHO, ASYNC_ECHO]) {
    const res = await client.invokeSync(s.addr, createRequest(code, { k: "v" }), 2000);
    assert.equal(res.code, ResponseCode.SUCCESS);
    assert.equal(res.remark, `echo ${code}`);
    assert.deepEqual(res.extFields, { k: "v" });
  }
});

Deno.test("RemotingServer answers an unknown code REQUEST_CODE_NOT_SUPPORTED naming it", async () => {
  await using s = startServer({ [ECHO]: echo });
  using raw = await RawConn.connect(s.port);
  for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
    const req = createRequest(9999, {}, { serializeType });
    await raw.write(encodeFrame(req));
    const res = await raw.readFrame();
    assert.equal(res.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    assert.equal(res.remark, " request type 9999 not supported");
    assert.equal(res.opaque, req.opaque);
    assert.equal(res.flag, RemotingFlag.RESPONSE);
    assert.equal(res.serializeType, serializeType);
  }
});

Deno.test("RemotingServer writes each response in its request's serialize type", async () => {
  await using s = startServer({ [ECHO]: echo });
  using raw = await RawConn.connect(s.port);
  const json = createRequest(ECHO, { t: "json" });
  const binary = createRequest(ECHO, { t: "binary" }, { serializeType: SerializeType.ROCKETMQ });
  await raw.write(frameBytes(binary, json, binary));
  const types = [];
  for (let i = 0; i < 3; i++) {
    const res = await raw.readFrame();
    types.push([res.serializeType, res.extFields.t]);
  }
  assert.deepEqual(types, [[1, "binary"], [0, "json"], [1, "binary"]]);
});

Deno.test("RemotingServer answers ali-ons's frame in JSON that ali-ons's decoder reads", async () => {
  await using s = startServer({ [RequestCode.SEND_MESSAGE_V2]: echo });
  using raw = await RawConn.connect(s.port);
  await raw.write(ALIONS_SEND_V2_REQUEST);
  const frames: Uint8Array[] = [];
  const res = await raw.readFrame();
  frames.push(encodeFrame(res));
  const js = RemotingCommandJs.decode(Buffer.from(frames[0]));
  assert.equal(js.opaque, 7);
  assert.equal(js.isResponseType, true);
  assert.equal(js.code, ResponseCode.SUCCESS);
  // ali-ons's raw numbers come back as strings (REMOTING.md §1.2).
  assert.equal(js.extFields.e, "0");
  assert.equal(js.extFields.k, "false");
  assert.equal(Buffer.from(js.body).toString(), "Hello RocketMQ");
});

Deno.test("RemotingServer never answers a oneway request, known code or not", async () => {
  const seen: RemotingCommand[] = [];
  await using s = startServer({
    [ECHO]: (req, ch) => {
      seen.push(req);
      return echo(req, ch);
    },
  });
  using raw = await RawConn.connect(s.port);
  const normal = createRequest(ECHO, { n: "1" });
  await raw.write(frameBytes(
    createRequest(ECHO, { n: "oneway" }, { oneway: true }),
    createRequest(9999, {}, { oneway: true }),
    createRequest(ECHO, { n: "oneway binary" }, { oneway: true, serializeType: 1 }),
    normal,
  ));
  const res = await raw.readFrame();
  assert.equal(res.opaque, normal.opaque);
  assert.deepEqual(seen.map((r) => r.extFields.n), ["oneway", "oneway binary", "1"]);
  raw.conn.closeWrite();
  assert.deepEqual((await raw.readToEnd()).bytes, new Uint8Array(0));
});

Deno.test("RemotingServer processes one connection's requests concurrently", async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => release = r);
  await using s = startServer({
    [ECHO]: echo,
    [ASYNC_ECHO]: async (req) => {
      await held;
      return createResponse(req, ResponseCode.SUCCESS, "released");
    },
  });
  await using client = new RemotingClient();
  const slow = client.invokeSync(s.addr, createRequest(ASYNC_ECHO), 5000);
  let slowDone = false;
  slow.then(() => slowDone = true, () => slowDone = true);
  for (let i = 0; i < 5; i++) {
    const fast = await client.invokeSync(s.addr, createRequest(ECHO, { i: String(i) }), 2000);
    assert.equal(fast.extFields.i, String(i));
  }
  assert.equal(slowDone, false);
  assert.equal(s.server.inflight, 1);
  assert.equal(s.server.channels.size, 1);
  release();
  assert.equal((await slow).remark, "released");
  assert.equal(s.server.inflight, 0);
});

Deno.test("RemotingServer answers all of N requests written in one burst", async () => {
  await using s = startServer({ [ECHO]: echo });
  using raw = await RawConn.connect(s.port);
  const reqs = Array.from(
    { length: 200 },
    (_, i) => createRequest(ECHO, { i: String(i) }, { serializeType: (i % 2) as 0 | 1 }),
  );
  await raw.write(frameBytes(...reqs));
  const got: RemotingCommand[] = [];
  for (let i = 0; i < reqs.length; i++) got.push(await raw.readFrame());
  assert.deepEqual(got.map((r) => r.opaque), reqs.map((r) => r.opaque));
  assert.deepEqual(got.map((r) => r.extFields.i), reqs.map((r) => r.extFields.i));
});

Deno.test("RemotingServer answers SYSTEM_ERROR with the message when a processor fails", async () => {
  using logs = captureLogs();
  await using s = startServer({
    1: () => {
      throw new Error("sync boom\nsecond line");
    },
    2: () => Promise.reject(new TypeError("async boom")),
    3: () => {
      throw new HeaderError("Missing header field topic");
    },
  });
  await using client = new RemotingClient();
  const remarks = [];
  for (const code of [1, 2, 3]) {
    const res = await client.invokeSync(s.addr, createRequest(code), 2000);
    assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
    remarks.push(res.remark);
  }
  assert.deepEqual(remarks, ["sync boom", "async boom", "Missing header field topic"]);
  // A bad header is the client's fault, not worth an error line; the others are logged.
  assert.equal(logs.matching("error", "Processor for code").length, 2);
  assert.equal(s.server.inflight, 0);
});

Deno.test("RemotingServer echoes a 4 MiB body through real socket partial reads and writes", async () => {
  await using s = startServer({ [ECHO]: echo });
  const body = crypto.getRandomValues(new Uint8Array(64 * 1024)).slice();
  const big = new Uint8Array(4 << 20);
  for (let i = 0; i < big.length; i += body.length) big.set(body, i);
  for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
    const c = new RemotingClient({ serializeType });
    const res = await c.invokeSync(s.addr, createRequest(ECHO, {}, { body: big }), 5000);
    assert.equal(res.serializeType, serializeType);
    assert.deepEqual(res.body, big);
    await c.close();
  }
});

Deno.test("RemotingServer tells processors about closed connections", async () => {
  const seen: Channel[] = [];
  const closedByEvent: Channel[] = [];
  let opened = 0;
  await using s = startServer({
    [ECHO]: (req, ch) => {
      seen.push(ch);
      return echo(req, ch);
    },
  });
  s.server.onChannelOpen(() => opened++);
  s.server.onChannelClose((ch) => closedByEvent.push(ch));
  const client = new RemotingClient();
  await client.invokeSync(s.addr, createRequest(ECHO), 2000);
  assert.equal(opened, 1);
  const ch = seen[0];
  assert.equal(ch.isClosed, false);
  assert.ok(s.server.channels.has(ch));
  await client.close();
  await within(ch.closed, 1000, "server channel to close");
  assert.deepEqual(closedByEvent, [ch]);
  assert.equal(ch.closeReason, "peer closed the connection");
  assert.equal(s.server.channels.size, 0);
});

Deno.test("RemotingServer keeps going when a channel-close listener throws", async () => {
  using logs = captureLogs();
  await using s = startServer({ [ECHO]: echo });
  const calls: string[] = [];
  s.server.onChannelClose(() => {
    calls.push("first");
    throw new Error("listener bug");
  });
  s.server.onChannelClose(() => calls.push("second"));
  using raw = await RawConn.connect(s.port);
  await raw.write(encodeFrame(createRequest(ECHO)));
  await raw.readFrame();
  raw.close();
  await within(waitFor(() => calls.length === 2), 1000, "close listeners");
  assert.deepEqual(calls, ["first", "second"]);
  assert.equal(logs.matching("error", "Channel-close listener failed").length, 1);
  await using client = new RemotingClient();
  assert.equal((await client.invokeSync(s.addr, createRequest(ECHO), 2000)).code, 0);
});

Deno.test("RemotingServer keeps accepting when a channel-open listener throws", async () => {
  using logs = captureLogs();
  await using s = startServer({ [ECHO]: echo });
  s.server.onChannelOpen(() => {
    throw new Error("listener bug");
  });
  for (let i = 0; i < 2; i++) {
    await using client = new RemotingClient();
    const res = await client.invokeSync(s.addr, createRequest(ECHO, { i: String(i) }), 2000);
    assert.equal(res.extFields.i, String(i));
  }
  assert.equal(logs.matching("error", "Channel-open listener failed").length, 2);
});

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

Deno.test("RemotingServer closes idle connections and keeps busy ones", async () => {
  const closed: Channel[] = [];
  await using s = startServer({ [ECHO]: echo }, { idleTimeoutMs: 250, idleScanIntervalMs: 20 });
  s.server.onChannelClose((ch) => closed.push(ch));
  let opened = 0;
  s.server.onChannelOpen(() => opened++);
  using idle = await RawConn.connect(s.port);
  await using busy = new RemotingClient();
  const start = Date.now();
  const idleEnd = idle.readToEnd(2000);
  // The busy connection talks every 20 ms for well over the idle timeout.
  while (Date.now() - start < 600) {
    await busy.invokeSync(s.addr, createRequest(ECHO), 2000);
    await new Promise((r) => setTimeout(r, 20));
  }
  const end = await idleEnd;
  assert.equal(end.bytes.length, 0);
  assert.ok(Date.now() - start >= 250);
  assert.equal(opened, 2);
  assert.equal(closed.length, 1);
  assert.equal(closed[0].closeReason, "idle");
  assert.equal(s.server.channels.size, 1);
});

Deno.test("RemotingServer answers a connection past maxConnections SYSTEM_BUSY, then closes it", async () => {
  await using s = startServer({ [ECHO]: echo }, { maxConnections: 2 });
  await using a = new RemotingClient();
  await using b = new RemotingClient();
  await using c = new RemotingClient();
  assert.equal((await a.invokeSync(s.addr, createRequest(ECHO), 2000)).code, ResponseCode.SUCCESS);
  assert.equal((await b.invokeSync(s.addr, createRequest(ECHO), 2000)).code, ResponseCode.SUCCESS);
  const refused = await c.invokeSync(s.addr, createRequest(ECHO), 2000);
  assert.equal(refused.code, ResponseCode.SYSTEM_BUSY);
  assert.match(refused.remark!, /too many connections: maxConnections 2 reached/);
  assert.equal(s.server.channels.size, 2, "the refused connection is not counted");
  // Once one leaves, a new connection is served.
  await a.close();
  await within(
    (async () => {
      while (s.server.channels.size > 1) await new Promise((r) => setTimeout(r, 5));
    })(),
    2000,
    "the closed connection to be gone",
  );
  await using d = new RemotingClient();
  assert.equal((await d.invokeSync(s.addr, createRequest(ECHO), 2000)).code, ResponseCode.SUCCESS);
});

Deno.test("A channel holds small buffers while quiet, grows for a burst, and gives them back", async () => {
  let server: Channel | undefined;
  await using s = startServer({ [ECHO]: echo });
  s.server.onChannelOpen((ch) => server = ch);
  await using client = new RemotingClient();
  await client.invokeSync(s.addr, createRequest(ECHO), 2000);
  const quiet = server!.bufferBytes;
  assert.ok(quiet <= 8 * 1024, `quiet: ${quiet} bytes`);
  const body = new Uint8Array(1000);
  await Promise.all(
    Array.from(
      { length: 200 },
      () => client.invokeSync(s.addr, createRequest(ECHO, {}, { body }), 5000),
    ),
  );
  // A small exchange after the burst: the channel is quiet again.
  for (let i = 0; i < 3; i++) await client.invokeSync(s.addr, createRequest(ECHO), 2000);
  const after = server!.bufferBytes;
  assert.ok(after <= 8 * 1024, `after the burst: ${after} bytes`);
});

Deno.test("RemotingServer.shutdown() answers in-flight requests, then closes", async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => release = r);
  await using s = startServer({
    [ECHO]: async (req) => {
      await held;
      return createResponse(req, ResponseCode.SUCCESS, "finished");
    },
  });
  await using client = new RemotingClient();
  const call = client.invokeSync(s.addr, createRequest(ECHO), 5000);
  await waitFor(() => s.server.inflight === 1);
  const stopping = s.server.shutdown(2000);
  // No new connections once shutdown has begun.
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: s.port }));
  setTimeout(release, 20);
  assert.equal((await call).remark, "finished");
  await stopping;
  assert.equal(s.server.channels.size, 0);
});

Deno.test("RemotingServer.shutdown() gives up on a stuck request after the grace period", async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => release = r);
  await using s = startServer({
    [ECHO]: async (req) => {
      await held;
      return createResponse(req, ResponseCode.SUCCESS);
    },
  });
  await using client = new RemotingClient();
  const call = client.invokeSync(s.addr, createRequest(ECHO), 5000);
  await waitFor(() => s.server.inflight === 1);
  const start = Date.now();
  await s.server.shutdown(50);
  assert.ok(Date.now() - start < 1000);
  await within(assert.rejects(call, RemotingClosedError), 1000, "pending call to fail");
  release();
  await waitFor(() => s.server.inflight === 0);
});

Deno.test("RemotingServer.addr throws before listen()", () => {
  const server = new RemotingServer({ hostname: "127.0.0.1" });
  assert.throws(() => server.addr, /not listening/);
  assert.equal(DEFAULT_IDLE_TIMEOUT_MS, 120_000); // Java's serverChannelMaxIdleTimeSeconds
});

// ---- malformed and random frames ----

function int32(n: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return [...b];
}

function rawFrame(type: number, header: Uint8Array, lengthDelta = 0): Uint8Array {
  return new Uint8Array([
    ...int32(4 + header.length + lengthDelta),
    ...int32((type << 24) | header.length),
    ...header,
    ...new Uint8Array(Math.max(0, lengthDelta)),
  ]);
}

const text = (s: string) => new TextEncoder().encode(s);

/** Frames a Java server would close the connection for (REMOTING.md §1.1, §1.3). */
const MALFORMED: [string, Uint8Array][] = [
  ["length 0", new Uint8Array(int32(0))],
  ["length 3", new Uint8Array([...int32(3), 1, 2, 3])],
  ["negative length", new Uint8Array(int32(-1))],
  ["length over 16 MiB", new Uint8Array(int32(MAX_FRAME_LENGTH + 1))],
  [
    "header longer than frame",
    new Uint8Array([...int32(120), ...int32(70000), ...new Uint8Array(116)]),
  ],
  ["serialize type 2", rawFrame(2, text('{"code":1000}'))],
  ["truncated JSON", rawFrame(0, text('{"code":1000'))],
  ["JSON without code", rawFrame(0, text('{"opaque":1}'))],
  ["JSON array", rawFrame(0, text("[1000]"))],
  ["extFields a string", rawFrame(0, text('{"code":1000,"extFields":"x"}'))],
  ["empty header", rawFrame(0, new Uint8Array())],
  ["binary header of 20 bytes", rawFrame(1, new Uint8Array(20))],
  [
    "binary remark past the header",
    rawFrame(1, new Uint8Array([...new Uint8Array(13), ...int32(99), ...int32(0)])),
  ],
  [
    "TLS ClientHello",
    new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
  ],
  ["HTTP request", text("GET / HTTP/1.1\r\nHost: x\r\n\r\n")],
];

Deno.test("RemotingServer closes a connection that sends a malformed frame, logged once (10 a minute)", async () => {
  using logs = captureLogs();
  await using s = startServer({ [ECHO]: echo, [ASYNC_ECHO]: asyncEcho });
  await using healthy = new RemotingClient();
  const check = async (i: number) => {
    const res = await healthy.invokeSync(s.addr, createRequest(ASYNC_ECHO, { i: String(i) }), 2000);
    assert.equal(res.extFields.i, String(i));
  };
  await check(-1);
  for (const [i, [what, bytes]] of MALFORMED.entries()) {
    using raw = await RawConn.connect(s.port);
    const remote = `127.0.0.1:${raw.conn.localAddr.port}`;
    await raw.write(bytes);
    const end = await raw.readToEnd(2000);
    assert.equal(end.bytes.length, 0, `${what}: server answered ${end.bytes.length} bytes`);
    const warnings = logs.records.filter((r) => r.properties.remote === remote);
    assert.equal(warnings.length, i < 10 ? 1 : 0, `${what}: ${warnings.length} log lines`);
    if (i < 10) {
      assert.equal(warnings[0].level, "warning", what);
      assert.match(String(warnings[0].properties.why), /^Cannot decode frame: /, what);
    }
    await check(i);
  }
  assert.ok(MALFORMED.length > 10);
  const lines = logs.records.filter((r) => /^Cannot decode frame/.test(String(r.properties.why)));
  assert.equal(lines.length, 10);
  assert.equal(logs.records.filter((r) => r.level === "error").length, 0);
  await waitFor(() => s.server.channels.size === 1);
});

Deno.test("RemotingServer closes a connection that worked once it sends a malformed frame", async () => {
  using _logs = captureLogs();
  await using s = startServer({ [ECHO]: echo });
  using raw = await RawConn.connect(s.port);
  const good = createRequest(ECHO, { ok: "1" });
  await raw.write(encodeFrame(good));
  assert.equal((await raw.readFrame()).opaque, good.opaque);
  await raw.write(new Uint8Array([...MALFORMED[7][1], ...encodeFrame(createRequest(ECHO))]));
  assert.equal((await raw.readToEnd()).bytes.length, 0);
});

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes, half-closes and reads to the end; write errors mean the server already hung up. */
async function sendAndDrain(port: number, bytes: Uint8Array): Promise<Uint8Array> {
  using raw = await RawConn.connect(port);
  try {
    await raw.write(bytes);
    await raw.conn.closeWrite();
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset)) throw e;
  }
  return (await raw.readToEnd(2000)).bytes;
}

Deno.test("RemotingServer survives random and mutated frames; a healthy client keeps working", async () => {
  using logs = captureLogs();
  await using s = startServer({ [ECHO]: echo, [ASYNC_ECHO]: asyncEcho });
  await using healthy = new RemotingClient();
  const rand = prng(20240601);
  const int = (n: number) => Math.floor(rand() * n);
  const valid = [
    encodeFrame(createRequest(ECHO, { a: "1", b: "two" }, { body: text("body") })),
    encodeFrame(createRequest(ASYNC_ECHO, { a: "1" }, { serializeType: SerializeType.ROCKETMQ })),
    ALIONS_SEND_V2_REQUEST,
  ];
  let answered = 0;
  for (let i = 0; i < 120; i++) {
    let bytes: Uint8Array;
    if (i % 3 === 0) {
      bytes = crypto.getRandomValues(new Uint8Array(1 + int(300)));
      if (i % 2 === 0) bytes.set(int32(int(400)), 0); // a plausible length
    } else {
      bytes = valid[int(valid.length)].slice();
      for (let n = 1 + int(3); n > 0; n--) bytes[int(bytes.length)] = int(256);
      if (i % 4 === 0) bytes = bytes.subarray(0, int(bytes.length)); // cut short
    }
    const reply = await sendAndDrain(s.port, bytes);
    // Whatever came back is whole, well-formed response frames, at most one per request sent.
    const frames = framesIn(reply);
    assert.ok(frames.length <= 1, `case ${i}: ${frames.length} answers`);
    for (const f of frames) assert.ok(isResponse(f), `case ${i}: answer without the response flag`);
    answered += frames.length;
    if (i % 10 === 0) {
      const res = await healthy.invokeSync(s.addr, createRequest(ECHO, { i: String(i) }), 2000);
      assert.equal(res.extFields.i, String(i));
    }
  }
  assert.ok(answered > 0, "no mutated frame was ever answered; the mutation is too harsh");
  assert.equal(logs.records.filter((r) => r.level === "error").length, 0);
  await waitFor(() => s.server.channels.size === 1);
  const last = await healthy.invokeSync(s.addr, createRequest(ASYNC_ECHO, { done: "1" }), 2000);
  assert.equal(last.extFields.done, "1");
  assert.equal(decodeFrame(encodeFrame(last)).code, ResponseCode.SUCCESS);
});
