import assert from "node:assert/strict";
import { checkGroup, checkTopic } from "../../src/client/validators.ts";

Deno.test({ name: "checkTopic() accepts RocketMQ's topic characters", permissions: "none" }, () => {
  for (const t of ["TopicTest", "a-b_c", "%RETRY%g1", "%DLQ%g1", "x|y", "x".repeat(127)]) {
    checkTopic(t);
  }
});

Deno.test({
  name: "checkGroup() accepts names up to 255 characters and refuses others",
  permissions: "none",
}, () => {
  checkGroup("pg");
  checkGroup("g".repeat(255));
  assert.throws(() => checkGroup("g".repeat(256)), {
    name: "RangeError",
    message: /256 characters long \(max 255\)/,
  });
  assert.throws(() => checkGroup("a.b"), {
    name: "TypeError",
    message: /group "a.b" has characters/,
  });
  assert.throws(() => checkGroup(""), { name: "TypeError", message: /group is blank/ });
  assert.throws(() => checkGroup(undefined), { name: "TypeError", message: /group is blank/ });
});
