import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { decodeBatch } from "../../src/common/message/batch_codec.ts";
import { decodeProperties } from "../../src/common/message/properties.ts";
import { MessageSysFlag } from "../../src/common/message/sys_flag.ts";
import {
  encodeMessageProperties,
  type Message,
  prepareBatch,
  prepareMessage,
  type PrepareOptions,
} from "../../src/client/message.ts";

const OPTS: PrepareOptions = {
  maxMessageSize: 4 * 1024 * 1024,
  compressOver: 4096,
  compressLevel: 5,
};
const ID = "7F0000010001000000000000000000AB";
const dec = new TextDecoder();

function counter() {
  let n = 0;
  return () => `ID${n++}`;
}

Deno.test(
  {
    name: "encodeMessageProperties() writes user properties, KEYS, TAGS, DELAY, WAIT, UNIQ_KEY",
    permissions: "none",
  },
  () => {
    const s = encodeMessageProperties(
      {
        topic: "T",
        body: "b",
        tags: "TagA",
        keys: ["k1", "", "k2"],
        properties: { color: "red" },
        delayTimeLevel: 3,
      },
      ID,
    );
    assert.equal(
      s,
      "color\u0001red\u0002KEYS\u0001k1 k2\u0002TAGS\u0001TagA\u0002DELAY\u00013\u0002" +
        `WAIT\u0001true\u0002UNIQ_KEY\u0001${ID}\u0002`,
    );
  },
);

Deno.test(
  {
    name: "encodeMessageProperties() writes WAIT=false and leaves out empty tags and keys",
    permissions: "none",
  },
  () => {
    const s = encodeMessageProperties(
      { topic: "T", body: "b", tags: "", keys: "", delayTimeLevel: 0, waitStoreMsgOK: false },
      ID,
    );
    assert.deepEqual({ ...decodeProperties(s) }, { WAIT: "false", UNIQ_KEY: ID });
  },
);

Deno.test(
  {
    name: "encodeMessageProperties() refuses reserved names, blanks and separator bytes",
    permissions: "none",
  },
  () => {
    const bad: [Partial<Message>, RegExp][] = [
      [{ properties: { UNIQ_KEY: "x" } }, /property name UNIQ_KEY is reserved/],
      [{ properties: { TAGS: "x" } }, /reserved/],
      [{ properties: { k: " " } }, /non-blank name and value/],
      [{ properties: { "a\u0001b": "v" } }, /0x01 or 0x02/],
      // A value that would read back as a second, reserved property.
      [{ properties: { k: "x\u0002DELAY\u00013" } }, /property value .* 0x01 or 0x02/],
      [{ tags: "A\u0002B" }, /tags .* 0x01 or 0x02/],
      [{ keys: ["ok", "x\u0001"] }, /keys/],
      [{ delayTimeLevel: -1 }, /delayTimeLevel -1/],
      [{ delayTimeLevel: 1.5 }, /delayTimeLevel 1.5/],
    ];
    for (const [over, re] of bad) {
      assert.throws(
        () => encodeMessageProperties({ topic: "T", body: "b", ...over }, ID),
        (e: Error) => (e instanceof TypeError || e instanceof RangeError) && re.test(e.message),
        JSON.stringify(over),
      );
    }
  },
);

Deno.test(
  {
    name: "encodeMessageProperties() refuses a property string over 32767 bytes",
    permissions: "none",
  },
  () => {
    assert.throws(
      () =>
        encodeMessageProperties(
          { topic: "T", body: "b", properties: { big: "é".repeat(17000) } },
          ID,
        ),
      { name: "RangeError", message: /properties are \d+ bytes \(max 32767\)/ },
    );
  },
);

Deno.test(
  {
    name: "prepareMessage() compresses bodies of 4096 bytes and more with zlib, flags 0x301",
    permissions: "none",
  },
  () => {
    const small = prepareMessage({ topic: "T", body: new Uint8Array(4095).fill(65) }, ID, OPTS);
    assert.equal(small.sysFlag, 0);
    assert.equal(small.body.length, 4095);
    const big = new Uint8Array(4096).fill(66);
    const p = prepareMessage({ topic: "T", body: big }, ID, OPTS);
    assert.equal(p.sysFlag, MessageSysFlag.COMPRESSED | MessageSysFlag.COMPRESSION_ZLIB);
    assert.equal(p.sysFlag, 0x301);
    assert.equal(p.body[0], 0x78); // RFC 1950 zlib stream
    assert.ok(p.body.length < 100);
    assert.deepEqual(new Uint8Array(inflateSync(p.body)), big);
    assert.equal(p.rawLength, 4096);
  },
);

