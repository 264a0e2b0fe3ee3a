import assert from "node:assert/strict";
import { join } from "node:path";
import {
  applyConfig,
  bool,
  defaults,
  int,
  loadConfig,
  num,
  oneOf,
  parseConfigText,
  renderConfigToml,
  str,
} from "../../src/common/config.ts";
import { errorMessage, UsageError } from "../../src/common/errors.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const schema = {
  brokerName: str("broker-a", "Name of this broker"),
  listenPort: int(10911, "Port for clients", { min: 1, max: 65535 }),
  diskMaxUsedSpaceRatio: num(75, "Percent of disk the store may use"),
  autoCreateTopicEnable: bool(true, "Create topics on first send"),
  flushDiskType: oneOf(["ASYNC_FLUSH", "SYNC_FLUSH"] as const, "ASYNC_FLUSH", "How to flush"),
  storePathRootDir: str('/tmp/rmq "store" \\ caf\u00e9', "Where the store lives"),
};

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

function rejects(fn: () => unknown, message: string) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof UsageError, `${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

test("defaults() gives every key its default", () => {
  assert.deepEqual(defaults(schema), {
    brokerName: "broker-a",
    listenPort: 10911,
    diskMaxUsedSpaceRatio: 75,
    autoCreateTopicEnable: true,
    flushDiskType: "ASYNC_FLUSH",
    storePathRootDir: '/tmp/rmq "store" \\ caf\u00e9',
  });
});

test("applyConfig() reads typed values and the all-strings of a translated broker.conf", () => {
  const typed = applyConfig(schema, {
    brokerName: "b",
    listenPort: 10921,
    diskMaxUsedSpaceRatio: 80.5,
    autoCreateTopicEnable: false,
    flushDiskType: "SYNC_FLUSH",
  });
  const strings = applyConfig(schema, {
    brokerName: "b",
    listenPort: " 10921 ",
    diskMaxUsedSpaceRatio: "80.5",
    autoCreateTopicEnable: "FALSE",
    flushDiskType: "SYNC_FLUSH",
  });
  for (const { config, unknownKeys } of [typed, strings]) {
    assert.deepEqual(unknownKeys, []);
    assert.equal(config.brokerName, "b");
    assert.equal(config.listenPort, 10921);
    assert.equal(config.diskMaxUsedSpaceRatio, 80.5);
    assert.equal(config.autoCreateTopicEnable, false);
    assert.equal(config.flushDiskType, "SYNC_FLUSH");
  }
  assert.equal(applyConfig(schema, { brokerName: 7 }).config.brokerName, "7");
  assert.equal(applyConfig(schema, { listenPort: 10n }).config.listenPort, 10);
});

test("applyConfig() rejects values that cannot mean anything with a UsageError", () => {
  rejects(
    () => applyConfig(schema, { listenPort: "abc" }),
    'Invalid value for listenPort: "abc" (expected an integer)',
  );
  rejects(
    () => applyConfig(schema, { listenPort: 1.5 }),
    "Invalid value for listenPort: 1.5 (expected an integer)",
  );
  rejects(
    () => applyConfig(schema, { listenPort: 70000 }),
    "Invalid value for listenPort: 70000 (expected an integer from 1 to 65535)",
  );
  rejects(
    () => applyConfig(schema, { listenPort: "" }),
    'Invalid value for listenPort: "" (expected an integer)',
  );
  rejects(
    () => applyConfig(schema, { diskMaxUsedSpaceRatio: "lots" }),
    'Invalid value for diskMaxUsedSpaceRatio: "lots" (expected a number)',
  );
  rejects(
    () => applyConfig(schema, { diskMaxUsedSpaceRatio: "" }),
    'Invalid value for diskMaxUsedSpaceRatio: "" (expected a number)',
  );
  rejects(
    () => applyConfig(schema, { diskMaxUsedSpaceRatio: " " }),
    'Invalid value for diskMaxUsedSpaceRatio: " " (expected a number)',
  );
  rejects(
    () => applyConfig(schema, { autoCreateTopicEnable: "yes" }),
    'Invalid value for autoCreateTopicEnable: "yes" (expected true or false)',
  );
  rejects(
    () => applyConfig(schema, { flushDiskType: "sync_flush" }),
    'Invalid value for flushDiskType: "sync_flush" (expected ASYNC_FLUSH or SYNC_FLUSH)',
  );
  rejects(
    () => applyConfig(schema, { brokerName: ["a"] }),
    'Invalid value for brokerName: ["a"] (expected a string)',
  );
});

test("applyConfig() lists unknown keys and lets overrides beat the file", () => {
  const { config, unknownKeys } = applyConfig(
    schema,
    { brokerName: "from-file", listenPort: 1, brokerClusterName: "c", namesrvAddr: "x" },
    { brokerName: "from-flag", listenPort: undefined },
  );
  assert.equal(config.brokerName, "from-flag");
  assert.equal(config.listenPort, 1); // an absent flag leaves the file's value
  assert.deepEqual(unknownKeys, ["brokerClusterName", "namesrvAddr"]);
  assert.throws(() => applyConfig(schema, {}, { nope: 1 }), /No config key nope/);
});

test("parseConfigText() reports bad TOML as a one-line UsageError naming the file", () => {
  assert.throws(() => parseConfigText("listenPort = = 1\n", "broker.toml"), (e) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /^Cannot parse config file broker\.toml: /);
    assert.ok(!e.message.includes("\n"));
    assert.ok(e.cause instanceof Error);
    return true;
  });
  assert.deepEqual({ ...parseConfigText('a = 1\nb = "x"\n') }, { a: 1, b: "x" });
});

test("renderConfigToml() writes every key with its doc and default, and reads back", () => {
  const text = renderConfigToml(schema, "broker.toml");
  assert.ok(text.startsWith("# broker.toml\n"));
  assert.ok(text.includes("# Port for clients\nlistenPort = 10911\n"));
  assert.ok(text.includes('flushDiskType = "ASYNC_FLUSH"'));
  const { config, unknownKeys } = applyConfig(schema, parseConfigText(text));
  assert.deepEqual(config, defaults(schema));
  assert.deepEqual(unknownKeys, []);
});

Deno.test("loadConfig() layers defaults, the TOML file and overrides", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "broker.toml");
  await Deno.writeTextFile(file, 'brokerName = "b1"\nlistenPort = 20911\nextra = 1\n');
  const { config, unknownKeys } = await loadConfig(schema, file, { listenPort: "30911" });
  assert.equal(config.brokerName, "b1");
  assert.equal(config.listenPort, 30911);
  assert.equal(config.flushDiskType, "ASYNC_FLUSH");
  assert.deepEqual(unknownKeys, ["extra"]);
  assert.deepEqual((await loadConfig(schema, undefined)).config, defaults(schema));
});

Deno.test("loadConfig() reports a missing file as a UsageError naming it", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "missing.toml");
  await assert.rejects(loadConfig(schema, file), (e) => {
    assert.ok(e instanceof UsageError);
    assert.match(
      e.message,
      new RegExp(`^Cannot read config file ${file.replaceAll(".", "\\.")}: `),
    );
    assert.ok(e.cause instanceof Deno.errors.NotFound);
    return true;
  });
});

test("errorMessage() keeps the first line of an Error and stringifies the rest", () => {
  assert.equal(errorMessage(new Error("first\nsecond")), "first");
  assert.equal(errorMessage("plain"), "plain");
  assert.equal(errorMessage(42), "42");
  const e = new UsageError("bad", { cause: 1 });
  assert.equal(e.name, "UsageError");
  assert.equal(e.cause, 1);
});
