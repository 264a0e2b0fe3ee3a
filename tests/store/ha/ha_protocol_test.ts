import assert from "node:assert/strict";
import {
  encodeOffsetReport,
  lastOffsetReport,
  readTransferHeader,
  writeTransferHeader,
} from "../../../src/store/ha/ha_protocol.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("HA offset reports are 8 big-endian bytes; the master reads the last whole one", {
  permissions: "none",
}, () => {
  assert.equal(hex(encodeOffsetReport(0x1_0000_0010)), "0000000100000010");
  const buf = new Uint8Array(20);
  buf.set(encodeOffsetReport(7), 0);
  buf.set(encodeOffsetReport(1_073_741_824), 8);
  buf.set([0, 0, 0, 9], 16); // half of the next one
  assert.equal(lastOffsetReport(buf, 7), undefined);
  assert.deepEqual(lastOffsetReport(buf, 20), { offset: 1_073_741_824, consumed: 16 });
});

Deno.test(
  "HA transfer headers are offset (int64) and size (int32)",
  { permissions: "none" },
  () => {
    const b = new Uint8Array(14);
    writeTransferHeader(b, 2, 0x40000000, 32768);
    assert.equal(hex(b), "0000" + "0000000040000000" + "00008000");
    assert.deepEqual(readTransferHeader(b, 2), { offset: 0x40000000, size: 32768 });
  },
);
