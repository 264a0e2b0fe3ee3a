import assert from "node:assert/strict";
import { DEFAULT_STORE_CONFIG, resolveStoreConfig } from "../../src/store/store_config.ts";

Deno.test({
  name: "DEFAULT_STORE_CONFIG has RocketMQ's defaults",
  permissions: "none",
  fn() {
    const c = DEFAULT_STORE_CONFIG;
    assert.equal(c.mappedFileSizeCommitLog, 1073741824);
    assert.equal(c.mappedFileSizeConsumeQueue, 6_000_000);
    assert.equal(c.flushDiskType, "ASYNC_FLUSH");
    assert.equal(c.flushIntervalCommitLog, 500);
    assert.equal(c.syncFlushTimeout, 5000);
    assert.equal(c.fileReservedTime, 72);
    assert.equal(c.deleteWhen, "04");
    assert.equal(c.diskMaxUsedSpaceRatio, 75);
    assert.equal(c.maxMessageSize, 4194304);
    assert.equal(c.maxTransferCountOnMessageInMemory, 32);
    assert.equal(c.maxTransferBytesOnMessageInDisk, 65536);
    assert.equal(c.defaultQueryMaxNum, 32);
  },
});

Deno.test({
  name: "resolveStoreConfig() fills defaults and rounds queue files to whole entries",
  permissions: "none",
  fn() {
    const c = resolveStoreConfig({ storePathRootDir: "/x", mappedFileSizeConsumeQueue: 1001 });
    assert.equal(c.storePathRootDir, "/x");
    assert.equal(c.mappedFileSizeConsumeQueue, 1020);
    assert.equal(c.flushDiskType, "ASYNC_FLUSH");
    assert.equal(
      resolveStoreConfig({ storePathRootDir: "/x", deleteWhen: undefined }).deleteWhen,
      "04",
    );
  },
});

Deno.test({
  name: "resolveStoreConfig() rejects unusable values",
  permissions: "none",
  fn() {
    assert.throws(
      () => resolveStoreConfig({ storePathRootDir: "/x", mappedFileSizeCommitLog: 100 }),
      /mappedFileSizeCommitLog is 100 \(minimum 4096\)/,
    );
    assert.throws(
      () => resolveStoreConfig({ storePathRootDir: "/x", flushDiskType: "NOPE" as "SYNC_FLUSH" }),
      /unknown flushDiskType NOPE/,
    );
    assert.throws(
      () => resolveStoreConfig({ storePathRootDir: "/x", messageDelayLevel: "1s 2x" }),
      RangeError,
    );
  },
});
