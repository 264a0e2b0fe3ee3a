import assert from "node:assert/strict";
import { diskUsagePercent, isTimeToDelete } from "../../src/store/clean_service.ts";
import { GetStatus, PutStatus } from "../../src/store/message_store.ts";
import type { StoreConfig } from "../../src/store/message_store.ts";
import { message, openStore, SMALL_FILES } from "../helpers/store.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test({
  name: "isTimeToDelete() matches the local hour against deleteWhen",
  permissions: "none",
  fn() {
    const at = (h: number) => new Date(2024, 5, 1, h, 30).getTime();
    assert.equal(isTimeToDelete("04", at(4)), true);
    assert.equal(isTimeToDelete("04", at(5)), false);
    assert.equal(isTimeToDelete("04;16", at(16)), true);
    assert.equal(isTimeToDelete("", at(0)), false);
  },
});

Deno.test("diskUsagePercent() measures the file system", async () => {
  await using dir = await tempDir();
  const p = diskUsagePercent(dir.path);
  assert.ok(p > 0 && p < 100, `${p}`);
});

/** A store with 4 commit-log segments of 16 KiB whose first two are 100 h old. */
async function agedStore(dir: string, config: Partial<StoreConfig> = {}) {
  const store = await openStore({ storePathRootDir: dir, ...SMALL_FILES, ...config });
  const body = new Uint8Array(1000);
  for (let i = 0; i < 50; i++) {
    const r = await store.putMessage(message("T", i % 2, { KEYS: `k${i}` }, { body }));
    assert.equal(r.status, PutStatus.PUT_OK);
  }
  await store.flush();
  const segs = [...Deno.readDirSync(`${dir}/commitlog`)].map((e) => e.name).sort();
  assert.equal(segs.length, 4);
  const old = new Date(Date.now() - 100 * 3_600_000);
  for (const s of segs.slice(0, 2)) Deno.utimeSync(`${dir}/commitlog/${s}`, old, old);
  return store;
}

const NEVER = { deleteWhen: "25", diskMaxUsedSpaceRatio: 100, diskSpaceCleanForciblyRatio: 100 };

Deno.test("cleanExpiredFiles() deletes expired segments only at a deleteWhen hour", async () => {
  await using dir = await tempDir();
  const now = Date.now();
  const hour = String(new Date(now).getHours()).padStart(2, "0");
  await using store = await agedStore(dir.path, {
    ...NEVER,
    deleteWhen: hour === "00" ? "01" : "00",
  });
  assert.equal(store.cleanExpiredFiles(now), 0);
  store.config.deleteWhen = hour;
  assert.equal(store.cleanExpiredFiles(now), 2);
  assert.equal(store.minPhyOffset, 2 * 16 * 1024);
  assert.equal([...Deno.readDirSync(`${dir.path}/commitlog`)].length, 2);
  // Queue files and min offsets follow: queue files hold 50 entries, so check min offsets.
  const min0 = store.getMinOffsetInQueue("T", 0);
  assert.equal(min0, 14, "28 of 50 records were in the deleted segments");
  const g = await store.getMessage("G", "T", 0, 0, 32);
  assert.equal(g.status, GetStatus.OFFSET_TOO_SMALL);
  assert.equal(g.nextBeginOffset, min0);
  assert.equal((await store.queryMessage("T", "k3", 32, 0, now + 1000)).messages.length, 0);
  assert.equal((await store.queryMessage("T", "k40", 32, 0, now + 1000)).messages.length, 1);
});

Deno.test("cleanExpiredFiles() deletes expired segments at any hour when the disk passes diskMaxUsedSpaceRatio", async () => {
  await using dir = await tempDir();
  await using store = await agedStore(dir.path, { ...NEVER, diskMaxUsedSpaceRatio: 0 });
  assert.equal(store.cleanExpiredFiles(), 2);
  assert.equal(store.cleanExpiredFiles(), 0, "the rest are not expired");
});

