import assert from "node:assert/strict";
import { MessageStore, PutStatus } from "../../src/store/message_store.ts";
import { offsetToFileName } from "../../src/store/segment_file.ts";
import { message, SMALL_FILES } from "./store.ts";
import { tempDir } from "./temp_dir.ts";
import { verifyStore } from "./verify_store.ts";

/** A closed store of 20 keyed messages on two queues of topic T; returns its config. */
async function writtenStore(dir: string) {
  const config = { storePathRootDir: dir, ...SMALL_FILES };
  await using store = await MessageStore.open(config);
  for (let i = 0; i < 20; i++) {
    const r = await store.putMessage(message("T", i % 2, { KEYS: `k${i}`, TAGS: "a" }));
    assert.equal(r.status, PutStatus.PUT_OK);
  }
  return config;
}

function patch(path: string, pos: number, bytes: Uint8Array): void {
  const f = Deno.openSync(path, { write: true });
  f.seekSync(pos, Deno.SeekMode.Start);
  f.writeSync(bytes);
  f.close();
}

Deno.test("verifyStore() counts a consistent store", async () => {
  await using dir = await tempDir();
  const config = await writtenStore(dir.path);
  assert.deepEqual(verifyStore(config), { records: 20, queues: 2, entries: 20, indexEntries: 20 });
});

Deno.test("verifyStore() finds a damaged record, a wrong queue entry, a lost one and a stray index entry", async () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    [
      "body CRC",
      (dir) => patch(`${dir}/commitlog/${offsetToFileName(0)}`, 100, new Uint8Array([0x5a])),
      /matches its body CRC/,
    ],
    [
      "queue entry size",
      (dir) =>
        patch(`${dir}/consumequeue/T/0/${offsetToFileName(0)}`, 8, new Uint8Array([0, 0, 0, 5])),
      /entry 0 has the record's size/,
    ],
    [
      "queue entry lost",
      (dir) => patch(`${dir}/consumequeue/T/1/${offsetToFileName(0)}`, 9 * 20, new Uint8Array(20)),
      /is past its queue's end 9/,
    ],
    [
      "index entry",
      (dir) => {
        const index = [...Deno.readDirSync(`${dir}/index`)][0].name;
        const entry1 = 40 + SMALL_FILES.maxHashSlotNum! * 4 + 20;
        patch(`${dir}/index/${index}`, entry1 + 4, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 7]));
      },
      /entry 1 points at 7, where no record starts/,
    ],
  ];
  for (const [what, damage, expected] of cases) {
    await using dir = await tempDir();
    const config = await writtenStore(dir.path);
    damage(dir.path);
    assert.throws(() => verifyStore(config), expected, what);
  }
});