Deno.test(
  {
    name: "prepareMessage() encodes a string body as UTF-8 and carries flag and msgId",
    permissions: "none",
  },
  () => {
    const p = prepareMessage({ topic: "T", body: "héllo", flag: 7 }, ID, OPTS);
    assert.equal(dec.decode(p.body), "héllo");
    assert.equal(p.flag, 7);
    assert.equal(p.msgId, ID);
    assert.equal(p.batch, false);
    assert.equal(decodeProperties(p.properties).UNIQ_KEY, ID);
  },
);

Deno.test(
  {
    name: "prepareMessage() refuses bad topics, empty or oversized bodies and bad flags",
    permissions: "none",
  },
  () => {
    const cases: [unknown, RegExp][] = [
      [{ topic: "", body: "b" }, /topic is blank/],
      [{ topic: "a b", body: "b" }, /topic "a b" has characters other than/],
      [{ topic: "x".repeat(128), body: "b" }, /128 characters long \(max 127\)/],
      [{ topic: "TBW102", body: "b" }, /reserved for topic auto-creation/],
      [{ topic: "SCHEDULE_TOPIC_XXXX", body: "b" }, /forbidden/],
      [{ topic: "T", body: "" }, /body is empty/],
      [{ topic: "T", body: new Uint8Array(0) }, /body is empty/],
      [{ topic: "T", body: 42 }, /body must be a Uint8Array or a string/],
      [{ topic: "T", body: new Uint8Array(11) }, /body is 11 bytes \(max 10\)/],
      [{ topic: "T", body: "b", flag: 2 ** 31 }, /flag 2147483648 is not an int32/],
      [null, /message must be an object/],
    ];
    for (const [msg, re] of cases) {
      assert.throws(
        () => prepareMessage(msg as Message, ID, { ...OPTS, maxMessageSize: 10 }),
        (e: Error) =>
          (e instanceof TypeError || e instanceof RangeError) && re.test(e.message) &&
          !e.message.includes("\n"),
        JSON.stringify(msg),
      );
    }
  },
);

Deno.test(
  {
    name: "prepareBatch() encodes each message with its own UNIQ_KEY, uncompressed",
    permissions: "none",
  },
  () => {
    const big = new Uint8Array(5000).fill(1);
    const p = prepareBatch(
      [
        { topic: "T", body: "a", tags: "x", flag: 3 },
        { topic: "T", body: big, keys: "k" },
      ],
      counter(),
      OPTS,
    );
    assert.equal(p.batch, true);
    assert.equal(p.sysFlag, 0);
    assert.equal(p.msgId, "ID0,ID1");
    assert.equal(p.properties, "WAIT\u0001true\u0002");
    const items = decodeBatch(p.body);
    assert.equal(items.length, 2);
    assert.equal(items[0].flag, 3);
    assert.equal(dec.decode(items[0].body), "a");
    assert.deepEqual({ ...decodeProperties(items[0].properties) }, {
      TAGS: "x",
      WAIT: "true",
      UNIQ_KEY: "ID0",
    });
    assert.deepEqual(items[1].body, big);
    assert.equal(decodeProperties(items[1].properties).UNIQ_KEY, "ID1");
  },
);

Deno.test(
  {
    name: "prepareBatch() refuses mixed topics, delays, retry topics, mixed WAIT and oversize",
    permissions: "none",
  },
  () => {
    const cases: [Message[], RegExp][] = [
      [[], /no messages/],
      [[{ topic: "T", body: "a" }, { topic: "U", body: "b" }], /message 1 has topic "U", not T/],
      [[{ topic: "T", body: "a", delayTimeLevel: 2 }], /delay level/],
      [[{ topic: "%RETRY%g", body: "a" }], /retry topic/],
      [
        [{ topic: "T", body: "a" }, { topic: "T", body: "b", waitStoreMsgOK: false }],
        /waitStoreMsgOK/,
      ],
      [[{ topic: "T", body: "" }], /body is empty/],
      [
        [{ topic: "T", body: "123456" }, { topic: "T", body: "123456" }],
        /encode to \d+ bytes \(max 40\)/,
      ],
    ];
    for (const [msgs, re] of cases) {
      assert.throws(
        () => prepareBatch(msgs, counter(), { ...OPTS, maxMessageSize: 40 }),
        (e: Error) => (e instanceof TypeError || e instanceof RangeError) && re.test(e.message),
        JSON.stringify(msgs),
      );
    }
  },
);
