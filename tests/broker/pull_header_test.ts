import assert from "node:assert/strict";
import { decodePullHeader } from "../../src/broker/pull_header.ts";
import { decodeHeader, HeaderError } from "../../src/remoting/header.ts";
import { PullMessageRequestHeader } from "../../src/remoting/headers.ts";

const EXT = {
  consumerGroup: "g",
  topic: "T",
  queueId: "3",
  queueOffset: "1234567890123",
  maxMsgNums: "32",
  sysFlag: "7",
  commitOffset: "-1",
  suspendTimeoutMillis: "15000",
  subscription: "TagA || TagB",
  subVersion: "1700000000000",
  expressionType: "TAG",
};

Deno.test("decodePullHeader() agrees with decodeHeader()", { permissions: "none" }, () => {
  assert.deepEqual(decodePullHeader(EXT), decodeHeader(PullMessageRequestHeader, EXT));
  const { subscription: _s, expressionType: _e, ...bare } = EXT;
  // Absent optional fields may be missing or undefined.
  const defined = (o: object) => JSON.parse(JSON.stringify(o));
  assert.deepEqual(defined(decodePullHeader(bare)), decodeHeader(PullMessageRequestHeader, bare));
  // Odd but valid numbers go through the schema decoder.
  const odd = { ...EXT, queueId: " +3", queueOffset: "99999999999999999" };
  assert.deepEqual(decodePullHeader(odd), decodeHeader(PullMessageRequestHeader, odd));
});

Deno.test("decodePullHeader() refuses what decodeHeader() refuses", { permissions: "none" }, () => {
  const { topic: _t, ...noTopic } = EXT;
  assert.throws(() => decodePullHeader(noTopic), HeaderError);
  assert.throws(() => decodePullHeader({ ...EXT, queueId: "x" }), /queueId/);
  assert.throws(() => decodePullHeader({ ...EXT, maxMsgNums: "3000000000" }), /not an int/);
});
