import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { loadConfig } from "../../src/common/config.ts";
import { defaultNamesrvConfig, NAMESRV_CONFIG_SCHEMA } from "../../src/namesrv/namesrv_config.ts";

const FILE = new URL("../../config/namesrv.toml", import.meta.url);

Deno.test("config/namesrv.toml lists every schema key with its default and a comment", async () => {
  const text = await Deno.readTextFile(FILE);
  const table = parseToml(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(table).sort(), Object.keys(NAMESRV_CONFIG_SCHEMA).sort());
  assert.deepEqual({ ...table }, { ...defaultNamesrvConfig() });
  const lines = text.split("\n");
  for (const key of Object.keys(NAMESRV_CONFIG_SCHEMA)) {
    const i = lines.findIndex((l) => l.startsWith(`${key} = `));
    assert.match(lines[i - 1], /^# \S/, `${key} has a comment line above it`);
  }
});

Deno.test("loadConfig() lets flags override config/namesrv.toml", async () => {
  const { config, unknownKeys } = await loadConfig(NAMESRV_CONFIG_SCHEMA, FILE.pathname, {
    listenPort: 0,
    bindAddress: undefined,
  });
  assert.equal(config.listenPort, 0);
  assert.equal(config.bindAddress, "0.0.0.0");
  assert.deepEqual(unknownKeys, []);
});
