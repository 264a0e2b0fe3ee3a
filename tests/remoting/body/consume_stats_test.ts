import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeConsumeStats,
  encodeConsumeStats,
  encodeConsumeStatsList,
  totalDiff,
} from "../../../src/remoting/body/consume_stats.ts";

// A 4.9 broker's GET_CONSUME_STATS body (fastjson: inline MessageQueue keys; consumeTps 0.0).
const JAVA_TEXT = '{"consumeTps":0.0,"offsetTable":{' +
  '{"brokerName":"broker-a","queueId":0,"topic":"T"}:' +
  '{"brokerOffset":5,"consumerOffset":3,"lastTimestamp":1700000000000},' +
  '{"brokerName":"broker-a","queueId":1,"topic":"T"}:' +
  '{"brokerOffset":0,"consumerOffset":0,"lastTimestamp":0}}}';

Deno.test("encodeConsumeStats() writes inline MessageQueue keys in queue order", {
  permissions: "none",
}, () => {
  const stats = decodeConsumeStats(textEncoder.encode(JAVA_TEXT));
  assert.deepEqual(stats, {
    consumeTps: 0,
    offsetTable: [
      [{ topic: "T", brokerName: "broker-a", queueId: 0 }, {
        brokerOffset: 5,
        consumerOffset: 3,
        lastTimestamp: 1_700_000_000_000,
      }],
      [{ topic: "T", brokerName: "broker-a", queueId: 1 }, {
        brokerOffset: 0,
        consumerOffset: 0,
        lastTimestamp: 0,
      }],
    ],
  });
  const reversed = { ...stats, offsetTable: [...stats.offsetTable].reverse() };
  // JavaScript writes 0.0 as 0; Java's and Go's readers take either.
  assert.equal(
    textDecoder.decode(encodeConsumeStats(reversed)),
    JAVA_TEXT.replace('"consumeTps":0.0', '"consumeTps":0'),
  );
});

Deno.test("encodeConsumeStatsList() writes each group's stats per topic and the total behind", {
  permissions: "none",
}, () => {
  const stats = decodeConsumeStats(textEncoder.encode(JAVA_TEXT));
  assert.equal(totalDiff(stats), 2);
  const text = textDecoder.decode(encodeConsumeStatsList({
    brokerAddr: "127.0.0.1:10911",
    consumeStatsList: [new Map([["G", [stats]]]), new Map([["Idle", []]])],
    totalDiff: 2,
  }));
  // As a 4.8 broker writes GET_BROKER_CONSUME_STATS (consumeTps 0.0 there).
  assert.equal(
    text,
    '{"brokerAddr":"127.0.0.1:10911","consumeStatsList":[{"G":[' +
      JAVA_TEXT.replace('"consumeTps":0.0', '"consumeTps":0') + ']},{"Idle":[]}],"totalDiff":2}',
  );
});
