import assert from "node:assert/strict";
import { configFilePath } from "../../src/store/config_file.ts";

Deno.test({
  name: "configFilePath() names RocketMQ's files under config/",
  permissions: "none",
  fn() {
    assert.equal(configFilePath("/s", "consumerOffset"), "/s/config/consumerOffset.json");
    assert.equal(configFilePath("/s", "delayOffset"), "/s/config/delayOffset.json");
    assert.equal(configFilePath("/s", "topics"), "/s/config/topics.json");
  },
});
