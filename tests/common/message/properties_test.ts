import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import MessageDecoderJs from "ali-ons/lib/message/message_decoder.js";
import {
  decodeProperties,
  encodeProperties,
  getProperty,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  removeProperty,
  setProperty,
} from "../../../src/common/message/properties.ts";

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

const S = "TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002WAIT\u0001true\u0002";

test("encodeProperties() writes name 0x01 value 0x02 per property, in order", () => {
  assert.equal(NAME_VALUE_SEPARATOR, "\u0001");
  assert.equal(PROPERTY_SEPARATOR, "\u0002");
  assert.equal(encodeProperties({ TAGS: "TagA", KEYS: "k1 k2", WAIT: "true" }), S);
  assert.equal(encodeProperties({}), "");
  const loose = { A: "1", B: undefined, C: null } as unknown as Record<string, string>;
  assert.equal(encodeProperties(loose), "A\u00011\u0002");
});

Deno.test("encodeProperties() writes what ali-ons writes", () => {
  const props = { KEYS: "k1", UNIQ_KEY: "ID", WAIT: "true", TAGS: "TagA", "\u4e2d": "\u00e9" };
  assert.equal(encodeProperties(props), MessageDecoderJs.messageProperties2String(props));
  assert.equal(
    Buffer.byteLength(encodeProperties(props)),
    new TextEncoder().encode(encodeProperties(props)).length,
  );
});

test("decodeProperties() reads what encodeProperties() writes", () => {
  const props = {
    TAGS: "TagA",
    KEYS: "k1 k2",
    UNIQ_KEY: "7F00",
    DELAY: "3",
    "\u4e2d": "\u{1f600}",
  };
  assert.deepEqual({ ...decodeProperties(encodeProperties(props)) }, props);
  assert.deepEqual({ ...decodeProperties("") }, {});
  assert.deepEqual({ ...decodeProperties(undefined) }, {});
});

test("decodeProperties() skips items Java's string2messageProperties skips", () => {
  const s = [
    "A\u00011", // ok
    "B\u0001", // value empty: separator last
    "\u0001x", // name empty: separator first
    "ab", // shorter than 3
    "noseparator", // no 0x01 in the item
    "", // empty item
    "C\u0001v=1\u0001w", // a second 0x01 stays in the value
    "D\u00014", // last item without a trailing 0x02
  ].join("\u0002");
  assert.deepEqual({ ...decodeProperties(s) }, { A: "1", C: "v=1\u0001w", D: "4" });
});

test("decodeProperties() lets a repeated name's last value win, as a Java map does", () => {
  assert.equal(decodeProperties("K\u0001a\u0002K\u0001b\u0002").K, "b");
});

test("decodeProperties() returns a map without a prototype", () => {
  const p = decodeProperties("__proto__\u0001x\u0002constructor\u0001y\u0002");
  assert.equal(p.__proto__, "x");
  assert.equal(p.constructor, "y");
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test("getProperty() reads one property where an item starts", () => {
  assert.equal(getProperty(S, "TAGS"), "TagA");
  assert.equal(getProperty(S, "KEYS"), "k1 k2");
  assert.equal(getProperty(S, "WAIT"), "true");
  assert.equal(getProperty(S, "DELAY"), undefined);
  assert.equal(getProperty(S, "AGS"), undefined); // a suffix of a name is not a name
  assert.equal(getProperty("X\u0001aTAGS\u0001no\u0002TAGS\u0001yes\u0002", "TAGS"), "yes");
  assert.equal(getProperty("TAGS\u0001last", "TAGS"), "last");
  assert.equal(getProperty(undefined, "TAGS"), undefined);
  assert.equal(getProperty("", "TAGS"), undefined);
});

test("getProperty() agrees with decodeProperties() on well-formed strings", () => {
  const props = { TAGS: "TagA", KEYS: "a b", UNIQ_KEY: "U", REAL_TOPIC: "T", REAL_QID: "3" };
  const s = encodeProperties(props);
  const all = decodeProperties(s);
  for (const k of Object.keys(props)) assert.equal(getProperty(s, k), all[k]);
});

test("removeProperty() removes every occurrence and leaves the rest byte for byte", () => {
  assert.equal(removeProperty(S, "KEYS"), "TAGS\u0001TagA\u0002WAIT\u0001true\u0002");
  assert.equal(removeProperty(S, "TAGS"), "KEYS\u0001k1 k2\u0002WAIT\u0001true\u0002");
  assert.equal(removeProperty(S, "WAIT"), "TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002");
  assert.equal(removeProperty(S, "NONE"), S);
  assert.equal(removeProperty("A\u00011\u0002B\u00012\u0002A\u00013\u0002", "A"), "B\u00012\u0002");
  assert.equal(removeProperty("A\u00011", "A"), "");
  assert.equal(removeProperty("XA\u00011\u0002", "A"), "XA\u00011\u0002");
});

test("setProperty() appends or replaces one property", () => {
  assert.equal(setProperty(S, "DELAY", "3"), S + "DELAY\u00013\u0002");
  assert.equal(
    setProperty(S, "TAGS", "TagB"),
    "KEYS\u0001k1 k2\u0002WAIT\u0001true\u0002TAGS\u0001TagB\u0002",
  );
  assert.equal(setProperty("", "A", "1"), "A\u00011\u0002");
  assert.equal(setProperty("A\u00011", "B", "2"), "A\u00011\u0002B\u00012\u0002");
  assert.equal(decodeProperties(setProperty(S, "KEYS", "x")).KEYS, "x");
});

Deno.test({
  name: "getProperty() agrees with decodeProperties(): last occurrence wins, empty is absent",
  permissions: "none",
  fn() {
    const s = "A\u0001one\u0002B\u0001\u0002A\u0001two\u0002";
    assert.equal(getProperty(s, "A"), "two");
    assert.equal(getProperty(s, "A"), decodeProperties(s).A);
    assert.equal(getProperty(s, "B"), undefined);
    assert.equal(decodeProperties(s).B, undefined);
  },
});
