import assert from "node:assert/strict";
import { decodeMessageRecord } from "../../../src/common/message/message_codec.ts";
import type { MessageStore, StoreConfig } from "../../../src/store/message_store.ts";
import { offsetToFileName } from "../../../src/store/segment_file.ts";
import { message, openStore, SMALL_FILES, text } from "../../helpers/store.ts";
import { captureLogs } from "../../helpers/remoting.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { waitUntil } from "../../helpers/wait.ts";

const PAD = "x".repeat(200);
type Config = Partial<StoreConfig> & { storePathRootDir: string };

/** A master and a slave store in one process, the slave following the master's HA port. */
async function pair(root: string, master: Partial<StoreConfig> = {}) {
  const masterConfig: Config = { storePathRootDir: `${root}/master`, ...SMALL_FILES, ...master };
  const m = await openStore(masterConfig);
  const port = m.haService!.listen("127.0.0.1", 0);
  const slaveConfig: Config = {
    storePathRootDir: `${root}/slave`,
    ...SMALL_FILES,
    brokerRole: "SLAVE",
    haMasterAddress: `127.0.0.1:${port}`,
  };
  const s = await openStore(slaveConfig);
  return { m, s, port, masterConfig, slaveConfig };
}

async function put(store: MessageStore, n: number, from = 0, queueId = 0) {
  const statuses = [];
  for (let i = from; i < from + n; i++) {
    const r = await store.putMessage(
      message("Rep", queueId, { KEYS: `k${i}` }, {
        body: new TextEncoder().encode(`m${i}|${PAD}`),
      }),
    );
    statuses.push(r.status);
  }
  return statuses;
}

/** The bodies of a queue's messages, read through the store's own get path. */
async function bodies(store: MessageStore, queueId = 0): Promise<string[]> {
  const out: string[] = [];
  let offset = store.getMinOffsetInQueue("Rep", queueId);
  while (true) {
    const r = await store.getMessage("g", "Rep", queueId, offset, 32);
    if (r.messages.length === 0) return out;
    for (const b of r.messages) out.push(text(decodeMessageRecord(b).body).split("|")[0]);
    offset = r.nextBeginOffset;
  }
}

/** The commit-log bytes of `[from, to)` as the files hold them. */
function logBytes(root: string, segmentSize: number, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let seg = from - (from % segmentSize); seg < to; seg += segmentSize) {
    const file = Deno.readFileSync(`${root}/commitlog/${offsetToFileName(seg)}`);
    const a = Math.max(from, seg);
    const b = Math.min(to, seg + segmentSize);
    out.set(file.subarray(a - seg, b - seg), a - from);
  }
  return out;
}

/** Asserts the slave's commit log under `root` holds the master's bytes of `[from, to)`. */
function assertSameLog(root: string, from: number, to: number): void {
  const seg = SMALL_FILES.mappedFileSizeCommitLog!;
  assert.deepEqual(
    logBytes(`${root}/slave`, seg, from, to),
    logBytes(`${root}/master`, seg, from, to),
  );
}

const caughtUp = (m: MessageStore, s: MessageStore) => () =>
  s.maxPhyOffset === m.maxPhyOffset &&
  s.getMaxOffsetInQueue("Rep", 0) === m.getMaxOffsetInQueue("Rep", 0);

Deno.test("A slave's commit log becomes the master's byte for byte, and its queues serve reads", async () => {
  await using dir = await tempDir();
  const { m, s } = await pair(dir.path);
  assert.deepEqual(new Set(await put(m, 300)), new Set(["PUT_OK"]));
  await waitUntil("the slave to catch up", caughtUp(m, s));
  assert.ok(m.maxPhyOffset > 4 * SMALL_FILES.mappedFileSizeCommitLog!, "several segments");
  assert.deepEqual(await bodies(s), await bodies(m));
  assert.equal((await s.queryMessage("Rep", "k123", 10, 0, Date.now() + 1000)).messages.length, 1);
  assert.equal(m.haService!.connectionCount, 1);
  await waitUntil("the ack", () => m.haService!.pushedMaxOffset === m.maxPhyOffset);
  const refused = await s.putMessage(message("Rep", 0));
  assert.equal(refused.status, "SERVICE_NOT_AVAILABLE");
  await s.close();
  await m.close();
  assertSameLog(dir.path, 0, m.maxPhyOffset);
});

