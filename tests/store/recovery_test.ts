import assert from "node:assert/strict";
import {
  BLANK_MAGIC,
  decodeMessageRecord,
  verifyRecordCrc,
} from "../../src/common/message/message_codec.ts";
import { decodeProperties } from "../../src/common/message/properties.ts";
import { GetStatus, type MessageStore, PutStatus } from "../../src/store/message_store.ts";
import type { PutResult, StoreConfig } from "../../src/store/message_store.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/store/checkpoint.ts";
import { quarantineFileName } from "../../src/store/quarantine.ts";
import { offsetToFileName } from "../../src/store/segment_file.ts";
import { message, openStore, SMALL_FILES } from "../helpers/store.ts";
import { CRASH_CONFIG, CRASH_QUEUES, crashBody } from "../helpers/store_crash_writer.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const SEGMENT = SMALL_FILES.mappedFileSizeCommitLog!;

async function fill(config: Partial<StoreConfig> & { storePathRootDir: string }, n: number) {
  const results: PutResult[] = [];
  await using store = await openStore(config);
  for (let i = 0; i < n; i++) {
    const r = await store.putMessage(
      message("T", i % 2, { KEYS: `k${i}`, TAGS: "a" }, { body: new Uint8Array(300).fill(i) }),
    );
    assert.equal(r.status, PutStatus.PUT_OK);
    results.push(r);
  }
  return results;
}

/** Zeroes the commit log from `cut` to its segment's end, as an OS crash can lose a tail. */
function zeroLogFrom(root: string, cut: number): void {
  const f = Deno.openSync(segmentPath(root, cut), { write: true });
  f.truncateSync(cut % SEGMENT);
  f.truncateSync(SEGMENT);
  f.close();
}

/**
 * Makes a cleanly closed store look like one a crash left before any checkpoint vouched for
 * its records: the abort marker back, the checkpoint's offset gone (its times kept, as a Java
 * broker's checkpoint has them), so recovery goes back by time and replays them.
 */
function crashed(dir: string): void {
  Deno.writeFileSync(`${dir}/abort`, new Uint8Array(0));
  const path = `${dir}/checkpoint`;
  try {
    const c = decodeCheckpoint(Deno.readFileSync(path));
    Deno.writeFileSync(path, encodeCheckpoint({ ...c, confirmPhyOffset: 0 }));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

function patch(path: string, pos: number, bytes: Uint8Array): void {
  const f = Deno.openSync(path, { write: true });
  f.seekSync(pos, Deno.SeekMode.Start);
  f.writeSync(bytes);
  f.close();
}

function segmentPath(dir: string, offset: number): string {
  const start = offset - (offset % SEGMENT);
  return `${dir}/commitlog/${offsetToFileName(start)}`;
}

/**
 * Reads every queue through getMessage, checking each record served; returns the commit-log
 * offsets per queue. Queue offsets rise by one except over `gaps` (queue offsets of records
 * recovery skipped as damaged).
 */
async function readAll(
  store: MessageStore,
  topic: string,
  queues: number,
  gaps: ReadonlySet<string> = new Set(),
): Promise<number[][]> {
  const out: number[][] = [];
  for (let q = 0; q < queues; q++) {
    const offsets: number[] = [];
    let expected = store.getMinOffsetInQueue(topic, q);
    const max = store.getMaxOffsetInQueue(topic, q);
    while (expected < max) {
      const g = await store.getMessage("G", topic, q, expected, 32);
      if (g.status !== GetStatus.FOUND) {
        assert.ok(gaps.has(`${q}:${expected}`), `${topic}/${q}@${expected}: ${g.status}`);
        expected = g.nextBeginOffset;
        continue;
      }
      for (const raw of g.messages) {
        const m = decodeMessageRecord(raw);
        assert.ok(verifyRecordCrc(m), "no damaged record is served");
        assert.equal(m.queueId, q);
        while (m.queueOffset > expected && gaps.has(`${q}:${expected}`)) expected++;
        assert.equal(m.queueOffset, expected++);
        offsets.push(m.physicalOffset);
      }
      assert.equal(g.nextBeginOffset, expected);
    }
    out.push(offsets);
  }
  return out;
}

Deno.test("recover() after a clean shutdown trusts the checkpoint", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  const puts = await fill(config, 100);
  await using store = await openStore(config);
  const last = puts[puts.length - 1].append!;
  assert.deepEqual(store.recovery, {
    from: last.wroteOffset + last.wroteBytes,
    end: last.wroteOffset + last.wroteBytes,
    records: 0,
    stop: "end of data",
    damaged: [],
  });
  assert.equal(store.getMaxOffsetInQueue("T", 0), 50);
});

Deno.test("recover() after a crash starts at the newest segment older than the checkpoint", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  {
    await using store = await openStore(config);
    for (let i = 0; i < 60; i++) {
      await store.putMessage(
        message("T", i % 2, {}, {
          body: new Uint8Array(1000),
          storeTimestamp: 1_000_000 + i * 1000,
        }),
      );
    }
  }
  crashed(dir.path);
  await using store = await openStore(config);
  // 14 records per segment; the checkpoint vouches for 1_059_000 - 3 s: segment 4 starts at
  // record 56, stored at 1_056_000.
  assert.equal(store.recovery.from, 4 * SEGMENT);
  assert.equal(store.recovery.records, 4);
  assert.equal(store.getMaxOffsetInQueue("T", 0), 30);
  await readAll(store, "T", 2);
});

