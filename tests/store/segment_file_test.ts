import assert from "node:assert/strict";
import { FileHandles } from "../../src/store/file_handles.ts";
import { fileNameToOffset, offsetToFileName, SegmentFile } from "../../src/store/segment_file.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test({
  name: "offsetToFileName() pads to 20 digits and fileNameToOffset() reads it back",
  permissions: "none",
  fn() {
    assert.equal(offsetToFileName(1073741824), "00000000001073741824");
    assert.equal(fileNameToOffset("00000000001073741824"), 1073741824);
    assert.equal(fileNameToOffset("0000000000107374182"), undefined);
    assert.equal(fileNameToOffset("20240102030405006"), undefined);
  },
});

Deno.test("SegmentFile creates full-length files and reads and writes at positions", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/${offsetToFileName(4096)}`;
  const f = SegmentFile.create(path, 4096, 4096, new FileHandles());
  assert.equal(Deno.statSync(path).size, 4096);
  assert.equal(f.end, 8192);
  f.writeSync(10, new Uint8Array([1, 2, 3]));
  await f.append(100, new Uint8Array([4, 5]));
  await f.append(102, new Uint8Array([6]));
  await f.sync();
  const out = new Uint8Array(5);
  assert.equal(f.readSync(9, out), 5);
  assert.deepEqual(out, new Uint8Array([0, 1, 2, 3, 0]));
  assert.equal(f.readSync(100, out), 5);
  assert.deepEqual(out, new Uint8Array([4, 5, 6, 0, 0]));
  f.truncateTail(11);
  assert.equal(f.readSync(9, out), 5);
  assert.deepEqual(out, new Uint8Array([0, 1, 0, 0, 0]));
  assert.equal(Deno.statSync(path).size, 4096);
  f.remove();
  assert.throws(() => Deno.statSync(path), Deno.errors.NotFound);
});

Deno.test("SegmentFile.open() extends a short file and refuses a long one", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/f`;
  Deno.writeFileSync(path, new Uint8Array(100).fill(9));
  const f = SegmentFile.open(path, 0, 4096, new FileHandles());
  assert.equal(Deno.statSync(path).size, 4096);
  f.close();
  assert.throws(
    () => SegmentFile.open(path, 0, 1000, new FileHandles()),
    /length 4096 exceeds the configured file size 1000/,
  );
});
