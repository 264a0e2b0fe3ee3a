import assert from "node:assert/strict";
import MessageDecoderJs from "ali-ons/lib/message/message_decoder.js";
import {
  createOffsetMsgId,
  decodeOffsetMsgId,
  UniqueKeyGenerator,
} from "../../../src/common/message/message_id.ts";
import { socketAddressOf } from "../../../src/common/message/socket_address.ts";

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

test("createOffsetMsgId() writes store IP, port and offset as 32 uppercase hex", () => {
  // Layout from REMOTING.md §6: 4-byte IPv4, int32 port, int64 offset.
  assert.equal(
    createOffsetMsgId(socketAddressOf("127.0.0.1:10911"), 0x1234),
    "7F00000100002A9F0000000000001234",
  );
  assert.equal(
    createOffsetMsgId(socketAddressOf("10.0.0.255:65535"), 2 ** 40 + 0xabc),
    "0A0000FF0000FFFF0000010000000ABC",
  );
});

test("createOffsetMsgId() writes 56 hex for an IPv6 store host", () => {
  const id = createOffsetMsgId(socketAddressOf("[fe80::2]:10911"), 1);
  assert.equal(id, "FE800000000000000000000000000002" + "00002A9F" + "0000000000000001");
  assert.equal(id.length, 56);
});

test("decodeOffsetMsgId() reads back address and offset for both lengths", () => {
  assert.deepEqual(decodeOffsetMsgId("7F00000100002A9F0000000000001234"), {
    address: "127.0.0.1:10911",
    offset: 0x1234,
  });
  assert.deepEqual(decodeOffsetMsgId("0a0000ff0000ffff0000010000000abc"), {
    address: "10.0.0.255:65535",
    offset: 2 ** 40 + 0xabc,
  });
  const v6 = decodeOffsetMsgId(createOffsetMsgId(socketAddressOf("[fe80::2]:10911"), 77));
  assert.deepEqual(v6, { address: "fe80:0:0:0:0:0:0:2:10911", offset: 77 });
  assert.equal(createOffsetMsgId(socketAddressOf(v6.address), 77).length, 56);
});

Deno.test("decodeOffsetMsgId() agrees with ali-ons's decodeMessageId()", () => {
  for (
    const [addr, offset] of [["127.0.0.1:10911", 4660], [
      "192.168.1.20:10921",
      2 ** 45 + 1,
    ]] as const
  ) {
    const id = createOffsetMsgId(socketAddressOf(addr), offset);
    const js = MessageDecoderJs.decodeMessageId(id);
    assert.equal(js.address, addr);
    assert.equal(js.offset.toNumber(), offset);
    assert.deepEqual(decodeOffsetMsgId(id), { address: js.address, offset: js.offset.toNumber() });
  }
});

test("decodeOffsetMsgId() rejects ids that are not 32 or 56 hex characters", () => {
  for (const id of ["", "7F000001", "7F00000100002A9F00000000000012345", "Z".repeat(32)]) {
    assert.throws(() => decodeOffsetMsgId(id), SyntaxError, id);
  }
});

test("UniqueKeyGenerator.next() writes IP, pid, a per-process hash, time in month, counter", () => {
  const gen = new UniqueKeyGenerator(new Uint8Array([192, 168, 0, 10]), 0x12345);
  const jan15 = new Date(2024, 0, 15, 10, 0, 0).getTime(); // local time, as Java's
  const a = gen.next(jan15);
  const b = gen.next(jan15 + 1);
  assert.match(a, /^[0-9A-F]{32}$/);
  assert.equal(a.slice(0, 8), "C0A8000A");
  assert.equal(a.slice(8, 12), "2345"); // pid as int16
  assert.equal(a.slice(0, 20), b.slice(0, 20)); // the first 10 bytes are fixed per process
  // 14 days and 10 hours after the start of the month.
  assert.equal(a.slice(20, 28), (1_245_600_000).toString(16).toUpperCase().padStart(8, "0"));
  assert.equal(a.slice(28), "0000");
  assert.equal(b.slice(20, 28), (1_245_600_001).toString(16).toUpperCase().padStart(8, "0"));
  assert.equal(b.slice(28), "0001");
});

test("UniqueKeyGenerator.next() restarts the time part in a new month and wraps the counter", () => {
  const gen = new UniqueKeyGenerator(new Uint8Array([127, 0, 0, 1]), 1);
  const jan31 = new Date(2024, 0, 31, 23, 59, 59).getTime();
  const feb1 = new Date(2024, 1, 1, 0, 0, 1).getTime();
  gen.next(jan31);
  assert.equal(gen.next(feb1).slice(20, 28), "000003E8"); // 1000 ms into February
  for (let i = 2; i < 65536; i++) gen.next(feb1);
  assert.equal(gen.next(feb1).slice(28), "0000");
  assert.equal(gen.next(feb1).slice(28), "0001");
});

test("UniqueKeyGenerator ids from one process never repeat in a burst", () => {
  const gen = new UniqueKeyGenerator();
  const now = Date.now();
  const ids = new Set(Array.from({ length: 10_000 }, () => gen.next(now)));
  assert.equal(ids.size, 10_000);
});
