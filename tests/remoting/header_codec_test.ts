import assert from "node:assert/strict";
import { decodeFrame } from "../../src/remoting/frame_codec.ts";
import {
  decodeHeader,
  encodeHeader,
  HeaderError,
  type HeaderSchema,
} from "../../src/remoting/header_codec.ts";
import {
  PullMessageRequestHeader,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
} from "../../src/remoting/headers.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";

const JSON_SEND_V2_REQUEST = loadHexFixture("frame_json_send_v2_request.hex");
const ALIONS_SEND_V2_REQUEST = loadHexFixture("frame_alions_send_v2_request.hex");

const PROPERTIES =
  "KEYS\u0001k1\u0002UNIQ_KEY\u00017F0000010001000000000000000000AB\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002";

Deno.test({
  name: "decodeHeader() reads SEND_MESSAGE_V2's one-letter keys from the §1.2 example",
  permissions: "none",
  fn() {
    const h = decodeHeader(SendMessageRequestHeaderV2, decodeFrame(JSON_SEND_V2_REQUEST).extFields);
    assert.deepEqual(h, {
      producerGroup: "PG",
      topic: "TopicTest",
      defaultTopic: "TBW102",
      defaultTopicQueueNums: 4,
      queueId: 1,
      sysFlag: 0,
      bornTimestamp: 1700000000000,
      flag: 0,
      properties: PROPERTIES,
      reconsumeTimes: 0,
      unitMode: false,
      batch: false,
      brokerName: "broker-a",
    });
  },
});

Deno.test({
  name: "decodeHeader() reads ali-ons's raw numbers and booleans as typed values",
  permissions: "none",
  fn() {
    const h = decodeHeader(
      SendMessageRequestHeaderV2,
      decodeFrame(ALIONS_SEND_V2_REQUEST).extFields,
    );
    assert.equal(h.queueId, 0);
    assert.equal(h.bornTimestamp, 1700000000000);
    assert.equal(h.unitMode, false);
    assert.equal(h.maxReconsumeTimes, undefined);
    assert.equal(h.batch, undefined);
  },
});

Deno.test({
  name: "encodeHeader() writes wire keys and string values, skipping absent fields",
  permissions: "none",
  fn() {
    const ext = encodeHeader(SendMessageRequestHeaderV2, {
      producerGroup: "PG",
      topic: "T",
      defaultTopic: "TBW102",
      defaultTopicQueueNums: 4,
      queueId: 3,
      sysFlag: 0,
      bornTimestamp: 1700000000000,
      flag: 0,
      unitMode: false,
      batch: true,
      maxReconsumeTimes: undefined,
    });
    assert.deepEqual(ext, {
      a: "PG",
      b: "T",
      c: "TBW102",
      d: "4",
      e: "3",
      f: "0",
      g: "1700000000000",
      h: "0",
      k: "false",
      m: "true",
    });
    assert.deepEqual(decodeHeader(SendMessageRequestHeaderV2, ext).queueId, 3);
  },
});

Deno.test({
  name: "decodeHeader() names a missing not-null field by its wire key",
  permissions: "none",
  fn() {
    const ext = encodeHeader(SendMessageResponseHeader, { msgId: "X", queueId: 1 });
    assert.throws(() => decodeHeader(SendMessageResponseHeader, ext), {
      name: "HeaderError",
      message: "Missing header field queueOffset",
    });
    assert.throws(() => decodeHeader(SendMessageRequestHeaderV2, {}), {
      name: "HeaderError",
      message: "Missing header field a",
    });
    assert.ok(new HeaderError("x") instanceof TypeError);
  },
});

const Schema = {
  i: { type: "int" },
  l: { type: "long" },
  b: { type: "boolean" },
  d: { type: "double" },
  s: { type: "string" },
} as const satisfies HeaderSchema;

