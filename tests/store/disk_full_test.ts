/**
 * A real full disk: a small tmpfs mounted for the test (needs root with CAP_SYS_ADMIN; skipped
 * with one line elsewhere), filled by another file so the commit log's writes fail with ENOSPC.
 */
import assert from "node:assert/strict";
import { decodeMessageRecord } from "../../src/common/message/message_codec.ts";
import type { MessageStore, StoreConfig } from "../../src/store/message_store.ts";
import { captureLogs } from "../helpers/remoting.ts";
import { message, openStore, SMALL_FILES, text } from "../helpers/store.ts";

async function mountTmpfs(dir: string, size: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Lazily, so a store a failed test left open cannot keep the mount (or its memory) around. */
async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: ["-l", dir] }).output();
}

const probe = await Deno.makeTempDir({ prefix: "rmq-tmpfs-probe-" });
const canMount = await mountTmpfs(probe, "64k");
if (canMount) await unmount(probe);
await Deno.remove(probe);
if (!canMount) console.log("disk_full_test: skipped, cannot mount a tmpfs here (needs root)");

/** Fills the file system at `dir` with `dir/filler`, then frees `keep` bytes of it. */
async function fillDisk(dir: string, keep: number): Promise<void> {
  using f = await Deno.open(`${dir}/filler`, { write: true, create: true });
  const chunk = new Uint8Array(64 * 1024).fill(1);
  try {
    while (true) f.writeSync(chunk);
  } catch (e) {
    if (!(e instanceof Error) || !/No space left/.test(e.message)) throw e;
  }
  await f.truncate((await f.stat()).size - keep);
}

for (const flushDiskType of ["ASYNC_FLUSH", "SYNC_FLUSH"] as const) {
  Deno.test({
    name:
      `A full disk (${flushDiskType}): no put answered failed is stored, none answered stored is lost`,
    ignore: !canMount,
  }, async () => {
    const dir = await Deno.makeTempDir({ prefix: "rmq-disk-full-" });
    assert.ok(await mountTmpfs(dir, "4m"));
    let store: MessageStore | undefined;
    try {
      const config: Partial<StoreConfig> & { storePathRootDir: string } = {
        storePathRootDir: `${dir}/store`,
        ...SMALL_FILES,
        mappedFileSizeCommitLog: 256 * 1024,
        flushDiskType,
        syncFlushTimeout: 1000,
        // The disk-usage checks would refuse puts before the disk is full: reach the real thing.
        diskSpaceWarningLevelRatio: 100,
        diskSpaceCleanForciblyRatio: 100,
        diskMaxUsedSpaceRatio: 100,
      };
      using logs = captureLogs();
      store = await openStore(config);
      await fillDisk(dir, 100 * 1024);
      const answers = new Map<number, string>();
      const pad = "x".repeat(1000);
      const puts: Promise<unknown>[] = [];
      for (let i = 0; i < 300; i++) {
        const body = new TextEncoder().encode(`${i} ${pad}`);
        puts.push(
          store.putMessage(message("Full", 0, {}, { body })).then((r) => {
            answers.set(i, r.status);
          }),
        );
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(puts);
      const stored = (s: string) => s === "PUT_OK" || s === "FLUSH_DISK_TIMEOUT";
      const refused = [...answers.values()].filter((s) => !stored(s));
      assert.ok(refused.length > 0, "the disk filled up");
      assert.deepEqual(new Set(refused), new Set(["SERVICE_NOT_AVAILABLE"]), "only refusals fail");
      assert.equal(logs.matching("error", "refusing puts until it works again").length, 1);

      // Room again: the store takes puts without a restart.
      await Deno.remove(`${dir}/filler`);
      const deadline = Date.now() + 5000;
      while ((await store.putMessage(message("Full", 0, {}))).status !== "PUT_OK") {
        assert.ok(Date.now() < deadline, "puts work again once the disk has room");
        await new Promise((r) => setTimeout(r, 100));
      }
      await store.close();

      store = await openStore(config);
      const found = new Set<number>();
      for (let offset = 0;;) {
        const got = await store.getMessage("g", "Full", 0, offset, 32);
        if (got.messages.length === 0) break;
        for (const m of got.messages) {
          found.add(Number(text(decodeMessageRecord(m).body).split(" ")[0]));
        }
        offset = got.nextBeginOffset;
      }
      for (const [i, status] of answers) {
        assert.equal(found.has(i), stored(status), `put ${i} answered ${status}`);
      }
      await store.close();
    } finally {
      await store?.close().catch(() => {});
      await unmount(dir);
      await Deno.remove(dir, { recursive: true });
    }
  });
}
