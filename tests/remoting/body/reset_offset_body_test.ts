import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeResetOffsetBody,
  encodeResetOffsetBody,
} from "../../../src/remoting/body/reset_offset_body.ts";

Deno.test("ResetOffsetBody writes inline MessageQueue keys", { permissions: "none" }, () => {
  const text = '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:12,' +
    '{"brokerName":"b","queueId":1,"topic":"T"}:3}}';
  const table = decodeResetOffsetBody(textEncoder.encode(text));
  assert.deepEqual(table, [
    [{ topic: "T", brokerName: "b", queueId: 0 }, 12],
    [{ topic: "T", brokerName: "b", queueId: 1 }, 3],
  ]);
  assert.equal(textDecoder.decode(encodeResetOffsetBody([...table].reverse())), text);
});