Deno.test("A new slave of a master with history starts at the master's last segment", async () => {
  await using dir = await tempDir();
  const seg = SMALL_FILES.mappedFileSizeCommitLog!;
  let history: number;
  {
    await using m = await openStore({ storePathRootDir: `${dir.path}/master`, ...SMALL_FILES });
    await put(m, 200);
    history = m.maxPhyOffset;
  }
  const { m, s } = await pair(dir.path);
  await put(m, 20, 200);
  await waitUntil("the slave to catch up", caughtUp(m, s));
  assert.equal(s.minPhyOffset, history - (history % seg));
  assert.ok(s.minPhyOffset > 0, "did not copy the whole history");
  const slaveBodies = await bodies(s);
  const all = await bodies(m);
  assert.deepEqual(slaveBodies, all.slice(all.length - slaveBodies.length));
  assert.ok(slaveBodies.includes("m219"));
  await s.close();
  await m.close();
  assertSameLog(dir.path, s.minPhyOffset, m.maxPhyOffset);
});

Deno.test("SYNC_MASTER answers once a slave has a message; without one, SLAVE_NOT_AVAILABLE", async () => {
  await using dir = await tempDir();
  const m = await openStore({
    storePathRootDir: `${dir.path}/master`,
    ...SMALL_FILES,
    brokerRole: "SYNC_MASTER",
  });
  const port = m.haService!.listen("127.0.0.1", 0);
  const alone = await m.putMessage(message("Rep", 0));
  assert.equal(alone.status, "SLAVE_NOT_AVAILABLE");
  assert.equal(alone.remark, "no slave is connected");
  assert.ok(alone.append, "still stored, with its offsets");
  // A put that does not wait for the store is not held for the slave either.
  assert.equal(
    (await m.putMessage(message("Rep", 0, {}, { waitStoreMsgOK: false }))).status,
    "PUT_OK",
  );

  const s = await openStore({
    storePathRootDir: `${dir.path}/slave`,
    ...SMALL_FILES,
    brokerRole: "SLAVE",
    haMasterAddress: `127.0.0.1:${port}`,
  });
  await waitUntil("the slave to connect", () => m.haService!.connectionCount === 1);
  for (let i = 0; i < 50; i++) {
    const r = await m.putMessage(
      message("Rep", 0, {}, { body: new TextEncoder().encode(`s${i}`) }),
    );
    assert.equal(r.status, "PUT_OK");
    // Answered means the slave acknowledged it: it is in the slave's log already.
    assert.ok(s.maxPhyOffset >= r.append!.wroteOffset + r.append!.wroteBytes);
  }
  await s.close();
  await waitUntil("the slave to be gone", () => m.haService!.connectionCount === 0);
  assert.equal((await m.putMessage(message("Rep", 0))).status, "SLAVE_NOT_AVAILABLE");
  await m.close();
});

Deno.test("A slave restarted mid-stream resumes from its own end; a restarted master is found again", async () => {
  await using dir = await tempDir();
  let { m, s, masterConfig, slaveConfig } = await pair(dir.path);
  await put(m, 100);
  await waitUntil("the slave to catch up", caughtUp(m, s));
  await s.close();
  await put(m, 100, 100);
  s = await openStore(slaveConfig);
  await waitUntil("the slave to catch up again", caughtUp(m, s));
  assert.equal(m.haService!.slaves().length, 1);

  // The master goes away and comes back on the same port: the slave reconnects by itself.
  const port = Number(slaveConfig.haMasterAddress!.split(":")[1]);
  await m.close();
  m = await openStore(masterConfig);
  m.haService!.listen("127.0.0.1", port);
  await put(m, 50, 200);
  await waitUntil("the slave to reconnect and catch up", caughtUp(m, s), 15_000);
  assert.deepEqual(await bodies(s), await bodies(m));
  await s.close();
  await m.close();
});

