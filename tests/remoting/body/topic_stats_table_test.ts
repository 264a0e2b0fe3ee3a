import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeTopicStatsTable,
  encodeTopicStatsTable,
} from "../../../src/remoting/body/topic_stats_table.ts";

// What a 4.9 broker answers GET_TOPIC_STATS_INFO with for a two-queue topic (fastjson: object
// map keys inline, keys sorted, no whitespace), queues in MessageQueue order.
const JAVA_TEXT = '{"offsetTable":{' +
  '{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}:' +
  '{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0},' +
  '{"brokerName":"broker-a","queueId":1,"topic":"TopicTest"}:' +
  '{"lastUpdateTimestamp":1700000000000,"maxOffset":12,"minOffset":2}}}';

Deno.test({
  name: "encodeTopicStatsTable() writes fastjson's inline MessageQueue keys in queue order",
  permissions: "none",
  fn() {
    const body = encodeTopicStatsTable([
      [{ topic: "TopicTest", brokerName: "broker-a", queueId: 1 }, {
        minOffset: 2,
        maxOffset: 12,
        lastUpdateTimestamp: 1_700_000_000_000,
      }],
      [{ topic: "TopicTest", brokerName: "broker-a", queueId: 0 }, {
        minOffset: 0,
        maxOffset: 0,
        lastUpdateTimestamp: 0,
      }],
    ]);
    assert.equal(textDecoder.decode(body), JAVA_TEXT);
  },
});

Deno.test({
  name: "decodeTopicStatsTable() reads the Java broker's text",
  permissions: "none",
  fn() {
    const table = decodeTopicStatsTable(textEncoder.encode(JAVA_TEXT));
    assert.deepEqual(table, [
      [{ topic: "TopicTest", brokerName: "broker-a", queueId: 0 }, {
        minOffset: 0,
        maxOffset: 0,
        lastUpdateTimestamp: 0,
      }],
      [{ topic: "TopicTest", brokerName: "broker-a", queueId: 1 }, {
        minOffset: 2,
        maxOffset: 12,
        lastUpdateTimestamp: 1_700_000_000_000,
      }],
    ]);
  },
});