Deno.test("recover() after a crash skips a record with a damaged body and keeps what follows", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  const puts = await fill(config, 100);
  const victim = puts[70].append!;
  const last = puts[99].append!;
  const end = last.wroteOffset + last.wroteBytes;
  patch(
    segmentPath(dir.path, victim.wroteOffset),
    victim.wroteOffset % SEGMENT + 150,
    new Uint8Array([0xff]),
  );
  crashed(dir.path);
  const damaged = { from: victim.wroteOffset, to: victim.wroteOffset + victim.wroteBytes };
  const gaps = new Set(["0:35"]);
  {
    await using store = await openStore(config);
    assert.equal(store.recovery.end, end, "nothing after the damage is lost");
    assert.equal(store.recovery.stop, "end of data");
    assert.deepEqual(store.recovery.damaged, [damaged]);
    // The damaged record's bytes are kept aside for inspection.
    const aside = Deno.readFileSync(`${dir.path}/quarantine/${quarantineFileName(damaged)}`);
    assert.equal(aside.length, victim.wroteBytes);
    assert.equal(store.getMaxOffsetInQueue("T", 0), 50);
    assert.equal(store.getMaxOffsetInQueue("T", 1), 50);
    const read = await readAll(store, "T", 2, gaps);
    assert.equal(read[0].length, 49, "only the damaged message is missing");
    assert.equal(read[1].length, 50);
    const now = Date.now() + 1000;
    for (const [key, n] of [["k69", 1], ["k70", 0], ["k80", 1]] as const) {
      assert.equal((await store.queryMessage("T", key, 32, 0, now)).messages.length, n, key);
    }
    // Queue offsets are never given out twice.
    const r = await store.putMessage(message("T", 0, {}, { body: new Uint8Array(10) }));
    assert.equal(r.append!.wroteOffset, end);
    assert.equal(r.append!.queueOffset, 50);
  }
  await using store = await openStore(config);
  assert.equal(store.getMaxOffsetInQueue("T", 0), 51);
  assert.equal((await readAll(store, "T", 2, gaps))[0].length, 50);
});

Deno.test("recover() finds where records resume after a damaged size field or a hole", async () => {
  for (
    const [what, at, bytes] of [
      ["size field of the first record", 0, new Uint8Array([0x7f])],
      ["magic mid-log", 4, new Uint8Array([0, 0])],
      ["a hole of zeros", 0, new Uint8Array(700)],
    ] as const
  ) {
    await using dir = await tempDir();
    const config = { storePathRootDir: dir.path, ...SMALL_FILES };
    const puts = await fill(config, 40);
    const victim = puts[at === 4 ? 20 : 0].append!;
    const end = puts[39].append!.wroteOffset + puts[39].append!.wroteBytes;
    patch(segmentPath(dir.path, victim.wroteOffset), victim.wroteOffset % SEGMENT + at, bytes);
    crashed(dir.path);
    await using store = await openStore(config);
    assert.equal(store.recovery.end, end, what);
    const [range] = store.recovery.damaged;
    assert.equal(range.from, victim.wroteOffset, what);
    assert.ok(range.to >= victim.wroteOffset + victim.wroteBytes, what);
    const lost = puts.filter((p) => p.append!.wroteOffset < range.to).length -
      puts.filter((p) => p.append!.wroteOffset < range.from).length;
    const total = store.getMaxOffsetInQueue("T", 0) + store.getMaxOffsetInQueue("T", 1);
    assert.equal(total, 40, `${what}: queue offsets kept`);
    const read = await readAll(
      store,
      "T",
      2,
      new Set(
        puts.filter((p) => {
          const o = p.append!.wroteOffset;
          return o >= range.from && o < range.to;
        }).map((p) => `${puts.indexOf(p) % 2}:${p.append!.queueOffset}`),
      ),
    );
    assert.equal(read[0].length + read[1].length, 40 - lost, what);
    assert.ok(lost <= 2, `${what}: at most the damaged records are lost (${lost})`);
  }
});

