import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeBrokerStatsData,
  encodeBrokerStatsData,
} from "../../../src/remoting/body/broker_stats_data.ts";

// A 4.8 broker's VIEW_BROKER_STATS_DATA body (fastjson: keys sorted, doubles with a fraction).
const JAVA_TEXT = '{"statsDay":{"avgpt":1.5,"sum":30,"tps":0.25},' +
  '"statsHour":{"avgpt":2.0,"sum":20,"tps":0.5},' +
  '"statsMinute":{"avgpt":0.0,"sum":0,"tps":0.0}}';

Deno.test("BrokerStatsData reads and writes Java's text", { permissions: "none" }, () => {
  const d = decodeBrokerStatsData(textEncoder.encode(JAVA_TEXT));
  assert.deepEqual(d, {
    statsMinute: { sum: 0, tps: 0, avgpt: 0 },
    statsHour: { sum: 20, tps: 0.5, avgpt: 2 },
    statsDay: { sum: 30, tps: 0.25, avgpt: 1.5 },
  });
  // JavaScript writes 2.0 as 2; Java's reader takes either.
  assert.equal(
    textDecoder.decode(encodeBrokerStatsData(d)),
    JAVA_TEXT.replaceAll(".0,", ",").replaceAll(".0}", "}"),
  );
});
