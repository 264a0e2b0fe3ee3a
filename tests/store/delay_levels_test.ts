import assert from "node:assert/strict";
import { parseDelayLevels } from "../../src/store/delay_levels.ts";
import { DEFAULT_STORE_CONFIG } from "../../src/store/store_config.ts";

Deno.test({
  name: "parseDelayLevels() gives milliseconds per level",
  permissions: "none",
  fn() {
    const levels = parseDelayLevels(DEFAULT_STORE_CONFIG.messageDelayLevel);
    assert.equal(levels.length, 18);
    assert.equal(levels[0], 1000);
    assert.equal(levels[2], 10_000);
    assert.equal(levels[17], 7_200_000);
    assert.deepEqual(parseDelayLevels(" 1d  30m "), [86_400_000, 1_800_000]);
    assert.deepEqual(parseDelayLevels("50ms 1s"), [50, 1000], "ms: rmq only, for tests");
    assert.throws(() => parseDelayLevels("5"), /bad level "5"/);
  },
});
