import assert from "node:assert/strict";
import {
  ConsumeQueue,
  decodeCqEntry,
  encodeCqEntry,
  FILLER_SIZE,
} from "../../src/store/consume_queue.ts";
import { FileHandles } from "../../src/store/file_handles.ts";
import { offsetToFileName } from "../../src/store/segment_file.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const GOLDEN = loadHexFixture("consume_queue_entries.hex");
const ENTRIES = [
  { commitLogOffset: 4294967312, size: 168, tagsCode: 2598919 },
  { commitLogOffset: 0, size: 91, tagsCode: -1580979136 },
  { commitLogOffset: 1024, size: 200, tagsCode: 1700000010000 },
];

Deno.test({
  name: "encodeCqEntry() writes the golden bytes",
  permissions: "none",
  fn() {
    const out = new Uint8Array(60);
    ENTRIES.forEach((e, i) => encodeCqEntry(out, i * 20, e.commitLogOffset, e.size, e.tagsCode));
    assert.deepEqual(out, GOLDEN);
  },
});

Deno.test({
  name: "decodeCqEntry() reads the golden bytes",
  permissions: "none",
  fn() {
    ENTRIES.forEach((e, i) =>
      assert.deepEqual(decodeCqEntry(GOLDEN, i * 20, 7 + i), { offset: 7 + i, ...e })
    );
  },
});

const FILE = 10 * 20;

function queue(root: string): ConsumeQueue {
  const cq = new ConsumeQueue(root, "T", 3, FILE, new FileHandles());
  cq.load();
  return cq;
}

Deno.test("ConsumeQueue writes full-length files named by byte offset and reloads their end", async () => {
  await using dir = await tempDir();
  const cq = queue(dir.path);
  for (let i = 0; i < 25; i++) cq.put(i, 1000 + i * 100, 100, i);
  assert.equal(cq.maxOffset, 0, "unwritten entries are not visible");
  cq.writePending();
  assert.equal(cq.maxOffset, 25);
  cq.close();
  const names = [...Deno.readDirSync(`${dir.path}/T/3`)].map((e) => e.name).sort();
  assert.deepEqual(names, [0, 200, 400].map(offsetToFileName));
  for (const n of names) assert.equal(Deno.statSync(`${dir.path}/T/3/${n}`).size, FILE);
  const again = queue(dir.path);
  assert.equal(again.minOffset, 0);
  assert.equal(again.maxOffset, 25);
  assert.equal(again.nextOffset, 25);
  assert.deepEqual(again.entry(13), { offset: 13, commitLogOffset: 2300, size: 100, tagsCode: 13 });
  assert.equal(again.readEntries(8, 32)!.length, 2 * 20, "a read stops at the file end");
  assert.equal(again.readEntries(25, 1), undefined);
  again.close();
});

Deno.test("ConsumeQueue.put() skips repeats, fills gaps, and overwrites when recovering", async () => {
  await using dir = await tempDir();
  const cq = queue(dir.path);
  cq.put(0, 0, 100, 0);
  cq.put(1, 100, 100, 0);
  cq.put(1, 999, 100, 0);
  cq.put(4, 400, 100, 0);
  cq.writePending();
  assert.equal(cq.maxOffset, 5);
  assert.equal(cq.entry(1)!.commitLogOffset, 100);
  assert.deepEqual(cq.entry(2), { offset: 2, commitLogOffset: 0, size: FILLER_SIZE, tagsCode: 0 });
  cq.put(1, 111, 50, 7, true);
  cq.put(2, 222, 50, 7, true);
  cq.writePending();
  assert.equal(cq.entry(1)!.commitLogOffset, 111);
  assert.equal(cq.entry(2)!.commitLogOffset, 222);
  assert.equal(cq.entry(4)!.commitLogOffset, 400);
  cq.close();
});

Deno.test("ConsumeQueue of a queue starting mid-way pads its first file", async () => {
  await using dir = await tempDir();
  const cq = queue(dir.path);
  cq.put(13, 5000, 100, 0);
  cq.writePending();
  assert.equal(cq.minOffset, 13);
  assert.equal(cq.maxOffset, 14);
  cq.close();
  const again = queue(dir.path);
  assert.equal(again.maxOffset, 14);
  again.correctMinOffset(1);
  assert.equal(again.minOffset, 13);
  again.close();
});

Deno.test("ConsumeQueue.truncate() zeroes entries and deletes later files", async () => {
  await using dir = await tempDir();
  const cq = queue(dir.path);
  for (let i = 0; i < 25; i++) cq.put(i, i * 100, 100, 0);
  cq.writePending();
  cq.truncate(7);
  assert.equal(cq.maxOffset, 7);
  assert.equal(cq.nextOffset, 7);
  assert.deepEqual([...Deno.readDirSync(`${dir.path}/T/3`)].map((e) => e.name), [
    offsetToFileName(0),
  ]);
  cq.close();
  assert.equal(queue(dir.path).maxOffset, 7);
});

Deno.test("ConsumeQueue.deleteExpired() drops files below the commit log and moves the min", async () => {
  await using dir = await tempDir();
  const cq = queue(dir.path);
  for (let i = 0; i < 35; i++) cq.put(i, i * 100, 100, 0);
  cq.writePending();
  assert.equal(cq.deleteExpired(1250), 1);
  assert.equal(cq.minOffset, 13);
  assert.equal(cq.files.length, 3);
  assert.equal(cq.deleteExpired(100_000), 2, "never the last file");
  assert.equal(cq.minOffset, 35);
  cq.close();
});

Deno.test("ConsumeQueue.cursor() walks written entries within one file, reading in blocks", async () => {
  await using dir = await tempDir();
  const cq = queue(dir.path);
  for (let i = 0; i < 25; i++) cq.put(i, 1000 + i * 100, 100, i);
  cq.writePending();
  const walk = (from: number, max: number) => {
    const out: number[] = [];
    const c = cq.cursor(from, max);
    while (c?.next()) {
      assert.deepEqual(c.entry(), cq.entry(c.offset));
      out.push(c.offset);
    }
    return out;
  };
  assert.deepEqual(walk(3, 100), [3, 4, 5, 6, 7, 8, 9], "stops at the end of the file of 3");
  assert.deepEqual(walk(12, 3), [12, 13, 14], "stops after max");
  assert.deepEqual(walk(20, 100), [20, 21, 22, 23, 24], "stops at the written end");
  assert.equal(cq.cursor(25, 1), undefined);
  cq.close();
});

Deno.test("ConsumeQueue.assignOffsets() hands out consecutive offsets from the end", async () => {
  await using dir = await tempDir();
  const cq = queue(dir.path);
  assert.equal(cq.assignOffsets(3), 0);
  assert.equal(cq.assignOffsets(1), 3);
  assert.equal(cq.nextOffset, 4);
  for (let i = 0; i < 2; i++) cq.put(i, i * 100, 100, 0);
  cq.writePending();
  cq.syncNextOffset();
  assert.equal(cq.nextOffset, 2, "after recovery, puts continue after the last entry");
  cq.close();
});
