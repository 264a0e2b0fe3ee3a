import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { deflateSync } from "node:zlib";
import MessageDecoderJs from "ali-ons/lib/message/message_decoder.js";
import { maskedCrc32 } from "../../../src/common/crc32.ts";
import {
  BLANK_MAGIC,
  decodeMessageRecord,
  decodeMessageRecords,
  encodeMessageRecord,
  isIntactRecord,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  type MessageRecordInput,
  RecordPos,
  recordSize,
  storeTimestampPos,
  verifyRecordCrc,
  writeMessageRecord,
} from "../../../src/common/message/message_codec.ts";
import { createOffsetMsgId } from "../../../src/common/message/message_id.ts";
import { decodeProperties } from "../../../src/common/message/properties.ts";
import { MessageSysFlag } from "../../../src/common/message/sys_flag.ts";
import { loadHexFixture } from "../../helpers/fixtures.ts";

// ali-ons decodes pull bodies from a `byte` ByteBuffer; take the very module it uses.
const ByteBuffer = createRequire(import.meta.resolve("ali-ons/lib/message/message_decoder.js"))(
  "byte",
);

const RECORD_V1 = loadHexFixture("message_record_v1.hex");
const RECORD_V1_IPV6 = loadHexFixture("message_record_v1_ipv6.hex");

const enc = new TextEncoder();
const PROPERTIES =
  "TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002UNIQ_KEY\u00017F0000010001000000000000000000AB\u0002";

