import assert from "node:assert/strict";
import { createOffsetMsgId } from "../../src/common/message/message_id.ts";
import { OffsetMsgIdFormatter } from "../../src/store/fast_encode.ts";

Deno.test({
  name: "OffsetMsgIdFormatter.format() matches createOffsetMsgId()",
  permissions: "none",
  fn() {
    const f = new OffsetMsgIdFormatter();
    const v4 = { ip: new Uint8Array([10, 0, 0, 2]), port: 10911 };
    const v6 = { ip: new Uint8Array(16).fill(0xfe), port: 8080 };
    for (const host of [v4, v6, { ip: new Uint8Array([10, 0, 0, 3]), port: 10911 }, v4]) {
      for (const off of [0, 255, 4294967295, 4294967296, 2 ** 53 - 1]) {
        assert.equal(f.format(host, off), createOffsetMsgId(host, off));
      }
    }
  },
});
