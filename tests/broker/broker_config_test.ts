import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { applyConfig, loadConfig, parseConfigText } from "../../src/common/config.ts";
import {
  BROKER_CONFIG_SCHEMA,
  defaultBrokerConfig,
  registerPeriod,
  resolveBrokerIP1,
  roleProblem,
  storeConfigOf,
} from "../../src/broker/broker_config.ts";
import { BrokerController } from "../../src/broker/broker.ts";
import { DEFAULT_STORE_CONFIG } from "../../src/store/message_store.ts";
import { STORE_CONFIG_SCHEMA } from "../../src/store/store_config.ts";

const FILE = new URL("../../config/broker.toml", import.meta.url);

Deno.test("config/broker.toml lists every schema key with its default and a comment", async () => {
  const text = await Deno.readTextFile(FILE);
  const table = parseToml(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(table).sort(), Object.keys(BROKER_CONFIG_SCHEMA).sort());
  assert.deepEqual({ ...table }, { ...defaultBrokerConfig() });
  const lines = text.split("\n");
  for (const key of Object.keys(BROKER_CONFIG_SCHEMA)) {
    const i = lines.findIndex((l) => l.startsWith(`${key} = `));
    assert.match(lines[i - 1], /^# \S/, `${key} has a comment line above it`);
  }
});

Deno.test("BROKER_CONFIG_SCHEMA has every store setting with the store's default", () => {
  const storeKeys = Object.keys(STORE_CONFIG_SCHEMA) as (keyof typeof STORE_CONFIG_SCHEMA)[];
  assert.deepEqual(Object.keys(DEFAULT_STORE_CONFIG).sort(), [...storeKeys].sort());
  const c = defaultBrokerConfig();
  for (const k of storeKeys) assert.equal(c[k], DEFAULT_STORE_CONFIG[k], k);
});

Deno.test("storeConfigOf() maps a broker config onto the store's settings", () => {
  const c = {
    ...defaultBrokerConfig(),
    storePathRootDir: "/data/store",
    flushDiskType: "SYNC_FLUSH" as const,
    maxMessageSize: 1024,
  };
  const s = storeConfigOf(c);
  assert.equal(s.storePathRootDir, "/data/store");
  assert.equal(s.flushDiskType, "SYNC_FLUSH");
  assert.equal(s.maxMessageSize, 1024);
  const home = storeConfigOf(defaultBrokerConfig()).storePathRootDir;
  assert.equal(home, `${Deno.env.get("HOME")}/store`);
});

Deno.test("applyConfig() reads a broker.conf translated to TOML line by line", () => {
  // RocketMQ's conf/2m-noslave/broker-a.properties, every value kept as the text it was.
  const text = [
    'brokerClusterName = "DefaultCluster"',
    'brokerName = "broker-a"',
    'brokerId = "0"',
    'deleteWhen = "04"',
    'fileReservedTime = "48"',
    'brokerRole = "ASYNC_MASTER"',
    'flushDiskType = "ASYNC_FLUSH"',
    'namesrvAddr = "10.0.0.1:9876;10.0.0.2:9876"',
    'listenPort = "10911"',
    'autoCreateTopicEnable = "false"',
    'brokerIP1 = "10.0.0.5"',
    'storePathRootDir = "/data/rocketmq/store"',
    'mapedFileSizeCommitLog = "1073741824"',
  ].join("\n");
  const { config, unknownKeys } = applyConfig(BROKER_CONFIG_SCHEMA, parseConfigText(text));
  assert.equal(config.brokerName, "broker-a");
  assert.equal(config.brokerId, 0);
  assert.equal(config.fileReservedTime, 48);
  assert.equal(config.listenPort, 10911);
  assert.equal(config.autoCreateTopicEnable, false);
  assert.equal(config.namesrvAddr, "10.0.0.1:9876;10.0.0.2:9876");
  assert.equal(resolveBrokerIP1(config), "10.0.0.5");
  assert.equal(config.brokerRole, "ASYNC_MASTER");
  // Keys rmq does not have (4.x's misspelled "maped" keys) are reported, not fatal.
  assert.deepEqual(unknownKeys, ["mapedFileSizeCommitLog"]);
});

Deno.test("loadConfig() lets flags override config/broker.toml and refuses bad values", async () => {
  const { config } = await loadConfig(BROKER_CONFIG_SCHEMA, FILE.pathname, {
    listenPort: 0,
    storePathRootDir: "/tmp/x",
    brokerIP1: undefined,
  });
  assert.equal(config.listenPort, 0);
  assert.equal(config.storePathRootDir, "/tmp/x");
  assert.throws(
    () => applyConfig(BROKER_CONFIG_SCHEMA, { flushDiskType: "SOMETIMES" }),
    /Invalid value for flushDiskType: "SOMETIMES" \(expected ASYNC_FLUSH or SYNC_FLUSH\)/,
  );
});

Deno.test("resolveBrokerIP1() prefers brokerIP1, then a specific bind address", () => {
  const c = defaultBrokerConfig();
  assert.equal(resolveBrokerIP1({ ...c, brokerIP1: "192.0.2.7" }), "192.0.2.7");
  assert.equal(resolveBrokerIP1({ ...c, bindAddress: "127.0.0.1" }), "127.0.0.1");
  assert.match(resolveBrokerIP1(c), /^\d+\.\d+\.\d+\.\d+$/);
});

Deno.test("registerPeriod() clamps registerNameServerPeriod to 10–60 s", () => {
  const c = defaultBrokerConfig();
  assert.equal(registerPeriod(c), 30_000);
  assert.equal(registerPeriod({ ...c, registerNameServerPeriod: 1000 }), 10_000);
  assert.equal(registerPeriod({ ...c, registerNameServerPeriod: 600_000 }), 60_000);
});

Deno.test("roleProblem() wants a SLAVE's brokerId above 0; a master's id is 0 whatever is set", () => {
  const base = defaultBrokerConfig();
  assert.equal(roleProblem({ ...base, brokerRole: "SLAVE", brokerId: 1 }), undefined);
  assert.match(roleProblem({ ...base, brokerRole: "SLAVE", brokerId: 0 })!, /brokerId > 0/);
  assert.equal(roleProblem({ ...base, brokerRole: "SYNC_MASTER", brokerId: 3 }), undefined);
  assert.throws(
    () => new BrokerController({ brokerRole: "SLAVE", brokerId: 0 }),
    /Cannot start broker: a SLAVE needs brokerId > 0/,
  );
  assert.equal(new BrokerController({ brokerRole: "SYNC_MASTER", brokerId: 3 }).brokerId, 0);
});