/** The record in tests/fixtures/message_record_v1.hex. */
function fixtureInput(): MessageRecordInput {
  return {
    queueId: 1,
    flag: 0,
    queueOffset: 42,
    physicalOffset: 4096,
    sysFlag: 0,
    bornTimestamp: 1700000000000,
    bornHost: { ip: new Uint8Array([192, 168, 0, 10]), port: 51234 },
    storeTimestamp: 1700000000123,
    storeHost: { ip: new Uint8Array([10, 0, 0, 2]), port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: enc.encode("Hello"),
    topic: "TopicTest",
    properties: PROPERTIES,
  };
}

function ipv6FixtureInput(): MessageRecordInput {
  const born = new Uint8Array(16);
  born[15] = 1;
  const store = new Uint8Array(16);
  store[0] = 0xfe;
  store[1] = 0x80;
  store[15] = 2;
  return {
    ...fixtureInput(),
    bornHost: { ip: born, port: 51234 },
    storeHost: { ip: store, port: 10911 },
  };
}

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

test("encodeMessageRecord() writes the §4.1 V1 layout byte for byte", () => {
  assert.deepEqual(encodeMessageRecord(fixtureInput()), RECORD_V1);
});

test("encodeMessageRecord() sets the IPv6 host flags and writes 16-byte hosts", () => {
  const input = ipv6FixtureInput();
  assert.deepEqual(encodeMessageRecord(input), RECORD_V1_IPV6);
  // The flags follow the hosts, whatever the caller passed.
  assert.deepEqual(
    encodeMessageRecord({ ...input, sysFlag: MessageSysFlag.BORNHOST_V6 }),
    RECORD_V1_IPV6,
  );
  const v4 = encodeMessageRecord({ ...fixtureInput(), sysFlag: 0x30 });
  assert.deepEqual(v4, RECORD_V1);
});

test("decodeMessageRecord() reads every field of the golden records", () => {
  for (
    const [bytes, input, sysFlag] of [[RECORD_V1, fixtureInput(), 0], [
      RECORD_V1_IPV6,
      ipv6FixtureInput(),
      0x30,
    ]] as const
  ) {
    const m = decodeMessageRecord(bytes);
    assert.deepEqual(m, {
      ...input,
      sysFlag,
      storeSize: bytes.length,
      bodyCrc: maskedCrc32(enc.encode("Hello")),
    });
    assert.ok(verifyRecordCrc(m));
    assert.deepEqual({ ...decodeProperties(m.properties) }, {
      TAGS: "TagA",
      KEYS: "k1 k2",
      UNIQ_KEY: "7F0000010001000000000000000000AB",
    });
  }
});

test("recordSize() is 91 + body + topic + properties, plus 12 per IPv6 host", () => {
  assert.equal(recordSize(5, 9, PROPERTIES.length), RECORD_V1.length);
  assert.equal(recordSize(5, 9, PROPERTIES.length, 16, 16), RECORD_V1_IPV6.length);
  assert.equal(recordSize(0, 0, 0), 91);
  assert.equal(recordSize(0, 0, 0, 16, 4), 103);
});

test("RecordPos and storeTimestampPos() name the fixed offsets tools read", () => {
  const v = new DataView(RECORD_V1.buffer);
  assert.equal(v.getInt32(RecordPos.MAGIC), MESSAGE_MAGIC_V1);
  assert.equal(v.getInt32(RecordPos.QUEUE_ID), 1);
  assert.equal(v.getBigInt64(RecordPos.QUEUE_OFFSET), 42n);
  assert.equal(v.getBigInt64(RecordPos.PHYSICAL_OFFSET), 4096n);
  assert.equal(v.getBigInt64(storeTimestampPos(0)), 1700000000123n);
  const v6 = new DataView(RECORD_V1_IPV6.buffer);
  assert.equal(storeTimestampPos(v6.getInt32(RecordPos.SYS_FLAG)), 68);
  assert.equal(v6.getBigInt64(68), 1700000000123n);
  assert.equal(MESSAGE_MAGIC_V1, -626843481);
  assert.equal(MESSAGE_MAGIC_V2, -626843477);
  assert.equal(BLANK_MAGIC, -875286124);
});

test("writeMessageRecord() writes at any position of a larger buffer", () => {
  const input = fixtureInput();
  const target = new Uint8Array(RECORD_V1.length + 20).fill(0xee);
  const size = writeMessageRecord(
    target,
    13,
    input,
    enc.encode(input.topic),
    enc.encode(input.properties),
  );
  assert.equal(size, RECORD_V1.length);
  assert.deepEqual(target.subarray(13, 13 + size), RECORD_V1);
  assert.ok(target.subarray(0, 13).every((b) => b === 0xee));
  assert.ok(target.subarray(13 + size).every((b) => b === 0xee));
  assert.deepEqual(decodeMessageRecord(target, 13).topic, "TopicTest");
});

test("encodeMessageRecord() round-trips large offsets, negative flags and a given CRC", () => {
  const input: MessageRecordInput = {
    ...fixtureInput(),
    queueId: 2147483647,
    flag: -1,
    queueOffset: 2 ** 40 + 3,
    physicalOffset: 2 ** 50 + 7,
    preparedTransactionOffset: 2 ** 33,
    reconsumeTimes: 16,
    sysFlag: MessageSysFlag.TRANSACTION_COMMIT_TYPE | MessageSysFlag.MULTI_TAGS,
    bodyCrc: 12345,
    body: new Uint8Array(0),
    topic: "%RETRY%group_\u4e2d",
    properties: "",
  };
  const m = decodeMessageRecord(encodeMessageRecord(input));
  assert.deepEqual(m, { ...input, storeSize: recordSize(0, enc.encode(input.topic).length, 0) });
  assert.equal(verifyRecordCrc(m), false);
});

test("decodeMessageRecord() can leave the body as a view into the buffer", () => {
  const bytes = RECORD_V1.slice();
  const view = decodeMessageRecord(bytes, 0, false).body;
  const copy = decodeMessageRecord(bytes).body;
  bytes[88] = 0x4a; // "Hello" -> "Jello"
  assert.equal(new TextDecoder().decode(view), "Jello");
  assert.equal(new TextDecoder().decode(copy), "Hello");
});

test("decodeMessageRecords() reads records back to back", () => {
  const all = new Uint8Array([...RECORD_V1, ...RECORD_V1_IPV6, ...RECORD_V1]);
  const ms = decodeMessageRecords(all);
  assert.deepEqual(ms.map((m) => m.storeSize), [
    RECORD_V1.length,
    RECORD_V1_IPV6.length,
    RECORD_V1.length,
  ]);
  assert.deepEqual(decodeMessageRecords(new Uint8Array(0)), []);
});

test("decodeMessageRecord() reads a V2 record (two-byte topic length)", () => {
  // V2 = V1 with the magic changed and the topic length widened to int16 (§4.1).
  const topicAt = 88 + 5;
  const v2 = new Uint8Array(RECORD_V1.length + 1);
  v2.set(RECORD_V1.subarray(0, topicAt));
  v2.set([0, 9], topicAt);
  v2.set(RECORD_V1.subarray(topicAt + 1), topicAt + 2);
  const v = new DataView(v2.buffer);
  v.setInt32(0, v2.length);
  v.setInt32(4, MESSAGE_MAGIC_V2);
  const m = decodeMessageRecord(v2);
  assert.equal(m.topic, "TopicTest");
  assert.equal(m.properties, PROPERTIES);
  assert.equal(m.storeSize, RECORD_V1.length + 1);
});

test("decodeMessageRecord() rejects blank, truncated and inconsistent records", () => {
  const withInt32 = (pos: number, n: number) => {
    const b = RECORD_V1.slice();
    new DataView(b.buffer).setInt32(pos, n);
    return b;
  };
  const topicLengthAt = 88 + 5;
  const propertiesLengthAt = topicLengthAt + 1 + 9;
  const bad: [string, Uint8Array, RegExp][] = [
    ["7 bytes", RECORD_V1.subarray(0, 7), /at 0: truncated header/],
    ["blank", withInt32(4, BLANK_MAGIC), /bad magic 0xcbd43194/],
    ["size 90", withInt32(0, 90), /bad size 90/],
    ["size past the end", withInt32(0, RECORD_V1.length + 1), /bad size/],
    ["truncated", RECORD_V1.subarray(0, RECORD_V1.length - 1), /bad size/],
    ["body length -1", withInt32(84, -1), /bad body length -1/],
    ["body length too big", withInt32(84, 1000), /bad body length 1000/],
    [
      "topic length",
      (() => {
        const b = RECORD_V1.slice();
        b[topicLengthAt] = 0x80; // -128 as a signed byte
        return b;
      })(),
      /bad topic length -128/,
    ],
    [
      "properties length",
      (() => {
        const b = RECORD_V1.slice();
        new DataView(b.buffer).setInt16(propertiesLengthAt, 5);
        return b;
      })(),
      /bad properties length 5/,
    ],
  ];
  for (const [what, bytes, message] of bad) {
    assert.throws(
      () => decodeMessageRecord(bytes),
      (e) => e instanceof RangeError && message.test(e.message),
      what,
    );
  }
  const shifted = new Uint8Array([0, 0, 0, ...RECORD_V1.subarray(0, 20)]);
  assert.throws(() => decodeMessageRecord(shifted, 3), /Cannot decode message at 3: /);
});

test("encodeMessageRecord() enforces the topic and properties limits", () => {
  const base = fixtureInput();
  assert.equal(
    decodeMessageRecord(encodeMessageRecord({ ...base, topic: "t".repeat(127) })).topic.length,
    127,
  );
  assert.throws(() => encodeMessageRecord({ ...base, topic: "t".repeat(128) }), {
    name: "RangeError",
    message: "Cannot encode message: topic is 128 bytes (max 127)",
  });
  assert.throws(() => encodeMessageRecord({ ...base, topic: "\u4e2d".repeat(43) }), RangeError);
  assert.throws(() => encodeMessageRecord({ ...base, properties: "p".repeat(32768) }), {
    name: "RangeError",
    message: "Cannot encode message: properties are 32768 bytes (max 32767)",
  });
});

// ---- ali-ons, a third-party decoder ----

Deno.test("ali-ons's message decoder reads records encodeMessageRecord() wrote", () => {
  const plain = fixtureInput();
  const original = enc.encode("a compressible body ".repeat(300));
  const compressed: MessageRecordInput = {
    ...fixtureInput(),
    queueOffset: 43,
    physicalOffset: 4096 + RECORD_V1.length,
    sysFlag: MessageSysFlag.COMPRESSED | MessageSysFlag.COMPRESSION_ZLIB,
    body: new Uint8Array(deflateSync(original, { level: 5 })),
    properties: "TAGS\u0001TagB\u0002",
  };
  const bytes = new Uint8Array([...encodeMessageRecord(plain), ...encodeMessageRecord(compressed)]);
  const msgs = MessageDecoderJs.decodes(ByteBuffer.wrap(Buffer.from(bytes)));
  assert.equal(msgs.length, 2);
  const [a, b] = msgs;
  assert.equal(a.topic, "TopicTest");
  assert.equal(a.queueId, 1);
  assert.equal(a.queueOffset, 42);
  assert.equal(a.commitLogOffset, 4096);
  assert.equal(a.bornTimestamp, 1700000000000);
  assert.equal(a.storeTimestamp, 1700000000123);
  assert.equal(a.bornHost, "192.168.0.10:51234");
  assert.equal(a.storeHost, "10.0.0.2:10911");
  assert.equal(a.storeSize, RECORD_V1.length);
  assert.equal(a.bodyCRC, maskedCrc32(plain.body));
  assert.equal(Buffer.from(a.body).toString(), "Hello");
  assert.equal(a.properties.TAGS, "TagA");
  assert.equal(a.properties.KEYS, "k1 k2");
  assert.equal(a.properties.UNIQ_KEY, "7F0000010001000000000000000000AB");
  // ali-ons derives the offsetMsgId from STOREHOSTADDRESS + PHYSICALOFFSET (§6).
  assert.equal(a.msgId, createOffsetMsgId(plain.storeHost, 4096));
  assert.equal(b.queueOffset, 43);
  assert.equal(b.bodyCRC, maskedCrc32(compressed.body));
  assert.deepEqual(new Uint8Array(b.body), original);
  assert.equal(b.properties.TAGS, "TagB");
});

Deno.test("ali-ons's message decoder reads the golden V1 fixture", () => {
  const [m] = MessageDecoderJs.decodes(ByteBuffer.wrap(Buffer.from(RECORD_V1)));
  assert.equal(m.topic, "TopicTest");
  assert.equal(m.msgId, "0A00000200002A9F0000000000001000");
});

function intactRecord(): Uint8Array {
  return encodeMessageRecord({
    queueId: 1,
    flag: 0,
    queueOffset: 3,
    physicalOffset: 0,
    sysFlag: 0,
    bornTimestamp: 1,
    bornHost: { ip: new Uint8Array([192, 168, 0, 10]), port: 51234 },
    storeTimestamp: 2,
    storeHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: new TextEncoder().encode("hello"),
    topic: "T",
    properties: "",
  });
}

Deno.test({
  name: "isIntactRecord() checks size, magic and body CRC",
  permissions: "none",
  fn() {
    const r = intactRecord();
    const framed = new Uint8Array(r.length + 10);
    framed.set(r, 5);
    assert.equal(isIntactRecord(framed, 5, r.length), true);
    assert.equal(isIntactRecord(framed, 5, r.length - 1), false);
    framed[5 + 88] ^= 1;
    assert.equal(isIntactRecord(framed, 5, r.length), false);
    assert.equal(isIntactRecord(new Uint8Array(200), 0, 200), false);
  },
});
