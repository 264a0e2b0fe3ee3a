import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeConsumerOffsetTable,
  decodeDelayOffsetTable,
  encodeConsumerOffsetTable,
  encodeDelayOffsetTable,
} from "../../../src/remoting/body/consumer_offset.ts";

Deno.test("encodeConsumerOffsetTable() writes fastjson's unquoted queue ids", {
  permissions: "none",
}, () => {
  const table = new Map([
    ["TopicTest@g1", new Map([[1, 7], [0, 12]])],
    ["%RETRY%g1@g1", new Map([[0, 0]])],
  ]);
  const text = '{"offsetTable":{"%RETRY%g1@g1":{0:0},"TopicTest@g1":{0:12,1:7}}}';
  assert.equal(textDecoder.decode(encodeConsumerOffsetTable(table)), text);
  assert.deepEqual(
    decodeConsumerOffsetTable(textEncoder.encode(text)),
    new Map([["%RETRY%g1@g1", new Map([[0, 0]])], ["TopicTest@g1", new Map([[0, 12], [1, 7]])]]),
  );
  // Java's pretty-printed file, and quoted keys.
  const pretty = '{\n\t"offsetTable":{\n\t\t"T@g":{0:5,"1":6\n\t\t}\n\t}\n}';
  assert.deepEqual(
    decodeConsumerOffsetTable(textEncoder.encode(pretty)),
    new Map([["T@g", new Map([[0, 5], [1, 6]])]]),
  );
});

Deno.test(
  "encodeDelayOffsetTable() writes levels as unquoted keys",
  { permissions: "none" },
  () => {
    const text = '{"offsetTable":{1:0,2:15,18:4}}';
    const table = new Map([[2, 15], [18, 4], [1, 0]]);
    assert.equal(textDecoder.decode(encodeDelayOffsetTable(table)), text);
    assert.deepEqual(
      decodeDelayOffsetTable(textEncoder.encode(text)),
      new Map([[1, 0], [2, 15], [18, 4]]),
    );
  },
);
