import assert from "node:assert/strict";
import { deflateSync, inflateSync } from "node:zlib";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeRegisterBrokerBody,
  encodeRegisterBrokerBody,
  type RegisterBrokerBody,
} from "../../../src/remoting/body/register_broker_body.ts";
import { createTopicConfig } from "../../../src/remoting/body/topic_config.ts";
import { loadHexFixture } from "../../helpers/fixtures.ts";

/** Read before the tests, which run without permissions. */
const GOLDEN = loadHexFixture("register_broker_body_compressed.hex");

function sample(): RegisterBrokerBody {
  return {
    topicConfigSerializeWrapper: {
      dataVersion: { counter: 3, timestamp: 1_700_000_000_000 },
      topicConfigTable: new Map([
        ["TopicTest", createTopicConfig("TopicTest", { readQueueNums: 4, writeQueueNums: 4 })],
        ["TBW102", createTopicConfig("TBW102", { readQueueNums: 8, writeQueueNums: 8, perm: 7 })],
      ]),
    },
    filterServerList: [],
  };
}

Deno.test(
  "encodeRegisterBrokerBody() writes Java's plain JSON form",
  { permissions: "none" },
  () => {
    assert.equal(
      textDecoder.decode(encodeRegisterBrokerBody(sample())),
      '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"timestamp":1700000000000},' +
        '"topicConfigTable":{"TBW102":{"order":false,"perm":7,"readQueueNums":8,"topicFilterType":"SINGLE_TAG",' +
        '"topicName":"TBW102","topicSysFlag":0,"writeQueueNums":8},"TopicTest":{"order":false,"perm":6,' +
        '"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,' +
        '"writeQueueNums":4}}}}',
    );
  },
);

Deno.test(
  "decodeRegisterBrokerBody() reads the plain form leniently",
  { permissions: "none" },
  () => {
    // Numbers as strings, unknown and 5.x fields, missing fields, pretty-printed.
    const text = `{
    "topicConfigSerializeWrapper": {
      "dataVersion": {"counter": "3", "timestamp": 1700000000000, "stateVersion": 0},
      "topicConfigTable": {"T1": {"readQueueNums": "2", "writeQueueNums": 2, "perm": 6,
        "topicFilterType": "MULTI_TAG", "attributes": {"+message.type": "NORMAL"}, "whatever": 1}},
      "topicQueueMappingInfoMap": {}
    }
  }`;
    const body = decodeRegisterBrokerBody(textEncoder.encode(text));
    assert.deepEqual(body, {
      topicConfigSerializeWrapper: {
        dataVersion: { counter: 3, timestamp: 1_700_000_000_000, stateVersion: 0 },
        topicConfigTable: new Map([["T1", {
          ...createTopicConfig("T1", {
            readQueueNums: 2,
            writeQueueNums: 2,
            topicFilterType: "MULTI_TAG",
          }),
          attributes: { "+message.type": "NORMAL" },
        }]]),
      },
      filterServerList: [],
    });
    assert.throws(() => decodeRegisterBrokerBody(textEncoder.encode("{")), SyntaxError);
  },
);

Deno.test(
  "decodeRegisterBrokerBody() reads the compressed golden body",
  { permissions: "none" },
  () => {
    const body = decodeRegisterBrokerBody(GOLDEN, true);
    assert.deepEqual(body, sample());
  },
);

Deno.test(
  "encodeRegisterBrokerBody() compresses to the golden payload",
  { permissions: "none" },
  () => {
    // zlib builds may differ byte for byte, so the inflated payloads are compared.
    const golden = inflateSync(GOLDEN);
    const ours = inflateSync(encodeRegisterBrokerBody(sample(), true));
    assert.deepEqual(new Uint8Array(ours), new Uint8Array(golden));
    assert.deepEqual(
      decodeRegisterBrokerBody(encodeRegisterBrokerBody(sample(), true), true),
      sample(),
    );
  },
);

Deno.test(
  "decodeRegisterBrokerBody() rejects damaged compressed bodies",
  { permissions: "none" },
  () => {
    const golden = GOLDEN;
    assert.throws(() => decodeRegisterBrokerBody(golden.subarray(0, 40), true), SyntaxError);
    assert.throws(
      () => decodeRegisterBrokerBody(textEncoder.encode("not zlib"), true),
      SyntaxError,
    );
    // A valid zlib stream whose payload stops inside the second topic's text.
    const cut = new Uint8Array(inflateSync(golden)).subarray(0, 90);
    assert.throws(
      () => decodeRegisterBrokerBody(new Uint8Array(deflateSync(cut)), true),
      /^SyntaxError: Cannot decode compressed RegisterBrokerBody: topic 1 length 23 exceeds the 9 bytes left$/,
    );
  },
);
