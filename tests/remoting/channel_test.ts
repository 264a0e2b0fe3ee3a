/**
 * Channel over real loopback sockets. Where a test must observe the writer (how many writes,
 * partial writes), the Channel gets the real TcpConn through a thin Proxy that counts, caps
 * or holds `write` calls and passes everything else through.
 */
import assert from "node:assert/strict";
import { logger } from "../../src/common/log.ts";
import {
  Channel,
  type Channel as ChannelType,
  type RequestHandler,
} from "../../src/remoting/channel.ts";
import {
  createRequest,
  createResponse,
  isResponse,
  type RemotingCommand,
  RemotingFlag,
} from "../../src/remoting/command.ts";
import { RemotingClosedError, RemotingTimeoutError } from "../../src/remoting/errors.ts";
import { encodeFrame, MAX_FRAME_SIZE } from "../../src/remoting/frame_codec.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { captureLogs, RawConn, socketPair, within } from "../helpers/remoting.ts";

const log = logger("test");
const noRequests: RequestHandler = () => undefined;

/** A real TcpConn whose writes are counted, optionally capped to `cap` bytes or held. */
function instrument(conn: Deno.TcpConn, opts: { cap?: number } = {}) {
  const stats = { writes: 0, bytes: 0, sizes: [] as number[] };
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const proxy = new Proxy(conn, {
    get(target, prop) {
      if (prop === "write") {
        return async (p: Uint8Array) => {
          stats.writes++;
          if (gate) await gate;
          const n = await target.write(opts.cap ? p.subarray(0, opts.cap) : p);
          stats.bytes += n;
          stats.sizes.push(n);
          return n;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return {
    conn: proxy,
    stats,
    /** Holds every write until `release()`. */
    hold() {
      gate = new Promise((r) => open = r);
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

async function readFrames(peer: RawConn, n: number): Promise<RemotingCommand[]> {
  const out: RemotingCommand[] = [];
  for (let i = 0; i < n; i++) out.push(await peer.readFrame());
  return out;
}

Deno.test("Channel.send() coalesces every frame queued in one turn into one write", async () => {
  using pair = await socketPair();
  const w = instrument(pair.client);
  const ch = new Channel(w.conn, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const sent = Array.from({ length: 50 }, (_, i) => createRequest(1000 + i, { i: String(i) }));
  for (const cmd of sent) assert.equal(ch.send(cmd), true);
  const got = await readFrames(peer, sent.length);
  assert.deepEqual(got.map((c) => c.extFields.i), sent.map((c) => c.extFields.i));
  assert.equal(w.stats.writes, 1);
  assert.equal(w.stats.bytes, sent.reduce((n, c) => n + encodeFrame(c).length, 0));
  ch.close();
});

Deno.test("Channel.send() joins frames queued during a write into the next write", async () => {
  using pair = await socketPair();
  const w = instrument(pair.client);
  const ch = new Channel(w.conn, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  w.hold();
  ch.send(createRequest(1, { i: "0" }));
  await new Promise((r) => setTimeout(r, 0)); // the first write is now in flight, held
  for (let i = 1; i <= 20; i++) {
    ch.send(createRequest(1, { i: String(i) }));
    if (i % 5 === 0) await new Promise((r) => setTimeout(r, 0)); // several turns
  }
  assert.equal(w.stats.writes, 1);
  w.release();
  const got = await readFrames(peer, 21);
  assert.deepEqual(got.map((c) => Number(c.extFields.i)), [...Array(21).keys()]);
  assert.equal(w.stats.writes, 2);
  ch.close();
});

Deno.test("Channel loops over partial writes until every byte is out", async () => {
  using pair = await socketPair();
  const w = instrument(pair.client, { cap: 3 });
  const ch = new Channel(w.conn, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const sent = [
    createRequest(1, { a: "x" }, { body: new Uint8Array(100).fill(1) }),
    createRequest(2, { b: "y\u00e9" }),
  ];
  for (const cmd of sent) ch.send(cmd);
  const got = await readFrames(peer, 2);
  assert.deepEqual(got.map((c) => c.code), [1, 2]);
  assert.deepEqual(got[0].body, sent[0].body);
  assert.equal(got[1].extFields.b, "y\u00e9");
  const total = sent.reduce((n, c) => n + encodeFrame(c).length, 0);
  assert.equal(w.stats.bytes, total);
  assert.equal(w.stats.writes, Math.ceil(total / 3));
  assert.ok(w.stats.sizes.every((n) => n <= 3));
  ch.close();
});

Deno.test("Channel answers each request as it completes; a held one blocks nothing", async () => {
  using pair = await socketPair();
  let release: () => void = () => {};
  const held = new Promise<void>((r) => release = r);
  const ch = new Channel(pair.client, {
    log,
    onRequest: async (_c, req) => {
      if (req.code === 1) await held;
      return createResponse(req, ResponseCode.SUCCESS, `done ${req.code}`);
    },
  });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const slow = createRequest(1);
  const fast = createRequest(2);
  await peer.write(new Uint8Array([...encodeFrame(slow), ...encodeFrame(fast)]));
  const first = await peer.readFrame();
  assert.equal(first.opaque, fast.opaque);
  assert.equal(first.remark, "done 2");
  release();
  const second = await peer.readFrame();
  assert.equal(second.opaque, slow.opaque);
  assert.equal(second.remark, "done 1");
  ch.close();
});

Deno.test("Channel never answers a oneway request and marks answers as responses", async () => {
  using pair = await socketPair();
  const seen: number[] = [];
  const ch = new Channel(pair.client, {
    log,
    onRequest: (_c, req) => {
      seen.push(req.code);
      // A careless handler: wrong opaque, no response flag. The channel fixes both.
      return { ...createResponse(req, ResponseCode.SUCCESS, "answer"), opaque: 0, flag: 0 };
    },
  });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const oneway = createRequest(7, {}, { oneway: true });
  const normal = createRequest(8);
  await peer.write(new Uint8Array([...encodeFrame(oneway), ...encodeFrame(normal)]));
  const answer = await peer.readFrame();
  assert.deepEqual(seen, [7, 8]);
  assert.equal(answer.opaque, normal.opaque);
  assert.ok(isResponse(answer));
  // Nothing else was written: closing our side shows the peer an orderly, empty end.
  ch.close();
  assert.deepEqual((await peer.readToEnd()).bytes, new Uint8Array(0));
});

Deno.test("Channel.invoke() matches responses to calls by opaque, in any order", async () => {
  using pair = await socketPair();
  const ch = new Channel(pair.client, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const calls = [1, 2, 3].map((i) => createRequest(100 + i));
  const results = calls.map((c) => ch.invoke(c, 2000));
  assert.equal(ch.pendingCalls, 3);
  const requests = await readFrames(peer, 3);
  for (const req of requests.reverse()) {
    await peer.write(encodeFrame(createResponse(req, ResponseCode.SUCCESS, `re ${req.code}`)));
  }
  const responses = await Promise.all(results);
  assert.deepEqual(responses.map((r) => r.remark), ["re 101", "re 102", "re 103"]);
  assert.deepEqual(responses.map((r) => r.opaque), calls.map((c) => c.opaque));
  assert.equal(ch.pendingCalls, 0);
  ch.close();
});

Deno.test("Channel.invoke() times out, forgets the call and ignores the late answer", async () => {
  using pair = await socketPair();
  using logs = captureLogs();
  const ch = new Channel(pair.client, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const call = createRequest(11);
  await assert.rejects(ch.invoke(call, 30), (e) => {
    assert.ok(e instanceof RemotingTimeoutError);
    assert.match(e.message, /Call PULL_MESSAGE to 127\.0\.0\.1:\d+ timed out after 30 ms/);
    return true;
  });
  assert.equal(ch.pendingCalls, 0);
  const req = await peer.readFrame();
  await peer.write(encodeFrame(createResponse(req, ResponseCode.SUCCESS, "late")));
  // The channel still works, and the late answer was only noted.
  const next = ch.invoke(createRequest(12), 2000);
  const req2 = await peer.readFrame();
  await peer.write(encodeFrame(createResponse(req2, ResponseCode.SUCCESS, "on time")));
  assert.equal((await next).remark, "on time");
  assert.equal(logs.matching("debug", "matches no call").length, 1);
  assert.equal(ch.isClosed, false);
  ch.close();
});

Deno.test("Channel fails pending calls at once when the peer closes", async () => {
  using pair = await socketPair();
  const closes: ChannelType[] = [];
  const ch = new Channel(pair.client, {
    onRequest: noRequests,
    log,
    onClose: (c) => closes.push(c),
  });
  ch.start();
  const calls = [ch.invoke(createRequest(1), 10_000), ch.invoke(createRequest(2), 10_000)];
  pair.server.close();
  for (const call of calls) {
    await within(assert.rejects(call, RemotingClosedError), 1000, "pending call to fail");
  }
  await ch.closed;
  assert.equal(ch.isClosed, true);
  assert.equal(ch.closeReason, "peer closed the connection");
  assert.deepEqual(closes, [ch]);
  assert.equal(ch.pendingCalls, 0);
});

Deno.test("Channel.close() is idempotent and refuses later sends and calls", async () => {
  using pair = await socketPair();
  let closes = 0;
  const ch = new Channel(pair.client, { onRequest: noRequests, log, onClose: () => closes++ });
  ch.start();
  const pending = ch.invoke(createRequest(1), 10_000);
  ch.close("test over");
  ch.close("again");
  await within(assert.rejects(pending, /closed: test over/), 1000, "pending call to fail");
  assert.equal(closes, 1);
  assert.equal(ch.closeReason, "test over");
  assert.equal(ch.send(createRequest(1)), false);
  await assert.rejects(ch.invoke(createRequest(1), 1000), RemotingClosedError);
  assert.throws(() => ch.invokeOneway(createRequest(1)), RemotingClosedError);
});

Deno.test("Channel.send() refuses a frame over 16 MiB and queues nothing", async () => {
  using pair = await socketPair();
  const ch = new Channel(pair.client, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const huge = createRequest(1, {}, { body: new Uint8Array(MAX_FRAME_SIZE) });
  assert.throws(() => ch.send(huge), RangeError);
  await assert.rejects(ch.invoke(huge, 1000), RangeError);
  assert.equal(ch.pendingCalls, 0);
  ch.invokeOneway(createRequest(2, { ok: "1" }));
  const got = await peer.readFrame();
  assert.equal(got.code, 2);
  assert.equal(got.flag, RemotingFlag.ONEWAY);
  ch.close();
});

for (const mode of ["sync", "async"] as const) {
  Deno.test(`Channel answers SYSTEM_ERROR when a ${mode} response exceeds 16 MiB`, async () => {
    using pair = await socketPair();
    using logs = captureLogs();
    const ch = new Channel(pair.client, {
      log,
      onRequest: (_c, req) => {
        const res = createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          new Uint8Array(MAX_FRAME_SIZE),
        );
        return mode === "sync" ? res : Promise.resolve(res);
      },
    });
    ch.start();
    using peer = RawConn.wrap(pair.server);
    const req = createRequest(1);
    await peer.write(encodeFrame(req));
    const answer = await peer.readFrame();
    assert.equal(answer.opaque, req.opaque);
    assert.equal(answer.code, ResponseCode.SYSTEM_ERROR);
    assert.match(answer.remark ?? "", /Cannot send frame/);
    assert.equal(ch.isClosed, false);
    assert.equal(logs.matching("error", "").length, 1);
    ch.close();
  });
}

Deno.test("Channel closes on a malformed frame and logs it once", async () => {
  using pair = await socketPair();
  using logs = captureLogs();
  const ch = new Channel(pair.client, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const frame = new Uint8Array(124); // length 120, header length 70000
  frame.set([0, 0, 0, 120, 0, 1, 0x11, 0x70]);
  await peer.write(frame);
  await within(ch.closed, 1000, "channel to close");
  assert.equal(ch.closeReason, "Cannot decode frame: header length 70000 exceeds frame length 120");
  const end = await peer.readToEnd();
  assert.equal(end.bytes.length, 0);
  assert.equal(logs.matching("warning", "Closing connection").length, 1);
  assert.equal(logs.records.filter((r) => r.level === "error").length, 0);
});

Deno.test("Channel closes rather than queue more than 64 MiB for a peer", async () => {
  using pair = await socketPair();
  using _logs = captureLogs();
  const w = instrument(pair.client);
  const ch = new Channel(w.conn, { onRequest: noRequests, log });
  ch.start();
  const body = new Uint8Array(8 << 20);
  let accepted = 0;
  while (ch.send(createRequest(1, {}, { body }))) accepted++;
  assert.equal(accepted, 7); // 8 frames of 8 MiB + headers would pass 64 MiB
  assert.equal(ch.isClosed, true);
  assert.equal(ch.closeReason, "peer is not reading");
  await new Promise((r) => setTimeout(r, 0)); // let the cancelled writer settle
});

Deno.test("Channel names IPv4-mapped peers of a dual-stack listener in dotted form", async () => {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: "::", port: 0 });
  } catch (e) {
    // No IPv6 on this host: nothing to map.
    if (e instanceof Deno.errors.AddrNotAvailable) return;
    throw e;
  }
  using _l = listener;
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  using _c = client;
  assert.match(server.remoteAddr.hostname, /^::ffff:127\.0\.0\.1$/i);
  const ch = new Channel(server, { onRequest: noRequests, log });
  assert.equal(ch.remoteAddr, `127.0.0.1:${client.localAddr.port}`);
  assert.equal(ch.localAddr, `127.0.0.1:${listener.addr.port}`);
  ch.close();
});

Deno.test("Channel still answers good requests that came just before a malformed frame", async () => {
  using pair = await socketPair();
  using _logs = captureLogs();
  const ch = new Channel(pair.client, {
    log,
    onRequest: (_c, req) => createResponse(req, ResponseCode.SUCCESS, "fine"),
  });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const good = createRequest(5);
  const bad = new Uint8Array(8);
  bad.set([0x7f, 0xff, 0xff, 0xff]); // length far over the 16 MiB cap
  await peer.write(new Uint8Array([...encodeFrame(good), ...bad]));
  const answer = await peer.readFrame();
  assert.equal(answer.opaque, good.opaque);
  await within(ch.closed, 2000, "channel to close");
});

Deno.test("Channel stops reading while too many requests are in flight, then resumes", async () => {
  using pair = await socketPair();
  const releases: (() => void)[] = [];
  let started = 0;
  const ch = new Channel(pair.client, {
    log,
    maxInflightRequests: 4,
    onRequest: async (_c, req) => {
      started++;
      await new Promise<void>((r) => releases.push(r));
      return createResponse(req, ResponseCode.SUCCESS);
    },
  });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  const reqs = Array.from({ length: 10 }, (_, i) => createRequest(100 + i));
  // Two writes: the channel reads the first four, then must wait before reading the rest.
  await peer.write(new Uint8Array(reqs.slice(0, 4).flatMap((r) => [...encodeFrame(r)])));
  while (started < 4) await new Promise((r) => setTimeout(r, 5));
  await peer.write(new Uint8Array(reqs.slice(4).flatMap((r) => [...encodeFrame(r)])));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(started, 4, "no request beyond the limit is taken while four are held");
  assert.equal(ch.inflightRequests, 4);
  // Below half the limit, reading resumes and the rest are taken.
  for (const r of releases.splice(0, 3)) r();
  while (started < 10) await new Promise((r) => setTimeout(r, 5));
  for (const r of releases.splice(0)) r();
  const answered = new Set<number>();
  while (answered.size < 10) answered.add((await peer.readFrame()).opaque);
  assert.deepEqual([...answered].sort(), reqs.map((r) => r.opaque).sort());
  ch.close();
});

Deno.test("Channel.closeGracefully() writes queued answers before closing", async () => {
  using pair = await socketPair();
  const w = instrument(pair.client);
  const ch = new Channel(w.conn, { onRequest: noRequests, log });
  ch.start();
  using peer = RawConn.wrap(pair.server);
  w.hold();
  const frames = Array.from({ length: 3 }, (_, i) => createRequest(200 + i));
  for (const f of frames) ch.send(f);
  const closing = ch.closeGracefully("test", 2000);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ch.isClosed, false, "waits for the held write");
  w.release();
  await closing;
  assert.equal(ch.isClosed, true);
  for (const f of frames) assert.equal((await peer.readFrame()).opaque, f.opaque);
});
