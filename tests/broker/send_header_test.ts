import assert from "node:assert/strict";
import { decodeSendHeader, decodeSendHeaderV2 } from "../../src/broker/send_header.ts";
import {
  decodeHeader,
  encodeHeader,
  HeaderError,
  type HeaderSchema,
} from "../../src/remoting/header.ts";
import {
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
} from "../../src/remoting/headers.ts";

/** decodeHeader leaves absent fields out; the fast decoder sets them to undefined. */
function defined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const FULL = {
  producerGroup: "PG",
  topic: "TopicTest",
  defaultTopic: "TBW102",
  defaultTopicQueueNums: 4,
  queueId: -1,
  sysFlag: 0,
  bornTimestamp: 1_700_000_000_123,
  flag: -5,
  properties: "TAGS\u0001a\u0002",
  reconsumeTimes: 3,
  unitMode: false,
  maxReconsumeTimes: 16,
  batch: true,
  brokerName: "broker-a",
};

Deno.test({
  name: "decodeSendHeaderV2() and decodeSendHeader() agree with decodeHeader()",
  permissions: "none",
  fn() {
    for (
      const [fast, schema] of [
        [decodeSendHeaderV2, SendMessageRequestHeaderV2],
        [decodeSendHeader, SendMessageRequestHeader],
      ] as const
    ) {
      const cases: Record<string, string>[] = [
        encodeHeader(schema, FULL),
        encodeHeader(schema, { ...FULL, reconsumeTimes: undefined, unitMode: undefined }),
      ];
      // ali-ons' raw JSON numbers reach extFields as text, possibly with odd forms.
      const key = (name: keyof typeof FULL) => (schema as HeaderSchema)[name].wire ?? name;
      const odd = encodeHeader(schema, FULL);
      odd[key("queueId")] = " 2";
      odd[key("unitMode")] = "TRUE";
      odd[key("bornTimestamp")] = "9223372036854775807";
      cases.push(odd);
      for (const ext of cases) {
        assert.deepEqual(defined(fast(ext)), { ...decodeHeader(schema, ext) });
      }
    }
  },
});

Deno.test({
  name: "decodeSendHeaderV2() reports bad and missing fields as decodeHeader() does",
  permissions: "none",
  fn() {
    const missing = encodeHeader(SendMessageRequestHeaderV2, FULL);
    delete missing.b;
    assert.throws(() => decodeSendHeaderV2(missing), new HeaderError("Missing header field b"));
    const bad = { ...encodeHeader(SendMessageRequestHeaderV2, FULL), e: "2147483648" };
    assert.throws(
      () => decodeSendHeaderV2(bad),
      /Cannot decode header field e: "2147483648" is not an int/,
    );
  },
});
