import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeQueryConsumeQueueBody,
  encodeQueryConsumeQueueBody,
} from "../../../src/remoting/body/query_consume_queue_body.ts";

// A 4.8 broker's QUERY_CONSUME_QUEUE body for a group subscribed with a tag.
const JAVA_TEXT = '{"filterData":"null","maxQueueIndex":3,"minQueueIndex":0,"queueData":[' +
  '{"eval":false,"physicOffset":0,"physicSize":180,"tagsCode":2598919},' +
  '{"eval":false,"physicOffset":180,"physicSize":181,"tagsCode":2598920}],' +
  '"subscriptionData":{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG",' +
  '"subString":"TagA","subVersion":1700000000000,"tagsSet":["TagA"],"topic":"T"}}';

Deno.test("QueryConsumeQueueResponseBody reads and writes Java's text", {
  permissions: "none",
}, () => {
  const b = decodeQueryConsumeQueueBody(textEncoder.encode(JAVA_TEXT));
  assert.equal(b.maxQueueIndex, 3);
  assert.equal(b.filterData, "null");
  assert.deepEqual(b.queueData?.[1], {
    physicOffset: 180,
    physicSize: 181,
    tagsCode: 2598920,
    eval: false,
  });
  assert.equal(b.subscriptionData?.subString, "TagA");
  assert.equal(textDecoder.decode(encodeQueryConsumeQueueBody(b)), JAVA_TEXT);
});

Deno.test("QueryConsumeQueueResponseBody leaves out what was not asked", {
  permissions: "none",
}, () => {
  const text = textDecoder.decode(
    encodeQueryConsumeQueueBody({ maxQueueIndex: 5, minQueueIndex: 2 }),
  );
  assert.equal(text, '{"maxQueueIndex":5,"minQueueIndex":2}');
});
