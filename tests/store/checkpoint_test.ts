import assert from "node:assert/strict";
import {
  CheckpointFile,
  checkpointMinTimestamp,
  decodeCheckpoint,
  encodeCheckpoint,
} from "../../src/store/checkpoint.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const GOLDEN = loadHexFixture("checkpoint.hex");
const VALUE = {
  physicMsgTimestamp: 1700000000000,
  logicsMsgTimestamp: 1699999999000,
  indexMsgTimestamp: 1699999998000,
  masterFlushedOffset: 0,
  confirmPhyOffset: 123456,
};

Deno.test({
  name: "encodeCheckpoint() writes the golden page",
  permissions: "none",
  fn() {
    assert.deepEqual(encodeCheckpoint(VALUE), GOLDEN);
  },
});

Deno.test({
  name: "decodeCheckpoint() reads the golden page and 4.x's shorter one",
  permissions: "none",
  fn() {
    assert.deepEqual(decodeCheckpoint(GOLDEN), VALUE);
    const short = decodeCheckpoint(GOLDEN.subarray(0, 24));
    assert.equal(short.indexMsgTimestamp, VALUE.indexMsgTimestamp);
    assert.equal(short.confirmPhyOffset, 0);
  },
});

Deno.test({
  name: "checkpointMinTimestamp() takes the older time less 3 s",
  permissions: "none",
  fn() {
    assert.equal(checkpointMinTimestamp(VALUE, false), 1699999996000);
    assert.equal(checkpointMinTimestamp(VALUE, true), 1699999996000);
    assert.equal(checkpointMinTimestamp({ ...VALUE, indexMsgTimestamp: 5 }, true), 5);
    assert.equal(checkpointMinTimestamp({ ...VALUE, physicMsgTimestamp: 0 }, false), 0);
  },
});

Deno.test("CheckpointFile writes in place and loads back", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/checkpoint`;
  const c = CheckpointFile.load(path);
  assert.equal(c.value.physicMsgTimestamp, 0, "a missing file reads as zeros");
  c.value = { ...VALUE };
  await c.write();
  c.value.confirmPhyOffset = 7;
  await c.write();
  c.close();
  assert.equal(Deno.statSync(path).size, 4096);
  assert.deepEqual(CheckpointFile.load(path).value, { ...VALUE, confirmPhyOffset: 7 });
});
