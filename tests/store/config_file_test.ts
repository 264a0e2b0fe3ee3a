import assert from "node:assert/strict";
import { configFilePath, loadConfigFile, writeConfigFile } from "../../src/store/config_file.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test({
  name: "configFilePath() names RocketMQ's files under config/",
  permissions: "none",
  fn() {
    assert.equal(configFilePath("/s", "consumerOffset"), "/s/config/consumerOffset.json");
    assert.equal(configFilePath("/s", "delayOffset"), "/s/config/delayOffset.json");
    assert.equal(configFilePath("/s", "topics"), "/s/config/topics.json");
  },
});

Deno.test("writeConfigFile() replaces the file and keeps the previous version as .bak", async () => {
  await using dir = await tempDir();
  const path = configFilePath(dir.path, "topics");
  await writeConfigFile(path, '{"v":1}');
  assert.equal(Deno.readTextFileSync(path), '{"v":1}');
  assert.throws(() => Deno.statSync(`${path}.bak`), Deno.errors.NotFound);
  await writeConfigFile(path, '{"v":2}');
  assert.equal(Deno.readTextFileSync(path), '{"v":2}');
  assert.equal(Deno.readTextFileSync(`${path}.bak`), '{"v":1}');
  assert.throws(() => Deno.statSync(`${path}.tmp`), Deno.errors.NotFound);
  await Promise.all([3, 4, 5].map((v) => writeConfigFile(path, `{"v":${v}}`)));
  assert.equal(Deno.readTextFileSync(path), '{"v":5}');
  assert.equal(Deno.readTextFileSync(`${path}.bak`), '{"v":4}');
});

Deno.test("loadConfigFile() falls back to .bak when the file is missing or unparsable", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/config/x.json`;
  assert.equal(await loadConfigFile(path, JSON.parse), undefined);
  await writeConfigFile(path, '{"v":1}');
  await writeConfigFile(path, '{"v":2}');
  assert.deepEqual(await loadConfigFile(path, JSON.parse), { value: { v: 2 }, from: path });
  Deno.writeTextFileSync(path, '{"v":');
  assert.deepEqual(await loadConfigFile(path, JSON.parse), {
    value: { v: 1 },
    from: `${path}.bak`,
  });
  Deno.removeSync(path);
  assert.deepEqual((await loadConfigFile(path, JSON.parse))?.value, { v: 1 });
  Deno.writeTextFileSync(`${path}.bak`, "nope");
  assert.equal(await loadConfigFile(path, JSON.parse), undefined);
});
