import assert from "node:assert/strict";
import type { Channel } from "../../src/remoting/channel.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import {
  createRequest,
  createResponse,
  isOneway,
  type RemotingCommand,
  SerializeType,
} from "../../src/remoting/command.ts";
import {
  RemotingClosedError,
  RemotingConnectError,
  RemotingError,
  RemotingTimeoutError,
} from "../../src/remoting/errors.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import type { Processor } from "../../src/remoting/server.ts";
import { captureLogs, startServer, within } from "../helpers/remoting.ts";

const ECHO = 1000;
const HOLD = 1001;

const echo: Processor = (req) =>
  createResponse(req, ResponseCode.SUCCESS, `echo ${req.code}`, { ...req.extFields }, req.body);

/** A processor that answers only once released (or never). */
function holder() {
  const waiting: (() => void)[] = [];
  const processor: Processor = (req) =>
    new Promise<RemotingCommand>((resolve) => {
      waiting.push(() => resolve(createResponse(req, ResponseCode.SUCCESS, "released")));
    });
  return {
    processor,
    get waiting() {
      return waiting.length;
    },
    releaseAll() {
      for (const w of waiting.splice(0)) w();
    },
  };
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

Deno.test("RemotingClient.invokeSync() returns the response matched to its request", async () => {
  await using s = startServer({ [ECHO]: echo });
  await using client = new RemotingClient();
  const calls = Array.from(
    { length: 20 },
    (_, i) => client.invokeSync(s.addr, createRequest(ECHO, { i: String(i) }), 2000),
  );
  const responses = await Promise.all(calls);
  assert.deepEqual(responses.map((r) => r.extFields.i), [...Array(20).keys()].map(String));
  assert.equal(s.server.channels.size, 1); // one connection per address
});

Deno.test("RemotingClient sends requests in its configured serialize type", async () => {
  const seen: number[] = [];
  await using s = startServer({
    [ECHO]: (req, ch) => {
      seen.push(req.serializeType);
      return echo(req, ch);
    },
  });
  for (const serializeType of [SerializeType.ROCKETMQ, SerializeType.JSON]) {
    await using client = new RemotingClient({ serializeType });
    const res = await client.invokeSync(s.addr, createRequest(ECHO, { k: "v" }), 2000);
    assert.equal(res.serializeType, serializeType);
    assert.equal(res.extFields.k, "v");
  }
  assert.deepEqual(seen, [SerializeType.ROCKETMQ, SerializeType.JSON]);
});

Deno.test("RemotingClient.invokeSync() times out per call; the connection stays usable", async () => {
  const hold = holder();
  await using s = startServer({ [ECHO]: echo, [HOLD]: hold.processor });
  await using client = new RemotingClient();
  await client.invokeSync(s.addr, createRequest(ECHO), 2000); // connected
  const start = Date.now();
  await assert.rejects(client.invokeSync(s.addr, createRequest(HOLD), 40), (e) => {
    assert.ok(e instanceof RemotingTimeoutError);
    assert.match(e.message, /timed out after \d+ ms/);
    return true;
  });
  const took = Date.now() - start;
  assert.ok(took >= 35 && took < 1000, `took ${took} ms`);
  hold.releaseAll(); // the late answer is dropped
  const res = await client.invokeSync(s.addr, createRequest(ECHO, { after: "1" }), 2000);
  assert.equal(res.extFields.after, "1");
  assert.equal(s.server.channels.size, 1);
});

Deno.test("RemotingClient.invokeAsync() calls back exactly once with the response or error", async () => {
  const hold = holder();
  await using s = startServer({ [ECHO]: echo, [HOLD]: hold.processor });
  await using client = new RemotingClient();
  const results: [Error | undefined, RemotingCommand | undefined][] = [];
  await new Promise<void>((done) => {
    client.invokeAsync(s.addr, createRequest(ECHO, { a: "1" }), 2000, (e, r) => {
      results.push([e, r]);
      done();
    });
  });
  await new Promise<void>((done) => {
    client.invokeAsync(s.addr, createRequest(HOLD), 30, (e, r) => {
      results.push([e, r]);
      done();
    });
  });
  hold.releaseAll();
  await client.invokeSync(s.addr, createRequest(ECHO), 2000); // the late answer has passed
  assert.equal(results.length, 2);
  assert.equal(results[0][0], undefined);
  assert.equal(results[0][1]?.extFields.a, "1");
  assert.ok(results[1][0] instanceof RemotingTimeoutError);
  assert.equal(results[1][1], undefined);
});

Deno.test("RemotingClient.invokeAsync() survives a callback that throws", async () => {
  using logs = captureLogs();
  await using s = startServer({ [ECHO]: echo });
  await using client = new RemotingClient();
  let calls = 0;
  client.invokeAsync(s.addr, createRequest(ECHO), 2000, () => {
    calls++;
    throw new Error("callback bug");
  });
  await waitFor(() => calls > 0);
  await client.invokeSync(s.addr, createRequest(ECHO), 2000);
  assert.equal(calls, 1);
  assert.equal(logs.matching("error", "Callback for").length, 1);
});

Deno.test("RemotingClient.invokeOneway() sends a oneway request and expects nothing", async () => {
  const seen: RemotingCommand[] = [];
  await using s = startServer({
    [ECHO]: (req, ch) => {
      seen.push(req);
      return echo(req, ch);
    },
  });
  await using client = new RemotingClient();
  await client.invokeOneway(s.addr, createRequest(ECHO, { n: "1" }));
  await waitFor(() => seen.length === 1);
  assert.ok(isOneway(seen[0]));
  assert.equal(seen[0].extFields.n, "1");
  // The server's answer to a oneway request would arrive as an unmatched response; none does.
  const ch = await client.getChannel(s.addr);
  assert.equal(ch.pendingCalls, 0);
  const res = await client.invokeSync(s.addr, createRequest(ECHO, { n: "2" }), 2000);
  assert.equal(res.extFields.n, "2");
});

Deno.test("RemotingClient fails every pending call at once when the connection drops", async () => {
  const hold = holder();
  const serverSide: Channel[] = [];
  await using s = startServer({
    [HOLD]: (req, ch) => {
      serverSide.push(ch);
      return hold.processor(req, ch);
    },
  });
  await using client = new RemotingClient();
  const calls = [1, 2, 3].map(() => client.invokeSync(s.addr, createRequest(HOLD), 10_000));
  await waitFor(() => hold.waiting === 3);
  const start = Date.now();
  serverSide[0].close("test drops the connection");
  for (const call of calls) {
    await within(assert.rejects(call, RemotingClosedError), 1000, "pending call to fail");
  }
  assert.ok(Date.now() - start < 1000);
  hold.releaseAll();
});

Deno.test("RemotingClient reconnects on the next call after the connection drops", async () => {
  const serverSide: Channel[] = [];
  await using s = startServer({
    [ECHO]: (req, ch) => {
      if (!serverSide.includes(ch)) serverSide.push(ch);
      return echo(req, ch);
    },
  });
  await using client = new RemotingClient();
  await client.invokeSync(s.addr, createRequest(ECHO), 2000);
  const first = await client.getChannel(s.addr);
  serverSide[0].close("server drops it");
  await within(first.closed, 1000, "client channel to notice");
  const res = await client.invokeSync(s.addr, createRequest(ECHO, { again: "1" }), 2000);
  assert.equal(res.extFields.again, "1");
  assert.equal(serverSide.length, 2);
  assert.notEqual(await client.getChannel(s.addr), first);
});

Deno.test("RemotingClient retrying inside the failure handler gets a fresh connection", async () => {
  const hold = holder();
  const serverSide: Channel[] = [];
  await using s = startServer({
    [ECHO]: echo,
    [HOLD]: (req, ch) => {
      serverSide.push(ch);
      return hold.processor(req, ch);
    },
  });
  await using client = new RemotingClient();
  const retried = client.invokeSync(s.addr, createRequest(HOLD), 10_000).catch((e) => {
    assert.ok(e instanceof RemotingClosedError);
    return client.invokeSync(s.addr, createRequest(ECHO, { retry: "1" }), 2000);
  });
  await waitFor(() => hold.waiting === 1);
  serverSide[0].close("dropped");
  assert.equal((await retried).extFields.retry, "1");
  hold.releaseAll();
});

Deno.test("RemotingClient.closeChannel() followed at once by a call leaves nothing open", async () => {
  await using s = startServer({ [ECHO]: echo });
  const client = new RemotingClient();
  await client.invokeSync(s.addr, createRequest(ECHO), 2000);
  const closing = client.closeChannel(s.addr);
  const res = await client.invokeSync(s.addr, createRequest(ECHO, { n: "2" }), 2000);
  await closing;
  assert.equal(res.extFields.n, "2");
  await client.close();
  // Every connection the client made is closed: the server sees none left.
  await within(waitFor(() => s.server.channels.size === 0), 1000, "server to see all closed");
});

Deno.test("RemotingClient.close() fails pending calls and refuses new ones", async () => {
  const hold = holder();
  await using s = startServer({ [HOLD]: hold.processor });
  const client = new RemotingClient();
  const call = client.invokeSync(s.addr, createRequest(HOLD), 10_000);
  await waitFor(() => hold.waiting === 1);
  await client.close();
  await within(assert.rejects(call, RemotingClosedError), 1000, "pending call to fail");
  await assert.rejects(
    client.invokeSync(s.addr, createRequest(HOLD), 1000),
    (e) => e instanceof RemotingConnectError && e.message === "Client is closed",
  );
  hold.releaseAll();
  await waitFor(() => s.server.channels.size === 0);
});

Deno.test("RemotingClient reports a refused connection as RemotingConnectError", async () => {
  const { port } = (() => {
    using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return l.addr;
  })();
  await using client = new RemotingClient();
  await assert.rejects(client.invokeSync(`127.0.0.1:${port}`, createRequest(ECHO), 2000), (e) => {
    assert.ok(e instanceof RemotingConnectError && e instanceof RemotingError);
    assert.match(e.message, new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: `));
    assert.ok(e.cause instanceof Deno.errors.ConnectionRefused);
    return true;
  });
  await assert.rejects(client.invokeSync("no-port", createRequest(ECHO), 2000), SyntaxError);
});

/**
 * A listener that never accepts, with its accept queue filled so further connects hang (Linux
 * drops the SYN of a full queue and retries it after ~1 s). Disposing accepts and closes every
 * connection that arrives until `expected` have, so no connect is left pending.
 */
async function unresponsiveListener() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const fillers: Deno.Conn[] = [];
  let hung: Promise<Deno.Conn> | undefined;
  for (let i = 0; i < 5000 && !hung; i++) {
    const connecting = Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      connecting,
      new Promise<"hung">((res) => timer = setTimeout(() => res("hung"), 50)),
    ]);
    clearTimeout(timer);
    if (r !== "hung") fillers.push(r);
    else {
      // Slow is not yet hung (a busy machine): give it a while longer before believing it.
      const late = await Promise.race([
        connecting,
        new Promise<"hung">((res) => timer = setTimeout(() => res("hung"), 250)),
      ]);
      clearTimeout(timer);
      if (late === "hung") hung = connecting;
      else fillers.push(late);
    }
  }
  assert.ok(hung, "the accept queue never filled");
  return {
    port: listener.addr.port,
    async drain(lateConnects: number) {
      for (const c of fillers) c.close();
      // Accept the fillers, our probe and the client's abandoned connect once their SYNs are
      // retried, and read each to its end so the client has closed its side too.
      const total = fillers.length + 1 + lateConnects;
      const probe = hung!.then((c) => c.close());
      for (let n = 0; n < total; n++) {
        const conn = await listener.accept();
        const buf = new Uint8Array(16);
        try {
          while ((await conn.read(buf)) !== null);
        } catch (e) {
          if (!(e instanceof Deno.errors.ConnectionReset)) throw e;
        }
        conn.close();
      }
      await probe;
      listener.close();
    },
  };
}

Deno.test("RemotingClient gives up connecting after connectTimeoutMs", async () => {
  const target = await unresponsiveListener();
  await using client = new RemotingClient({ connectTimeoutMs: 60 });
  const start = Date.now();
  await assert.rejects(
    client.invokeSync(`127.0.0.1:${target.port}`, createRequest(ECHO), 5000),
    (e) => {
      assert.ok(e instanceof RemotingConnectError);
      assert.equal(e.message, `Cannot connect to 127.0.0.1:${target.port}: timed out after 60 ms`);
      return true;
    },
  );
  const took = Date.now() - start;
  assert.ok(took >= 55 && took < 900, `took ${took} ms`);
  await within(target.drain(1), 5000, "abandoned connects to finish");
});

Deno.test("RemotingClient routes server-initiated requests to its processors", async () => {
  const seenByClient: RemotingCommand[] = [];
  const client = new RemotingClient()
    .registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      seenByClient.push(req);
      return null; // Java clients answer nothing here
    })
    .registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req) => {
      seenByClient.push(req);
      return null;
    })
    .registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, async (req) => {
      await Promise.resolve();
      return createResponse(req, ResponseCode.SUCCESS, undefined, { id: req.extFields.clientId });
    })
    .registerProcessor(RequestCode.CONSUME_MESSAGE_DIRECTLY, () => {
      throw new Error("consumer failed");
    });
  let brokerSide: Channel | undefined;
  await using s = startServer({
    [RequestCode.HEART_BEAT]: (req, ch) => {
      brokerSide = ch;
      return createResponse(req, ResponseCode.SUCCESS);
    },
  });
  using _logs = captureLogs();
  try {
    await client.invokeSync(s.addr, createRequest(RequestCode.HEART_BEAT), 2000);
    const ch = brokerSide!;
    // The broker side pushes requests over the client's own connection (REMOTING.md §1.4).
    ch.invokeOneway(
      createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: "CG" }),
    );
    ch.invokeOneway(createRequest(RequestCode.CHECK_TRANSACTION_STATE, { msgId: "M1" }));
    const info = await ch.invoke(
      createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, { clientId: "C1" }),
      2000,
    );
    assert.equal(info.code, ResponseCode.SUCCESS);
    assert.equal(info.extFields.id, "C1");
    const failed = await ch.invoke(createRequest(RequestCode.CONSUME_MESSAGE_DIRECTLY), 2000);
    assert.equal(failed.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(failed.remark, "consumer failed");
    const unknown = await ch.invoke(createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET), 2000);
    assert.equal(unknown.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    assert.equal(unknown.remark, " request type 220 not supported");
    assert.deepEqual(
      seenByClient.map((r) => [r.code, isOneway(r)]),
      [[RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, true], [
        RequestCode.CHECK_TRANSACTION_STATE,
        true,
      ]],
    );
    assert.equal(seenByClient[0].extFields.consumerGroup, "CG");
  } finally {
    await client.close();
  }
});

Deno.test("RemotingClient closes a connection left idle past idleTimeoutMs", async () => {
  await using s = startServer({ [ECHO]: echo });
  const closed: Channel[] = [];
  s.server.onChannelClose((ch) => closed.push(ch));
  await using client = new RemotingClient({ idleTimeoutMs: 60 });
  await client.invokeSync(s.addr, createRequest(ECHO), 2000);
  const ch = await client.getChannel(s.addr);
  await within(ch.closed, 2000, "idle client channel to close");
  assert.equal(ch.closeReason, "idle");
  await within(waitFor(() => closed.length === 1), 1000, "server to see the close");
  // The next call simply connects again.
  assert.equal((await client.invokeSync(s.addr, createRequest(ECHO), 2000)).code, 0);
});
