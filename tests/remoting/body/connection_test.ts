import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeConsumerConnection,
  decodeProducerConnection,
  encodeConsumerConnection,
  encodeProducerConnection,
} from "../../../src/remoting/body/connection.ts";

const CONNECTION = '{"clientAddr":"10.0.0.5:53211","clientId":"10.0.0.5@12345",' +
  '"language":"JAVA","version":409}';
const JAVA_TEXT = `{"connectionSet":[${CONNECTION}],` +
  '"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",' +
  '"messageModel":"CLUSTERING","subscriptionTable":{"T":{"classFilterMode":false,' +
  '"codeSet":[2598919],"expressionType":"TAG","subString":"TagA","subVersion":1,' +
  '"tagsSet":["TagA"],"topic":"T"}}}';

Deno.test("ConsumerConnection round-trips Java's text", { permissions: "none" }, () => {
  const c = decodeConsumerConnection(textEncoder.encode(JAVA_TEXT));
  assert.equal(c.connectionSet[0].version, 409);
  assert.equal(c.subscriptionTable.get("T")?.subString, "TagA");
  assert.equal(textDecoder.decode(encodeConsumerConnection(c)), JAVA_TEXT);
});

Deno.test("ProducerConnection round-trips Java's text", { permissions: "none" }, () => {
  const text = `{"connectionSet":[${CONNECTION}]}`;
  const set = decodeProducerConnection(textEncoder.encode(text));
  assert.deepEqual(set, [{
    clientAddr: "10.0.0.5:53211",
    clientId: "10.0.0.5@12345",
    language: "JAVA",
    version: 409,
  }]);
  assert.equal(textDecoder.decode(encodeProducerConnection(set)), text);
});