Deno.test("cleanExpiredFiles() deletes unexpired segments above diskSpaceCleanForciblyRatio", async () => {
  await using dir = await tempDir();
  await using store = await agedStore(dir.path, {
    ...NEVER,
    diskMaxUsedSpaceRatio: 0,
    diskSpaceCleanForciblyRatio: 0,
  });
  assert.equal(store.cleanExpiredFiles(), 3, "all but the last segment");
  assert.equal(store.isWritable, true);
  assert.equal(store.getMinOffsetInQueue("T", 0), store.getMaxOffsetInQueue("T", 0) - 4);
});

Deno.test("executeDeleteFilesManually() deletes expired segments at any hour", async () => {
  await using dir = await tempDir();
  await using store = await agedStore(dir.path, NEVER);
  assert.equal(store.cleanExpiredFiles(), 0);
  store.executeDeleteFilesManually();
  assert.equal(store.cleanExpiredFiles(), 2);
});

Deno.test("putMessage() answers SERVICE_NOT_AVAILABLE while the disk is above diskSpaceWarningLevelRatio", async () => {
  await using dir = await tempDir();
  await using store = await openStore({
    storePathRootDir: dir.path,
    diskSpaceWarningLevelRatio: 0,
  });
  assert.equal(store.isWritable, false);
  const r = await store.putMessage(message("T", 0));
  assert.equal(r.status, PutStatus.SERVICE_NOT_AVAILABLE);
  assert.match(r.remark!, /disk full: [\d.]+% used/);
  store.config.diskSpaceWarningLevelRatio = 100;
  store.config.diskSpaceCleanForciblyRatio = 100;
  store.cleanExpiredFiles();
  assert.equal((await store.putMessage(message("T", 0))).status, PutStatus.PUT_OK);
});

Deno.test("cleanExpiredConsumeQueues() deletes the queues whose messages all expired", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES, ...NEVER, diskMaxUsedSpaceRatio: 0 };
  {
    await using store = await openStore(config);
    const body = new Uint8Array(1000);
    // 20 messages fill the first two 16 KiB segments' worth of "Old", 30 more "New" follow.
    for (let i = 0; i < 50; i++) {
      const r = await store.putMessage(message(i < 20 ? "Old" : "New", i % 2, {}, { body }));
      assert.equal(r.status, PutStatus.PUT_OK);
    }
    await store.flush();
    assert.equal(await store.cleanExpiredConsumeQueues(), 0, "nothing expired yet");
    const segs = [...Deno.readDirSync(`${dir.path}/commitlog`)].map((e) => e.name).sort();
    const old = new Date(Date.now() - 100 * 3_600_000);
    for (const s of segs.slice(0, 2)) Deno.utimeSync(`${dir.path}/commitlog/${s}`, old, old);
    assert.equal(store.cleanExpiredFiles(), 2);
    assert.equal(await store.cleanExpiredConsumeQueues(), 2, "both queues of Old");
    assert.deepEqual(store.topics(), ["New"]);
    assert.equal(store.hasConsumeQueue("Old", 0), false);
    assert.equal(store.getMaxOffsetInQueue("New", 0), 15);
  }
  await using again = await openStore(config);
  assert.deepEqual(again.topics(), ["New"], "the deleted queues stay deleted after a restart");
});

Deno.test("cleanUnusedTopics() deletes the queues of topics not kept, never the schedule's", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path, ...SMALL_FILES });
  for (const topic of ["Kept", "Gone", "SCHEDULE_TOPIC_XXXX"]) {
    assert.equal((await store.putMessage(message(topic, 0))).status, PutStatus.PUT_OK);
  }
  await store.flush();
  assert.equal(await store.cleanUnusedTopics(new Set(["Kept"])), 1);
  assert.deepEqual(store.topics().sort(), ["Kept", "SCHEDULE_TOPIC_XXXX"]);
  const g = await store.getMessage("G", "Gone", 0, 0, 32);
  assert.equal(g.status, GetStatus.NO_MATCHED_LOGIC_QUEUE);
});
