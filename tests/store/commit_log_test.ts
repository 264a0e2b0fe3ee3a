import assert from "node:assert/strict";
import { CommitLog } from "../../src/store/commit_log.ts";
import { GetStatus, MessageStore } from "../../src/store/message_store.ts";
import { resolveStoreConfig } from "../../src/store/store_config.ts";
import { FileHandles } from "../../src/store/file_handles.ts";
import { offsetToFileName } from "../../src/store/segment_file.ts";
import { message, openStore } from "../helpers/store.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test("CommitLog.load() refuses a segment off the configured size", async () => {
  await using dir = await tempDir();
  Deno.mkdirSync(`${dir.path}/commitlog`);
  Deno.writeFileSync(`${dir.path}/commitlog/${offsetToFileName(1000)}`, new Uint8Array(0));
  const config = resolveStoreConfig({ storePathRootDir: dir.path, mappedFileSizeCommitLog: 4096 });
  const log = new CommitLog(`${dir.path}/commitlog`, config, { onWritten() {} }, new FileHandles());
  assert.throws(() => log.load(), /does not start at a multiple of mappedFileSizeCommitLog 4096/);
});

Deno.test("getMessage() never serves a record damaged on disk", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, commitLogCacheSize: 0 };
  const offsets: number[] = [];
  {
    await using store = await openStore(config);
    for (let i = 0; i < 3; i++) {
      offsets.push((await store.putMessage(message("T", 0))).append!.wroteOffset);
    }
  }
  const path = `${dir.path}/commitlog/${offsetToFileName(0)}`;
  const f = Deno.openSync(path, { read: true, write: true });
  f.seekSync(offsets[1] + 90, Deno.SeekMode.Start); // inside the body
  f.writeSync(new Uint8Array([0x5a]));
  f.close();
  // The damage stays on disk on purpose: no consistency check for this store.
  await using store = await MessageStore.open(config);
  const g = await store.getMessage("G", "T", 0, 0, 32);
  assert.equal(g.status, GetStatus.FOUND);
  assert.equal(g.messageCount, 2);
  assert.equal(g.nextBeginOffset, 3);
  assert.equal(await store.lookMessageByOffset(offsets[1]), undefined);
});
