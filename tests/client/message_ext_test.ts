import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { concatBytes } from "../../src/common/bytes.ts";
import {
  encodeMessageRecord,
  type MessageRecordInput,
} from "../../src/common/message/message_codec.ts";
import { MessageSysFlag } from "../../src/common/message/sys_flag.ts";
import { decodeMessages, TopicHint } from "../../src/client/message_ext.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const UNIQ = "7F0000010001000000000000000000AB";

function record(over: Partial<MessageRecordInput> = {}): Uint8Array {
  return encodeMessageRecord({
    queueId: 3,
    flag: 7,
    queueOffset: 100,
    physicalOffset: 8192,
    sysFlag: 0,
    bornTimestamp: 1700000000000,
    bornHost: { ip: new Uint8Array([192, 168, 0, 10]), port: 51234 },
    storeTimestamp: 1700000000123,
    storeHost: { ip: new Uint8Array([10, 0, 0, 2]), port: 10911 },
    reconsumeTimes: 2,
    preparedTransactionOffset: 0,
    body: enc.encode("payload"),
    topic: "TopicTest",
    properties: `a\u0001x\u0002UNIQ_KEY\u0001${UNIQ}\u0002`,
    ...over,
  });
}

Deno.test({
  name: "decodeMessages() reads the §4.1 fixture record with Java's MessageExt fields",
  permissions: { read: true },
}, () => {
  // tests/fixtures/message_record_v1.hex: hand-assembled from the REMOTING.md §4.1 table.
  const [m, ...rest] = decodeMessages(loadHexFixture("message_record_v1.hex"), "broker-a");
  assert.equal(rest.length, 0);
  assert.equal(m.topic, "TopicTest");
  assert.equal(m.brokerName, "broker-a");
  assert.equal(m.queueId, 1);
  assert.equal(m.queueOffset, 42);
  assert.equal(m.commitLogOffset, 4096);
  assert.equal(m.storeSize, 168);
  assert.equal(m.bodyCRC, 2010220930);
  assert.equal(m.bornTimestamp, 1700000000000);
  assert.equal(m.storeTimestamp, 1700000000123);
  assert.equal(m.bornHost, "192.168.0.10:51234");
  assert.equal(m.storeHost, "10.0.0.2:10911");
  assert.equal(dec.decode(m.body), "Hello");
  assert.equal(m.tags, "TagA");
  assert.deepEqual(m.keys, ["k1", "k2"]);
  assert.equal(m.msgId, UNIQ);
  // offsetMsgId: store IP 0A000002, port 00002A9F, commit-log offset 0x1000 (§6).
  assert.equal(m.offsetMsgId, "0A00000200002A9F0000000000001000");
  assert.deepEqual({ ...m.properties }, { TAGS: "TagA", KEYS: "k1 k2", UNIQ_KEY: UNIQ });
});

Deno.test({
  name: "decodeMessages() reads IPv6 hosts (the §4.1 IPv6 fixture)",
  permissions: { read: true },
}, () => {
  const [m] = decodeMessages(loadHexFixture("message_record_v1_ipv6.hex"), "b");
  assert.equal(m.bornHost, "0:0:0:0:0:0:0:1:51234");
  assert.equal(m.storeHost, "fe80:0:0:0:0:0:0:2:10911");
  assert.equal(m.queueOffset, 42);
  assert.equal(dec.decode(m.body), "Hello");
  assert.equal(m.offsetMsgId.length, 56);
});

Deno.test({
  name: "decodeMessages() splits back-to-back records and shares the hinted topic string",
  permissions: "none",
}, () => {
  const body = concatBytes([
    record(),
    record({ queueOffset: 101, topic: "Other" }),
    record({ queueOffset: 102 }),
  ]);
  const hint = new TopicHint("TopicTest");
  const msgs = decodeMessages(body, "b", hint);
  assert.deepEqual(msgs.map((m) => m.queueOffset), [100, 101, 102]);
  assert.deepEqual(msgs.map((m) => m.topic), ["TopicTest", "Other", "TopicTest"]);
  assert.equal(msgs[0].topic, hint.topic);
  assert.equal(msgs[0].flag, 7);
  assert.equal(msgs[0].reconsumeTimes, 2);
  // Bodies are views into the pull body, not copies.
  assert.equal(msgs[1].body.buffer, body.buffer);
});

Deno.test({
  name: "ReceivedMessage body is inflated when the producer compressed it",
  permissions: "none",
}, () => {
  const text = "x".repeat(10_000);
  const z = deflateSync(enc.encode(text), { level: 5 });
  const [m] = decodeMessages(
    record({
      body: new Uint8Array(z.buffer, z.byteOffset, z.byteLength),
      sysFlag: MessageSysFlag.COMPRESSED | MessageSysFlag.COMPRESSION_ZLIB,
    }),
    "b",
  );
  assert.equal(dec.decode(m.body), text);
  // LZ4 (0x100) is not something node:zlib reads: a clear error, not garbage.
  const [lz4] = decodeMessages(record({ sysFlag: MessageSysFlag.COMPRESSED | 0x100 }), "b");
  assert.throws(() => lz4.body, /LZ4 is not supported/);
});

Deno.test({
  name: "ReceivedMessage falls back to the offsetMsgId without UNIQ_KEY and adds queue bounds",
  permissions: "none",
}, () => {
  const [m] = decodeMessages(record({ properties: "" }), "b");
  assert.equal(m.msgId, m.offsetMsgId);
  assert.equal(m.tags, undefined);
  assert.deepEqual(m.keys, []);
  m.minOffset = 0;
  m.maxOffset = 500;
  assert.equal(m.getProperty("MAX_OFFSET"), "500");
  assert.deepEqual({ ...m.properties }, { MIN_OFFSET: "0", MAX_OFFSET: "500" });
});

Deno.test({
  name: "decodeMessages() rejects truncated and inconsistent records",
  permissions: "none",
}, () => {
  const good = record();
  assert.throws(() => decodeMessages(good.subarray(0, good.length - 1), "b"), RangeError);
  const badMagic = good.slice();
  badMagic[4] = 0;
  assert.throws(() => decodeMessages(badMagic, "b"), /bad magic/);
  const badBody = good.slice();
  new DataView(badBody.buffer).setInt32(84, 100_000);
  assert.throws(() => decodeMessages(badBody, "b"), /bad body length/);
});
