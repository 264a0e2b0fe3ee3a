import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeLockBatchRequest,
  decodeLockBatchResponse,
  encodeLockBatchRequest,
  encodeLockBatchResponse,
} from "../../../src/remoting/body/lock_batch.ts";

const MQ0 = '{"brokerName":"broker-a","queueId":0,"topic":"T"}';
const MQ1 = '{"brokerName":"broker-a","queueId":1,"topic":"T"}';

Deno.test("LockBatchRequestBody round-trips a Java client's text", { permissions: "none" }, () => {
  const text = `{"clientId":"10.0.0.5@1","consumerGroup":"g1","mqSet":[${MQ0},${MQ1}]}`;
  const b = decodeLockBatchRequest(textEncoder.encode(text));
  assert.deepEqual(b, {
    consumerGroup: "g1",
    clientId: "10.0.0.5@1",
    mqSet: [
      { topic: "T", brokerName: "broker-a", queueId: 0 },
      { topic: "T", brokerName: "broker-a", queueId: 1 },
    ],
  });
  assert.equal(textDecoder.decode(encodeLockBatchRequest(b)), text);
  const v5 = decodeLockBatchRequest(
    textEncoder.encode(`{"clientId":"c","consumerGroup":"g","mqSet":[],"onlyThisBroker":true}`),
  );
  assert.equal(v5.onlyThisBroker, true);
});

Deno.test("LockBatchResponseBody round-trips the broker's text", { permissions: "none" }, () => {
  const text = `{"lockOKMQSet":[${MQ0},${MQ1}]}`;
  const set = decodeLockBatchResponse(textEncoder.encode(text));
  assert.equal(textDecoder.decode(encodeLockBatchResponse([...set].reverse())), text);
});
