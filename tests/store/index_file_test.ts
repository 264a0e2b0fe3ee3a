import assert from "node:assert/strict";
import {
  decodeIndexEntry,
  decodeIndexHeader,
  encodeIndexEntry,
  encodeIndexHeader,
  IndexFile,
  indexFileName,
  indexKeyHash,
} from "../../src/store/index_file.ts";
import { FileHandles } from "../../src/store/file_handles.ts";
import { IndexService } from "../../src/store/index_service.ts";
import { encodeProperties } from "../../src/common/message/properties.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const HEADER_BYTES = loadHexFixture("index_header.hex");
const ENTRY_BYTES = loadHexFixture("index_entry.hex");
const HEADER = {
  beginTimestamp: 1700000000000,
  endTimestamp: 1700000005000,
  beginPhyOffset: 0,
  endPhyOffset: 4096,
  hashSlotCount: 3,
  indexCount: 5,
};
const ENTRY = { keyHash: 2539445, phyOffset: 4096, timeDiff: 5, prevIndex: 2 };

Deno.test({
  name: "encodeIndexHeader() and encodeIndexEntry() write the golden bytes",
  permissions: "none",
  fn() {
    assert.deepEqual(encodeIndexHeader(HEADER), HEADER_BYTES);
    const entry = new Uint8Array(20);
    encodeIndexEntry(entry, 0, ENTRY);
    assert.deepEqual(entry, ENTRY_BYTES);
  },
});

Deno.test({
  name: "decodeIndexHeader() and decodeIndexEntry() read the golden bytes",
  permissions: "none",
  fn() {
    assert.deepEqual(decodeIndexHeader(HEADER_BYTES), HEADER);
    assert.deepEqual(decodeIndexEntry(ENTRY_BYTES, 0), ENTRY);
    assert.equal(
      decodeIndexHeader(new Uint8Array(40)).indexCount,
      1,
      "an unwritten header counts 1",
    );
    assert.throws(() => decodeIndexHeader(new Uint8Array(39)), /39 bytes/);
  },
});

Deno.test({
  name: "indexKeyHash() is abs(Java hashCode) with MIN_VALUE mapped to 0",
  permissions: "none",
  fn() {
    assert.equal(indexKeyHash("T#k1"), 2539445);
    assert.equal(indexKeyHash("zzzzzzzzzz"), 1580979136);
    assert.equal(indexKeyHash("polygenelubricants"), 0);
  },
});

Deno.test({
  name: "indexFileName() is the local time as yyyyMMddHHmmssSSS",
  permissions: "none",
  fn() {
    assert.equal(indexFileName(new Date(2024, 0, 2, 3, 4, 5, 6).getTime()), "20240102030405006");
  },
});

Deno.test("IndexFile finds keys newest first within a time range, from memory and from disk", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/20240102030405006`;
  const f = IndexFile.create(path, 4, 20, 0, 0, new FileHandles());
  assert.equal(Deno.statSync(path).size, 40 + 4 * 4 + 20 * 20);
  for (let i = 0; i < 12; i++) {
    assert.ok(f.putKey(`T#k${i % 3}`, 100 * i, 1_000_000 + i * 1000));
  }
  const find = (file: IndexFile, key: string, begin = 0, end = 2_000_000) => {
    const out: number[] = [];
    file.selectPhyOffsets(out, key, 32, begin, end);
    return out;
  };
  assert.deepEqual(find(f, "T#k1"), [1000, 700, 400, 100]);
  assert.deepEqual(find(f, "T#k1", 1_002_000, 1_008_000), [700, 400]);
  assert.equal(f.header.indexCount, 13);
  assert.equal(f.header.beginTimestamp, 1_000_000);
  assert.equal(f.header.endPhyOffset, 1100);
  f.writeAll();
  f.close();
  const g = IndexFile.open(path, 4, 20, new FileHandles());
  assert.deepEqual(g.header, f.header);
  assert.deepEqual(find(g, "T#k1"), [1000, 700, 400, 100], "slots read from the file");
  g.markRebuild();
  assert.deepEqual(find(g, "T#k2"), [1100, 800, 500, 200], "slots rebuilt from entries");
  for (let i = 12; i < 19; i++) assert.ok(g.putKey("T#x", i, 1_020_000));
  assert.equal(g.isWriteFull, true);
  assert.equal(g.putKey("T#x", 99, 1_020_000), false);
  g.close();
});

Deno.test("IndexService rolls files and queries across them", async () => {
  await using dir = await tempDir();
  const svc = new IndexService(dir.path, 8, 10, 64, new FileHandles());
  svc.load(true);
  for (let i = 0; i < 30; i++) {
    svc.buildIndex({
      topic: "T",
      properties: encodeProperties({ KEYS: `a k${i}`, UNIQ_KEY: `U${i}` }),
      commitLogOffset: i * 100,
      storeTimestamp: 5_000 + i * 1000,
      sysFlag: 0,
    });
  }
  svc.writePending();
  assert.ok(svc.files.length >= 9);
  const r = svc.queryOffset("T", "a", 100, 0, 100_000);
  assert.deepEqual(r.phyOffsets, [...Array(30).keys()].reverse().map((i) => i * 100));
  assert.equal(r.indexLastUpdatePhyoffset, 2900);
  assert.deepEqual(svc.queryOffset("T", "U7", 10, 0, 100_000).phyOffsets, [700]);
  assert.equal(svc.deleteExpiredFile(1500) > 0, true);
  assert.ok(svc.queryOffset("T", "a", 100, 0, 100_000).phyOffsets.every((p) => p >= 1200));
  await svc.flush();
  svc.close();
});
