import assert from "node:assert/strict";
import {
  decodeHeartbeatData,
  encodeHeartbeatData,
  type HeartbeatData,
} from "../../../src/remoting/body/heartbeat_data.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The REMOTING.md §3.5 example as a Java 4.9 client writes it (fastjson, keys sorted). */
const JAVA = '{"clientID":"10.0.0.5@12345#1700000000000000","consumerDataSet":[' +
  '{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",' +
  '"groupName":"g1","messageModel":"CLUSTERING","subscriptionDataSet":[' +
  '{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG","subString":"TagA",' +
  '"subVersion":1700000000000,"tagsSet":["TagA"],"topic":"TopicTest"},' +
  '{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*",' +
  '"subVersion":1700000000001,"tagsSet":[],"topic":"%RETRY%g1"}],"unitMode":false}],' +
  '"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}';

const EXAMPLE: HeartbeatData = {
  clientID: "10.0.0.5@12345#1700000000000000",
  producerDataSet: [{ groupName: "CLIENT_INNER_PRODUCER" }],
  consumerDataSet: [{
    groupName: "g1",
    consumeType: "CONSUME_PASSIVELY",
    messageModel: "CLUSTERING",
    consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
    unitMode: false,
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
  }],
};

Deno.test(
  { name: "encodeHeartbeatData() writes the HEART_BEAT body as Java does", permissions: "none" },
  () => {
    assert.equal(dec.decode(encodeHeartbeatData(EXAMPLE)), JAVA);
  },
);

Deno.test(
  { name: "encodeHeartbeatData() writes a producer-only heartbeat", permissions: "none" },
  () => {
    const body = encodeHeartbeatData({
      clientID: "127.0.0.1@1#2",
      producerDataSet: [{ groupName: "pg" }, { groupName: "CLIENT_INNER_PRODUCER" }],
      consumerDataSet: [],
    });
    assert.equal(
      dec.decode(body),
      '{"clientID":"127.0.0.1@1#2","consumerDataSet":[],' +
        '"producerDataSet":[{"groupName":"pg"},{"groupName":"CLIENT_INNER_PRODUCER"}]}',
    );
  },
);

Deno.test(
  { name: "decodeHeartbeatData() reads Java's body back", permissions: "none" },
  () => {
    assert.deepEqual(decodeHeartbeatData(enc.encode(JAVA)), EXAMPLE);
  },
);

Deno.test(
  {
    name: "decodeHeartbeatData() accepts Go's string codeSet and ali-ons' missing expressionType",
    permissions: "none",
  },
  () => {
    const h = decodeHeartbeatData(enc.encode(
      '{"clientID":"c","producerDataSet":[],"consumerDataSet":[{"groupName":"g",' +
        '"subscriptionDataSet":[{"topic":"T","subString":"A","tagsSet":["A"],"codeSet":["65"],' +
        '"subVersion":1}]}]}',
    ));
    const sub = h.consumerDataSet[0].subscriptionDataSet[0];
    assert.deepEqual(sub.codeSet, [65]);
    assert.equal(sub.expressionType, "TAG");
  },
);
