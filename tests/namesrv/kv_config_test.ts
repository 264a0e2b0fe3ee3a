import assert from "node:assert/strict";
import { KVConfigStore } from "../../src/namesrv/kv_config.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test("KVConfigStore writes every change and reads it back after a restart", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/namesrv/kvConfig.json`;
  const kv = new KVConfigStore(path);
  await kv.load(); // no file yet: empty
  assert.equal(kv.get("NS", "k"), undefined);
  // Concurrent writes land in order; the file ends with the last state.
  await Promise.all([
    kv.put("NS", "k", "v1"),
    kv.put("NS", "k", "v2"),
    kv.put("ORDER_TOPIC_CONFIG", "T", "a:4"),
  ]);
  await kv.delete("NS", "missing");
  assert.equal(
    await Deno.readTextFile(path),
    '{"configTable":{"NS":{"k":"v2"},"ORDER_TOPIC_CONFIG":{"T":"a:4"}}}',
  );

  await kv.delete("NS", "k");
  const again = new KVConfigStore(path);
  await again.load();
  assert.equal(again.get("ORDER_TOPIC_CONFIG", "T"), "a:4");
  assert.deepEqual(again.list("NS"), new Map(), "an emptied namespace stays, as in RocketMQ");
  assert.equal(again.list("Nope"), undefined);
});

Deno.test("KVConfigStore.load() reads Java's pretty-printed file and refuses a corrupt one", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/kvConfig.json`;
  await Deno.writeTextFile(path, '{\n\t"configTable":{\n\t\t"NS":{\n\t\t\t"k":"v"\n\t\t}\n\t}\n}');
  const kv = new KVConfigStore(path);
  await kv.load();
  assert.equal(kv.get("NS", "k"), "v");

  await Deno.writeTextFile(path, '{"configTable":{"NS":');
  await assert.rejects(new KVConfigStore(path).load(), (e: Error) => {
    assert.ok(e instanceof SyntaxError);
    assert.match(e.message, /^Cannot load KV config .*kvConfig\.json: /);
    return true;
  });
});

Deno.test("KVConfigStore.put() rejects when the file cannot be written, and later writes recover", async () => {
  await using dir = await tempDir();
  const blocker = `${dir.path}/file`;
  await Deno.writeTextFile(blocker, "");
  const kv = new KVConfigStore(`${blocker}/kvConfig.json`); // parent is a file
  await assert.rejects(kv.put("NS", "k", "v"));
  assert.equal(kv.get("NS", "k"), "v", "the value is still served from memory");
  await Deno.remove(blocker);
  await kv.put("NS", "k2", "v2");
  assert.equal(
    await Deno.readTextFile(`${blocker}/kvConfig.json`),
    '{"configTable":{"NS":{"k":"v","k2":"v2"}}}',
  );
});
