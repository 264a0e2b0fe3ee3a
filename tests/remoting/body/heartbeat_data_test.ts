import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeHeartbeatData,
  encodeHeartbeatData,
  type HeartbeatData,
} from "../../../src/remoting/body/heartbeat_data.ts";

// What a Java 4.9 push consumer sends (fastjson: keys sorted, compact).
const JAVA_TEXT = '{"clientID":"10.0.0.5@12345#1700000000000000","consumerDataSet":[' +
  '{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",' +
  '"groupName":"g1","messageModel":"CLUSTERING","subscriptionDataSet":[' +
  '{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG","subString":"TagA",' +
  '"subVersion":1700000000000,"tagsSet":["TagA"],"topic":"TopicTest"},' +
  '{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*",' +
  '"subVersion":1700000000001,"tagsSet":[],"topic":"%RETRY%g1"}],"unitMode":false}],' +
  '"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}';

const DATA: HeartbeatData = {
  clientID: "10.0.0.5@12345#1700000000000000",
  consumerDataSet: [{
    groupName: "g1",
    consumeType: "CONSUME_PASSIVELY",
    messageModel: "CLUSTERING",
    consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
    subscriptionDataSet: [
      {
        topic: "TopicTest",
        subString: "TagA",
        tagsSet: ["TagA"],
        codeSet: [2598919],
        subVersion: 1700000000000,
        expressionType: "TAG",
        classFilterMode: false,
      },
      {
        topic: "%RETRY%g1",
        subString: "*",
        tagsSet: [],
        codeSet: [],
        subVersion: 1700000000001,
        expressionType: "TAG",
        classFilterMode: false,
      },
    ],
    unitMode: false,
  }],
  producerDataSet: [{ groupName: "CLIENT_INNER_PRODUCER" }],
};

Deno.test("encodeHeartbeatData() writes what a Java client sends", { permissions: "none" }, () => {
  assert.equal(textDecoder.decode(encodeHeartbeatData(DATA)), JAVA_TEXT);
});

Deno.test("decodeHeartbeatData() reads Java's text", { permissions: "none" }, () => {
  assert.deepEqual(decodeHeartbeatData(textEncoder.encode(JAVA_TEXT)), DATA);
});

Deno.test("decodeHeartbeatData() reads ali-ons and Go leniently", { permissions: "none" }, () => {
  // ali-ons (JSON.stringify): no expressionType; Go: codeSet as strings, 5.x extras.
  const text = '{"clientID":"c","consumerDataSet":[{"groupName":"g","consumeType":' +
    '"CONSUME_PASSIVELY","messageModel":"BROADCASTING","consumeFromWhere":' +
    '"CONSUME_FROM_FIRST_OFFSET","subscriptionDataSet":[{"topic":"T","subString":"a||b",' +
    '"classFilterMode":false,"tagsSet":["a","b"],"codeSet":["97","98"],"subVersion":5}],' +
    '"unitMode":false}],"producerDataSet":[],"heartbeatFingerprint":7,"withoutSub":false}';
  const h = decodeHeartbeatData(textEncoder.encode(text));
  const s = h.consumerDataSet[0].subscriptionDataSet[0];
  assert.equal(h.consumerDataSet[0].messageModel, "BROADCASTING");
  assert.equal(s.expressionType, "TAG");
  assert.deepEqual(s.codeSet, [97, 98]);
  assert.deepEqual(h.producerDataSet, []);
  assert.throws(() => decodeHeartbeatData(textEncoder.encode("{")), SyntaxError);
});

Deno.test("encodeHeartbeatData() writes a producer-only heartbeat", { permissions: "none" }, () => {
  const body = encodeHeartbeatData({
    clientID: "127.0.0.1@1#2",
    producerDataSet: [{ groupName: "pg" }, { groupName: "CLIENT_INNER_PRODUCER" }],
    consumerDataSet: [],
  });
  assert.equal(
    textDecoder.decode(body),
    '{"clientID":"127.0.0.1@1#2","consumerDataSet":[],' +
      '"producerDataSet":[{"groupName":"pg"},{"groupName":"CLIENT_INNER_PRODUCER"}]}',
  );
});