Deno.test("recover() cuts a torn last record of a truncated segment", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  const puts = await fill(config, 60);
  const last = puts[59].append!;
  const path = segmentPath(dir.path, last.wroteOffset);
  const f = Deno.openSync(path, { write: true });
  f.truncateSync(last.wroteOffset % SEGMENT + 100);
  f.close();
  crashed(dir.path);
  await using store = await openStore(config);
  assert.equal(Deno.statSync(path).size, SEGMENT, "the short file is extended again");
  assert.equal(store.recovery.end, last.wroteOffset);
  assert.equal(store.getMaxOffsetInQueue("T", 1), 29);
  await readAll(store, "T", 2);
});

Deno.test("recover() zeroes garbage after the last record", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  const puts = await fill(config, 10);
  const end = puts[9].append!.wroteOffset + puts[9].append!.wroteBytes;
  const garbage = crypto.getRandomValues(new Uint8Array(500));
  patch(segmentPath(dir.path, end), end % SEGMENT, garbage);
  crashed(dir.path);
  {
    await using store = await openStore(config);
    assert.equal(store.recovery.end, end);
    assert.notEqual(store.recovery.stop, "end of data");
  }
  const bytes = Deno.readFileSync(segmentPath(dir.path, end));
  assert.ok(bytes.subarray(end % SEGMENT).every((b) => b === 0));
});

Deno.test("recover() keeps the blank record and skips a damaged record at a segment start", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  const puts = await fill(config, 80);
  const i = puts.findIndex((p) => p.append!.wroteOffset >= SEGMENT);
  const firstInSecond = puts[i].append!;
  assert.equal(firstInSecond.wroteOffset, SEGMENT);
  const before = puts[i - 1].append!;
  const end = puts[79].append!.wroteOffset + puts[79].append!.wroteBytes;
  patch(segmentPath(dir.path, SEGMENT), 100, new Uint8Array(40));
  crashed(dir.path);
  await using store = await openStore(config);
  assert.equal(store.recovery.end, end);
  assert.deepEqual(store.recovery.damaged, [
    { from: SEGMENT, to: SEGMENT + firstInSecond.wroteBytes },
  ]);
  const seg0 = Deno.readFileSync(segmentPath(dir.path, 0));
  const blankAt = before.wroteOffset + before.wroteBytes;
  const v = new DataView(seg0.buffer);
  assert.equal(v.getInt32(blankAt), SEGMENT - blankAt);
  assert.equal(v.getInt32(blankAt + 4), BLANK_MAGIC);
  await readAll(store, "T", 2, new Set([`${i % 2}:${firstInSecond.queueOffset}`]));
  const r = await store.putMessage(message("T", 0, {}, { body: new Uint8Array(10) }));
  assert.ok(r.append!.wroteOffset >= end, "new records go after the kept ones");
  assert.equal(r.append!.queueOffset, 40);
});

Deno.test("recover() rebuilds lost consume queues and index from the commit log", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  await fill(config, 150);
  let before: number[][];
  {
    await using store = await openStore(config);
    before = await readAll(store, "T", 2);
  }
  Deno.removeSync(`${dir.path}/consumequeue`, { recursive: true });
  Deno.removeSync(`${dir.path}/index`, { recursive: true });
  Deno.removeSync(`${dir.path}/checkpoint`);
  crashed(dir.path);
  await using store = await openStore(config);
  assert.equal(store.recovery.from, 0);
  assert.equal(store.recovery.records, 150);
  assert.deepEqual(await readAll(store, "T", 2), before);
  const q = await store.queryMessage("T", "k17", 32, 0, Date.now() + 1000);
  assert.equal(decodeMessageRecord(q.messages[0]).queueOffset, 8);
});

