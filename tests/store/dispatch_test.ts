import assert from "node:assert/strict";
import { encodeProperties } from "../../src/common/message/properties.ts";
import { MessageSysFlag } from "../../src/common/message/sys_flag.ts";
import { isQueueDispatched, tagsCodeOf } from "../../src/store/dispatch.ts";
import { parseDelayLevels, SCHEDULE_TOPIC } from "../../src/store/delay_levels.ts";

const LEVELS = parseDelayLevels("1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h");

Deno.test({
  name: "tagsCodeOf() is the Java hash code of TAGS",
  permissions: "none",
  fn() {
    assert.equal(tagsCodeOf("T", encodeProperties({ TAGS: "TagA" }), 5, LEVELS), 2598919);
    assert.equal(tagsCodeOf("T", encodeProperties({ TAGS: "zzzzzzzzzz" }), 5, LEVELS), -1580979136);
    assert.equal(tagsCodeOf("T", encodeProperties({ KEYS: "k" }), 5, LEVELS), 0);
    assert.equal(tagsCodeOf("T", encodeProperties({ TAGS: "a", DELAY: "3" }), 5, LEVELS), 97);
  },
});

Deno.test({
  name: "tagsCodeOf() on SCHEDULE_TOPIC_XXXX is the delivery time, level clamped",
  permissions: "none",
  fn() {
    const t = 1_700_000_000_000;
    assert.equal(
      tagsCodeOf(SCHEDULE_TOPIC, encodeProperties({ DELAY: "3", TAGS: "a" }), t, LEVELS),
      t + 10_000,
    );
    assert.equal(
      tagsCodeOf(SCHEDULE_TOPIC, encodeProperties({ DELAY: "40" }), t, LEVELS),
      t + 7_200_000,
    );
    assert.equal(
      tagsCodeOf(SCHEDULE_TOPIC, encodeProperties({ DELAY: "0", TAGS: "a" }), t, LEVELS),
      97,
    );
    assert.equal(
      tagsCodeOf(SCHEDULE_TOPIC, encodeProperties({ DELAY: "x", TAGS: "a" }), t, LEVELS),
      97,
    );
  },
});

Deno.test({
  name: "isQueueDispatched() keeps PREPARED and ROLLBACK out",
  permissions: "none",
  fn() {
    assert.equal(isQueueDispatched(MessageSysFlag.TRANSACTION_NOT_TYPE), true);
    assert.equal(
      isQueueDispatched(MessageSysFlag.TRANSACTION_COMMIT_TYPE | MessageSysFlag.COMPRESSED),
      true,
    );
    assert.equal(isQueueDispatched(MessageSysFlag.TRANSACTION_PREPARED_TYPE), false);
    assert.equal(isQueueDispatched(MessageSysFlag.TRANSACTION_ROLLBACK_TYPE), false);
  },
});
