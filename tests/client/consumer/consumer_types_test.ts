import assert from "node:assert/strict";
import { parseConsumeTimestamp } from "../../../src/client/consumer/consumer_types.ts";

Deno.test({
  name: "parseConsumeTimestamp() takes ms, a Date, or Java's yyyyMMddHHmmss in local time",
  permissions: "none",
}, () => {
  const now = 1_700_000_000_000;
  assert.equal(parseConsumeTimestamp(undefined, now), now - 30 * 60_000);
  assert.equal(parseConsumeTimestamp(123, now), 123);
  assert.equal(parseConsumeTimestamp(new Date(456), now), 456);
  assert.equal(
    parseConsumeTimestamp("20231114221320", now),
    new Date(2023, 10, 14, 22, 13, 20).getTime(),
  );
  assert.throws(() => parseConsumeTimestamp("2023-11-14", now), TypeError);
  assert.throws(() => parseConsumeTimestamp(NaN, now), RangeError);
});