Deno.test("recover() drops queue entries that point past the commit log", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  const puts = await fill(config, 40);
  // Lose the log's tail as an OS crash could while the queue files survived.
  const cut = puts[30].append!.wroteOffset;
  zeroLogFrom(dir.path, cut);
  crashed(dir.path);
  await using store = await openStore(config);
  assert.equal(store.recovery.end, cut);
  assert.equal(store.getMaxOffsetInQueue("T", 0), 15);
  assert.equal(store.getMaxOffsetInQueue("T", 1), 15);
  await readAll(store, "T", 2);
});

/**
 * Runs the crash writer until a random moment after `minAcks` acknowledgements and SIGKILLs
 * it; returns the acknowledged ids.
 */
async function runAndKill(
  dir: string,
  firstId: number,
  minAcks = 1,
): Promise<Map<number, number[]>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../helpers/store_crash_writer.ts", import.meta.url).pathname,
      dir,
      String(firstId),
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const acked = new Map<number, number[]>();
  const killAfter = 30 + Math.random() * 300;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const failSafe = setTimeout(() => child.kill("SIGKILL"), 20_000);
  let rest = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      const [, id, q, qo, phy] = line.split(" ").map(Number);
      acked.set(id, [q, qo, phy]);
    }
    if (acked.size >= minAcks) killTimer ??= setTimeout(() => child.kill("SIGKILL"), killAfter);
  }
  const status = await child.status;
  clearTimeout(killTimer);
  clearTimeout(failSafe);
  assert.equal(status.signal, "SIGKILL");
  return acked;
}

Deno.test({
  name: "MessageStore keeps every SYNC_FLUSH-acknowledged message through SIGKILLs",
  async fn() {
    await using dir = await tempDir();
    const config = { storePathRootDir: dir.path, ...CRASH_CONFIG };
    const all = new Map<number, number[]>();
    let nextId = 0;
    for (let round = 0; round < 3; round++) {
      // Two crashes in a row: the second writer recovers from the first.
      for (let k = 0; k < 2; k++) {
        const acked = await runAndKill(dir.path, nextId);
        assert.ok(acked.size > 0, "the writer acknowledged messages before it was killed");
        for (const [id, v] of acked) all.set(id, v);
        nextId += 1_000_000;
      }
      assert.ok(Deno.statSync(`${dir.path}/abort`).isFile);
      await using store = await openStore(config);
      if (Deno.env.get("DEBUG_CRASH")) console.log(all.size, store.recovery);
      for (const [id, [q, qo, phy]] of all) {
        const raw = await store.lookMessageByOffset(phy);
        assert.ok(raw, `acknowledged message ${id} is present`);
        const m = decodeMessageRecord(raw);
        assert.deepEqual(m.body, crashBody(id));
        assert.equal(decodeProperties(m.properties).KEYS, `id-${id}`);
        assert.equal(m.queueId, q);
        assert.equal(m.queueOffset, qo);
        assert.equal(await store.getCommitLogOffsetInQueue("Crash", q, qo), phy);
      }
      const seen = await readAll(store, "Crash", CRASH_QUEUES);
      const total = seen.reduce((n, s) => n + s.length, 0);
      assert.ok(total >= all.size);
      const sample = [...all.keys()][Math.floor(Math.random() * all.size)];
      const q = await store.queryMessage("Crash", `id-${sample}`, 32, 0, Date.now() + 1000);
      assert.equal(q.messages.length, 1, `index finds message ${sample}`);
    }
  },
});

Deno.test("recover() drops index entries past the cut, so records written there are found by key", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  const puts = await fill(config, 40);
  const cut = puts[30].append!.wroteOffset;
  zeroLogFrom(dir.path, cut);
  crashed(dir.path);
  await using store = await openStore(config);
  assert.equal(store.recovery.end, cut);
  const now = Date.now() + 60_000;
  assert.equal((await store.queryMessage("T", "k31", 32, 0, now)).messages.length, 0);
  assert.equal((await store.queryMessage("T", "k29", 32, 0, now)).messages.length, 1);
  // The next record takes the offset k30 had; the index must point at it under its own key.
  const r = await store.putMessage(message("T", 0, { KEYS: "fresh" }));
  assert.equal(r.append!.wroteOffset, cut);
  const found = await store.queryMessage("T", "fresh", 32, 0, now);
  assert.equal(found.messages.length, 1);
  assert.equal(decodeMessageRecord(found.messages[0]).physicalOffset, cut);
});