Deno.test({
  name: "decodeHeader() parses ints, longs, booleans and doubles as Java's decoder does",
  permissions: "none",
  fn() {
    const h = decodeHeader(Schema, { i: "-2147483648", l: "-42", b: "TRUE", d: "1.5", s: "" });
    assert.deepEqual(h, { i: -2147483648, l: -42, b: true, d: 1.5, s: "" });
    assert.equal(decodeHeader(Schema, { i: "2147483647" }).i, 2147483647);
    assert.equal(decodeHeader(Schema, { i: "+7" }).i, 7);
    assert.equal(decodeHeader(Schema, { l: "9007199254740993" }).l, 9007199254740992);
    // Boolean.parseBoolean: anything but case-insensitive "true" is false.
    for (const raw of ["false", "yes", "1", "", " true", "tru"]) {
      assert.equal(decodeHeader(Schema, { b: raw }).b, false, raw);
    }
    assert.equal(decodeHeader(Schema, { b: "True" }).b, true);
    assert.equal(decodeHeader(Schema, { d: "1e3" }).d, 1000);
  },
});

Deno.test({
  name: "decodeHeader() rejects numbers Java could not parse, naming the field",
  permissions: "none",
  fn() {
    const bad: [string, string][] = [
      ["i", "2147483648"],
      ["i", "-2147483649"],
      ["i", "1.5"],
      ["i", "abc"],
      ["i", ""],
      ["i", "0x10"],
      ["l", "12a"],
      ["l", ""],
      ["l", "1e3"],
      ["d", ""],
      ["d", "x"],
    ];
    for (const [key, raw] of bad) {
      assert.throws(
        () => decodeHeader(Schema, { [key]: raw }),
        (e) =>
          e instanceof HeaderError && e.message.includes(`field ${key}: ${JSON.stringify(raw)}`),
        `${key}=${raw}`,
      );
    }
  },
});

Deno.test({
  name: "decodeHeader() ignores unknown keys and leaves absent optional fields out",
  permissions: "none",
  fn() {
    const h = decodeHeader(PullMessageRequestHeader, {
      consumerGroup: "CG",
      topic: "T",
      queueId: "0",
      queueOffset: "5",
      maxMsgNums: "32",
      sysFlag: "6",
      commitOffset: "0",
      suspendTimeoutMillis: "15000",
      subVersion: "1",
      AccessKey: "ak",
      unknown: "x",
    });
    assert.deepEqual(Object.keys(h).sort(), [
      "commitOffset",
      "consumerGroup",
      "maxMsgNums",
      "queueId",
      "queueOffset",
      "subVersion",
      "suspendTimeoutMillis",
      "sysFlag",
      "topic",
    ]);
  },
});

Deno.test({
  name: "decodeHeader() reads the odd number forms clients send, as Java's parsers do",
  permissions: "none",
  fn() {
    const ext = encodeHeader(SendMessageRequestHeaderV2, {
      producerGroup: "PG",
      topic: "TopicTest",
      defaultTopic: "TBW102",
      defaultTopicQueueNums: 4,
      queueId: -1,
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_123,
      flag: -5,
    });
    const h = decodeHeader(SendMessageRequestHeaderV2, {
      ...ext,
      e: " 2",
      d: "+4",
      g: "9223372036854775807",
      k: "TRUE",
      m: "yes",
    });
    assert.equal(h.queueId, 2);
    assert.equal(h.defaultTopicQueueNums, 4);
    assert.equal(h.bornTimestamp, 9223372036854775807);
    assert.equal(h.flag, -5);
    assert.equal(h.unitMode, true);
    assert.equal(h.batch, false);
    assert.throws(
      () => decodeHeader(SendMessageRequestHeaderV2, { ...ext, e: "2147483648" }),
      /Cannot decode header field e: "2147483648" is not an int/,
    );
    assert.throws(
      () => decodeHeader(SendMessageRequestHeaderV2, { ...ext, g: "1e3" }),
      /Cannot decode header field g: "1e3" is not a long/,
    );
    const missing = { ...ext };
    delete missing.b;
    assert.throws(
      () => decodeHeader(SendMessageRequestHeaderV2, missing),
      new HeaderError("Missing header field b"),
    );
  },
});
