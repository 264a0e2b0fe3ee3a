import assert from "node:assert/strict";
import { LogLimiter } from "../../src/common/log_limiter.ts";

Deno.test("LogLimiter lets max lines through per interval and counts the rest into the next", {
  permissions: "none",
}, () => {
  const l = new LogLimiter(2, 60_000);
  assert.equal(l.take(1000), 0);
  assert.equal(l.take(2000), 0);
  assert.equal(l.take(3000), undefined);
  assert.equal(l.take(60_999), undefined);
  // A new minute: the first line says two were held back, the count starts over.
  assert.equal(l.take(61_000), 2);
  assert.equal(l.take(61_001), 0);
  assert.equal(l.take(61_002), undefined);
  assert.equal(l.take(200_000), 1);
});