/** Copies a store's files as they are on disk now: what a crash at this moment leaves. */
function crashImage(from: string, to: string): void {
  for (const e of Deno.readDirSync(from)) {
    if (e.name === "lock") continue;
    if (e.isDirectory) {
      Deno.mkdirSync(`${to}/${e.name}`, { recursive: true });
      crashImage(`${from}/${e.name}`, `${to}/${e.name}`);
    } else Deno.copyFileSync(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

Deno.test("the checkpoint is written at open and at each new segment, so a crash replays little", async () => {
  await using dir = await tempDir();
  await using image = await tempDir();
  const config = { storePathRootDir: `${dir.path}/s`, ...SMALL_FILES };
  {
    await using store = await openStore(config);
    assert.ok(Deno.statSync(`${dir.path}/s/checkpoint`).isFile, "written at open");
    // Store times a second apart, as a real flow would have them (recovery allows 3 s of
    // clock jitter, so records stored within the same few seconds are all replayed).
    const at = (i: number) => ({ storeTimestamp: 1_000_000_000 + i * 1000 });
    for (let i = 0; i < 300; i++) {
      const r = await store.putMessage(
        message("T", i % 2, {}, { body: new Uint8Array(300), ...at(i) }),
      );
      assert.equal(r.status, PutStatus.PUT_OK);
    }
    // Rolling to a new segment checkpoints the one before: a crash now replays from there.
    const lastSegment = store.maxPhyOffset - (store.maxPhyOffset % SEGMENT);
    const big = { body: new Uint8Array(SEGMENT / 2) };
    await store.putMessage(message("T", 0, {}, { ...big, ...at(300) }));
    await store.putMessage(message("T", 0, {}, { ...big, ...at(301) }));
    const deadline = Date.now() + 3000;
    while (
      decodeCheckpoint(Deno.readFileSync(`${dir.path}/s/checkpoint`)).confirmPhyOffset <
        lastSegment
    ) {
      assert.ok(Date.now() < deadline, "checkpoint follows the new segment");
      await new Promise((r) => setTimeout(r, 10));
    }
    Deno.mkdirSync(`${image.path}/s`);
    crashImage(`${dir.path}/s`, `${image.path}/s`);
  }
  await using crashed = await openStore({ ...config, storePathRootDir: `${image.path}/s` });
  assert.ok(crashed.recovery.from >= SEGMENT * 4, `replay starts late: ${crashed.recovery.from}`);
  assert.equal(crashed.getMaxOffsetInQueue("T", 0), 152);
});

Deno.test("after a SIGKILL, one flipped byte mid-log loses one message and no queue offset", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...CRASH_CONFIG };
  const acked = await runAndKill(dir.path, 0, 21);
  assert.ok(acked.size > 20, `enough acknowledged messages: ${acked.size}`);
  // The crash came before any checkpoint: recovery reads the whole log.
  Deno.writeFileSync(`${dir.path}/checkpoint`, new Uint8Array(4096));
  const byOffset = [...acked].sort((a, b) => a[1][2] - b[1][2]);
  const [victimId, [vq, vqo, vphy]] = byOffset[Math.floor(byOffset.length / 2)];
  const segment = CRASH_CONFIG.mappedFileSizeCommitLog!;
  const path = `${dir.path}/commitlog/${offsetToFileName(vphy - (vphy % segment))}`;
  // Inside the body, which the CRC covers: it starts 88 bytes in (IPv4 hosts) and every crash
  // body has at least 9 bytes. (At a fixed 120 bytes in, a short body put the flip among the
  // properties, which no check covers.)
  patch(path, vphy % segment + 88 + 4, new Uint8Array([0xa5]));
  await using store = await openStore(config);
  assert.equal(store.recovery.damaged.length, 1);
  assert.equal(store.recovery.damaged[0].from, vphy);
  let survived = 0;
  for (const [id, [q, qo, phy]] of acked) {
    const raw = await store.lookMessageByOffset(phy);
    if (id === victimId) {
      assert.equal(raw, undefined, "the damaged message is not served");
      continue;
    }
    assert.ok(raw, `acknowledged message ${id} survives`);
    assert.equal(await store.getCommitLogOffsetInQueue("Crash", q, qo), phy);
    survived++;
  }
  assert.equal(survived, acked.size - 1);
  // New messages of the damaged message's queue never take an offset already given out.
  const max = store.getMaxOffsetInQueue("Crash", vq);
  assert.ok(max > vqo);
  const r = await store.putMessage(message("Crash", vq, {}, { body: new Uint8Array(10) }));
  assert.equal(r.append!.queueOffset, max);
});
