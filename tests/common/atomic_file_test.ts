import assert from "node:assert/strict";
import { AtomicFile } from "../../src/common/atomic_file.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test("AtomicFile.write() replaces the file and keeps the previous version as .bak", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/config/topics.json`;
  const file = new AtomicFile(path);
  await file.write('{"v":1}');
  assert.equal(Deno.readTextFileSync(path), '{"v":1}');
  assert.throws(() => Deno.statSync(`${path}.bak`), Deno.errors.NotFound);
  await file.write('{"v":2}');
  assert.equal(Deno.readTextFileSync(path), '{"v":2}');
  assert.equal(Deno.readTextFileSync(`${path}.bak`), '{"v":1}');
  assert.throws(() => Deno.statSync(`${path}.tmp`), Deno.errors.NotFound);
  await Promise.all([3, 4, 5].map((v) => file.write(`{"v":${v}}`)));
  assert.equal(Deno.readTextFileSync(path), '{"v":5}');
  assert.equal(Deno.readTextFileSync(`${path}.bak`), '{"v":4}');
});

Deno.test("AtomicFile.load() falls back to .bak when the file is missing or unparsable", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/config/x.json`;
  const file = new AtomicFile(path);
  assert.equal(await file.load(JSON.parse), undefined);
  await file.write('{"v":1}');
  await file.write('{"v":2}');
  assert.deepEqual(await file.load(JSON.parse), { value: { v: 2 }, from: path });
  Deno.writeTextFileSync(path, '{"v":');
  assert.deepEqual(await file.load(JSON.parse), {
    value: { v: 1 },
    from: `${path}.bak`,
  });
  Deno.removeSync(path);
  assert.deepEqual((await file.load(JSON.parse))?.value, { v: 1 });
  Deno.writeTextFileSync(`${path}.bak`, "nope");
  assert.equal(await file.load(JSON.parse), undefined);
});
