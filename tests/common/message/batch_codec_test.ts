import assert from "node:assert/strict";
import {
  type BatchItem,
  decodeBatch,
  encodeBatch,
} from "../../../src/common/message/batch_codec.ts";
import { loadHexFixture } from "../../helpers/fixtures.ts";

const BATCH = loadHexFixture("batch_body.hex");

/** The items in tests/fixtures/batch_body.hex. */
const ITEMS: BatchItem[] = [
  {
    flag: 0,
    body: new TextEncoder().encode("one"),
    properties: "KEYS\u0001a\u0002UNIQ_KEY\u0001ID1\u0002WAIT\u0001true\u0002",
  },
  { flag: 7, body: new Uint8Array(0), properties: "WAIT\u0001true\u0002" },
];

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

test("encodeBatch() writes the §4.5 layout byte for byte", () => {
  assert.deepEqual(encodeBatch(ITEMS), BATCH);
});

test("decodeBatch() reads the golden batch", () => {
  assert.deepEqual(decodeBatch(BATCH), ITEMS);
});

test("decodeBatch(encodeBatch(x)) is x, UTF-8 properties and big bodies included", () => {
  const items: BatchItem[] = [
    { flag: -1, body: new Uint8Array(70_000).fill(9), properties: "\u4e2d\u0001\u{1f600}\u0002" },
    { flag: 2147483647, body: new Uint8Array([1]), properties: "" },
  ];
  assert.deepEqual(decodeBatch(encodeBatch(items)), items);
  assert.deepEqual(decodeBatch(encodeBatch([])), []);
});

test("decodeBatch() copies bodies out of the request buffer", () => {
  const bytes = BATCH.slice();
  const [first] = decodeBatch(bytes);
  bytes.fill(0);
  assert.equal(new TextDecoder().decode(first.body), "one");
});

test("decodeBatch() rejects items whose lengths do not add up, naming the item", () => {
  const patched = (pos: number, n: number, bits = 32) => {
    const b = BATCH.slice();
    const v = new DataView(b.buffer);
    if (bits === 32) v.setInt32(pos, n);
    else v.setInt16(pos, n);
    return b;
  };
  const second = 55; // offset of item 1
  const bad: [string, Uint8Array, RegExp][] = [
    ["truncated item", BATCH.subarray(0, 21), /item 0: truncated/],
    ["size past the end", patched(0, 1000), /item 0: bad size 1000 with body length 3/],
    ["negative body length", patched(16, -1), /item 0: bad size 55 with body length -1/],
    ["body past the item", patched(16, 40), /item 0: bad size 55 with body length 40/],
    ["properties length", patched(23, 29, 16), /item 0: bad properties length 29/],
    ["negative properties length", patched(23, -1, 16), /item 0: bad properties length -1/],
    ["second item", patched(second, 33), /item 1: bad size 33/],
    ["trailing bytes", new Uint8Array([...BATCH, 0, 0, 0]), /item 2: truncated/],
  ];
  for (const [what, bytes, message] of bad) {
    assert.throws(
      () => decodeBatch(bytes),
      (e) => e instanceof RangeError && message.test(e.message),
      what,
    );
  }
});
