import assert from "node:assert/strict";
import {
  decodeDataVersion,
  encodeDataVersion,
  nextDataVersion,
} from "../../../src/remoting/body/data_version.ts";
import {
  createTopicConfig,
  decodeTopicConfigText,
  encodeTopicConfigText,
  isReadable,
  isWriteable,
  PermName,
  type TopicConfig,
  topicConfigFromJson,
  topicConfigWrapperText,
  topicConfigWrapperToJson,
} from "../../../src/remoting/body/topic_config.ts";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import { stringifyFastJson } from "../../../src/common/fastjson.ts";

Deno.test("encodeTopicConfigText() writes the compressed-registration text form", {
  permissions: "none",
}, () => {
  const tc = createTopicConfig("TopicTest", { readQueueNums: 4, writeQueueNums: 8, perm: 6 });
  assert.equal(encodeTopicConfigText(tc), "TopicTest 4 8 6 SINGLE_TAG");
  assert.deepEqual(decodeTopicConfigText("TopicTest 4 8 6 SINGLE_TAG"), tc);
  const v5 = decodeTopicConfigText('T 1 1 6 MULTI_TAG {"+message.type":"FIFO"}');
  assert.deepEqual(v5.attributes, { "+message.type": "FIFO" });
  assert.equal(encodeTopicConfigText(v5), 'T 1 1 6 MULTI_TAG {"+message.type":"FIFO"}');
});

Deno.test("decodeTopicConfigText() rejects malformed text", { permissions: "none" }, () => {
  assert.throws(() => decodeTopicConfigText("T 1 1 6"), /has 4 fields, expected 5/);
  assert.throws(
    () => decodeTopicConfigText("T x 1 6 SINGLE_TAG"),
    /readQueueNums "x" is not an integer/,
  );
  assert.throws(() => decodeTopicConfigText("T 1 1 6 NO_TAG"), /unknown topicFilterType "NO_TAG"/);
});

Deno.test("topicConfigFromJson() fills TopicConfig's defaults", { permissions: "none" }, () => {
  assert.deepEqual(topicConfigFromJson({}, "T"), createTopicConfig("T"));
  assert.deepEqual(createTopicConfig("T"), {
    topicName: "T",
    readQueueNums: 16,
    writeQueueNums: 16,
    perm: 6,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
  });
  assert.ok(isReadable(PermName.PERM_READ) && !isWriteable(PermName.PERM_READ));
});

Deno.test("encodeDataVersion() round-trips and nextDataVersion() bumps the counter", {
  permissions: "none",
}, () => {
  const v = { timestamp: 1_700_000_000_000, counter: 41 };
  assert.equal(
    textDecoder.decode(encodeDataVersion(v)),
    '{"counter":41,"timestamp":1700000000000}',
  );
  assert.deepEqual(
    decodeDataVersion(textEncoder.encode('{"counter":"41","timestamp":1700000000000}')),
    v,
  );
  assert.deepEqual(nextDataVersion(v, 5), { timestamp: 5, counter: 42 });
});

Deno.test("topicConfigWrapperText() writes what the JSON writer does, reusing cached topics", {
  permissions: "none",
}, () => {
  const a = createTopicConfig("b-topic", { readQueueNums: 2, writeQueueNums: 3, order: true });
  const b = createTopicConfig('a-tópico"', { perm: PermName.PERM_READ });
  const w = {
    topicConfigTable: new Map([[a.topicName, a], [b.topicName, b]]),
    dataVersion: { timestamp: 1700000000000, counter: 7 },
  };
  const cache = new WeakMap<TopicConfig, string>();
  const text = topicConfigWrapperText(w, cache);
  assert.equal(text, stringifyFastJson(topicConfigWrapperToJson(w)));
  assert.equal(
    text,
    '{"dataVersion":{"counter":7,"timestamp":1700000000000},"topicConfigTable":{' +
      '"a-tópico\\"":{"order":false,"perm":4,"readQueueNums":16,"topicFilterType":"SINGLE_TAG",' +
      '"topicName":"a-tópico\\"","topicSysFlag":0,"writeQueueNums":16},' +
      '"b-topic":{"order":true,"perm":6,"readQueueNums":2,"topicFilterType":"SINGLE_TAG",' +
      '"topicName":"b-topic","topicSysFlag":0,"writeQueueNums":3}}}',
  );
  // A cached text stands for its config object: a replaced config is rendered anew.
  cache.set(a, "CACHED");
  assert.match(topicConfigWrapperText(w, cache), /"b-topic":CACHED/);
  w.topicConfigTable.set(a.topicName, { ...a, perm: PermName.PERM_WRITE });
  assert.match(topicConfigWrapperText(w, cache), /"b-topic":\{"order":true,"perm":2,/);
});