/** A TCP proxy from a slave to a master that can cut the master's stream in the middle. */
function proxy(target: number) {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { tearNext: false, torn: 0, stall: false, conns: [] as Deno.Conn[] };
  void (async () => {
    for await (const down of l) {
      const up = await Deno.connect({ hostname: "127.0.0.1", port: target });
      state.conns.push(down, up);
      const close = () => {
        for (const c of [down, up]) {
          try {
            c.close();
          } catch { /* closed */ }
        }
      };
      void down.readable.pipeTo(up.writable).catch(close);
      void (async () => {
        const buf = new Uint8Array(64 * 1024);
        try {
          while (true) {
            const n = await up.read(buf);
            if (n === null) break;
            while (state.stall) await new Promise((r) => setTimeout(r, 10));
            if (state.tearNext && n > 19) {
              // Half a header's worth of chunk: the slave holds a frame it never finishes.
              state.tearNext = false;
              state.torn++;
              await down.write(buf.subarray(0, 19));
              break;
            }
            let w = 0;
            while (w < n) w += await down.write(buf.subarray(w, n));
          }
        } catch { /* closed */ }
        close();
      })();
    }
  })().catch(() => {});
  return {
    port: (l.addr as Deno.NetAddr).port,
    state,
    close() {
      l.close();
      for (const c of state.conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    },
  };
}

Deno.test("A chunk torn by a dropped connection is discarded; the slave resumes where it was", async () => {
  await using dir = await tempDir();
  const m = await openStore({ storePathRootDir: `${dir.path}/master`, ...SMALL_FILES });
  const p = proxy(m.haService!.listen("127.0.0.1", 0));
  const s = await openStore({
    storePathRootDir: `${dir.path}/slave`,
    ...SMALL_FILES,
    brokerRole: "SLAVE",
    haMasterAddress: `127.0.0.1:${p.port}`,
  });
  await put(m, 50);
  await waitUntil("the slave to catch up", caughtUp(m, s));
  p.state.tearNext = true;
  await put(m, 100, 50);
  await waitUntil("the tear", () => p.state.torn === 1);
  await waitUntil("the slave to reconnect and catch up", caughtUp(m, s), 15_000);
  assert.deepEqual(await bodies(s), await bodies(m));
  await s.close();
  await m.close();
  p.close();
  assertSameLog(dir.path, 0, m.maxPhyOffset);
});

Deno.test("A master refuses a slave that is ahead of it, or behind what it still has", async () => {
  await using dir = await tempDir();
  using logs = captureLogs();
  const seg = SMALL_FILES.mappedFileSizeCommitLog!;
  const { m, s, slaveConfig } = await pair(dir.path);
  await put(m, 40);
  await waitUntil("the slave to catch up", caughtUp(m, s));
  const slaveEnd = s.maxPhyOffset;
  await s.close();
  await m.close();

  // Ahead: a master with less data than the slave has.
  const small = await openStore({ storePathRootDir: `${dir.path}/small`, ...SMALL_FILES });
  await put(small, 3);
  const smallPort = small.haService!.listen("127.0.0.1", 0);
  let again = await openStore({ ...slaveConfig, haMasterAddress: `127.0.0.1:${smallPort}` });
  await waitUntil(
    "the refusal",
    () => logs.matching("error", "past this master's end").length === 1,
  );
  assert.equal(again.maxPhyOffset, slaveEnd, "the slave keeps what it has");
  assert.equal(small.haService!.connectionCount, 0);
  await again.close();
  await small.close();

  // Behind: the master's first segments are gone.
  const big = await openStore({ storePathRootDir: `${dir.path}/master`, ...SMALL_FILES });
  await put(big, 400, 40);
  assert.ok(big.maxPhyOffset > 6 * seg);
  await big.close();
  for (const start of [0, seg, 2 * seg, 3 * seg]) {
    await Deno.remove(`${dir.path}/master/commitlog/${offsetToFileName(start)}`);
  }
  const trimmed = await openStore({ storePathRootDir: `${dir.path}/master`, ...SMALL_FILES });
  assert.equal(trimmed.minPhyOffset, 4 * seg);
  const port = trimmed.haService!.listen("127.0.0.1", 0);
  again = await openStore({ ...slaveConfig, haMasterAddress: `127.0.0.1:${port}` });
  await waitUntil(
    "the refusal",
    () => logs.matching("error", "older files were deleted").length === 1,
  );
  assert.equal(again.maxPhyOffset, slaveEnd);
  await again.close();
  await trimmed.close();
});

Deno.test("SYNC_MASTER answers FLUSH_SLAVE_TIMEOUT when its slave stops acknowledging", async () => {
  await using dir = await tempDir();
  const m = await openStore({
    storePathRootDir: `${dir.path}/master`,
    ...SMALL_FILES,
    brokerRole: "SYNC_MASTER",
  });
  const p = proxy(m.haService!.listen("127.0.0.1", 0));
  const s = await openStore({
    storePathRootDir: `${dir.path}/slave`,
    ...SMALL_FILES,
    brokerRole: "SLAVE",
    haMasterAddress: `127.0.0.1:${p.port}`,
  });
  await waitUntil("the slave to connect", () => m.haService!.connectionCount === 1);
  assert.equal((await m.putMessage(message("Rep", 0))).status, "PUT_OK");
  p.state.stall = true; // The slave is connected but gets nothing more.
  const started = Date.now();
  const r = await m.putMessage(message("Rep", 0));
  assert.equal(r.status, "FLUSH_SLAVE_TIMEOUT");
  assert.match(r.remark!, /no slave acknowledged within 5000 ms/);
  assert.ok(Date.now() - started >= 4900);
  p.state.stall = false;
  await waitUntil("the slave to catch up", caughtUp(m, s));
  await s.close();
  await m.close();
  p.close();
});
