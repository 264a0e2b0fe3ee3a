import assert from "node:assert/strict";
import { decodeCheckpoint } from "../../src/store/checkpoint.ts";
import { message, openStore } from "../helpers/store.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test("MessageStore.flush() writes a checkpoint vouching for everything stored", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  for (let i = 0; i < 5; i++) {
    await store.putMessage(message("T", 0, { KEYS: `k${i}` }, { storeTimestamp: 2_000_000 + i }));
  }
  await store.flush();
  const c = decodeCheckpoint(Deno.readFileSync(`${dir.path}/checkpoint`));
  assert.deepEqual(c, {
    physicMsgTimestamp: 2_000_004,
    logicsMsgTimestamp: 2_000_004,
    indexMsgTimestamp: 2_000_004,
    masterFlushedOffset: 0,
    confirmPhyOffset: store.maxPhyOffset,
  });
  assert.equal(store.flushedPhyOffset, store.maxPhyOffset);
});
