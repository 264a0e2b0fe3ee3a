import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  type ConsumerRunningInfo,
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
  encodeConsumeMessageDirectlyResult,
  encodeConsumerRunningInfo,
} from "../../../src/client/consumer/consumer_running_info.ts";

// fastjson form of a ConsumerRunningInfo (keys sorted, MessageQueue map keys inline), written
// from the field lists of ConsumerRunningInfo, ProcessQueueInfo and ConsumeStatus (4.9).
const TEXT = '{"mqTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:' +
  '{"cachedMsgCount":2,"cachedMsgMaxOffset":11,"cachedMsgMinOffset":10,' +
  '"cachedMsgSizeInMiB":0,"commitOffset":10,"droped":false,"lastConsumeTimestamp":1700000000002,' +
  '"lastLockTimestamp":0,"lastPullTimestamp":1700000000001,"locked":false,' +
  '"transactionMsgCount":0,"transactionMsgMaxOffset":0,"transactionMsgMinOffset":0,' +
  '"tryUnlockTimes":0}},"properties":{"PROP_CONSUMEORDERLY":"false",' +
  '"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY"},"statusTable":{"T":{"consumeFailedMsgs":1,' +
  '"consumeFailedTPS":0.5,"consumeOKTPS":10,"consumeRT":2,"pullRT":1,"pullTPS":3}},' +
  '"subscriptionSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG",' +
  '"subString":"*","subVersion":1,"tagsSet":[],"topic":"T"}]}';

const INFO: ConsumerRunningInfo = {
  properties: { PROP_CONSUME_TYPE: "CONSUME_PASSIVELY", PROP_CONSUMEORDERLY: "false" },
  subscriptionSet: [{
    topic: "T",
    subString: "*",
    tagsSet: [],
    codeSet: [],
    subVersion: 1,
    expressionType: "TAG",
    classFilterMode: false,
  }],
  mqTable: [[{ topic: "T", brokerName: "broker-a", queueId: 0 }, {
    commitOffset: 10,
    cachedMsgMinOffset: 10,
    cachedMsgMaxOffset: 11,
    cachedMsgCount: 2,
    cachedMsgSizeInMiB: 0,
    transactionMsgMinOffset: 0,
    transactionMsgMaxOffset: 0,
    transactionMsgCount: 0,
    locked: false,
    tryUnlockTimes: 0,
    lastLockTimestamp: 0,
    droped: false,
    lastPullTimestamp: 1700000000001,
    lastConsumeTimestamp: 1700000000002,
  }]],
  statusTable: {
    T: {
      pullRT: 1,
      pullTPS: 3,
      consumeRT: 2,
      consumeOKTPS: 10,
      consumeFailedTPS: 0.5,
      consumeFailedMsgs: 1,
    },
  },
};

Deno.test({
  name: "encodeConsumerRunningInfo() writes the fastjson body admin tools read",
  permissions: "none",
}, () => {
  assert.equal(textDecoder.decode(encodeConsumerRunningInfo(INFO)), TEXT);
  assert.deepEqual(decodeConsumerRunningInfo(textEncoder.encode(TEXT)), {
    ...INFO,
    jstack: undefined,
  });
});

Deno.test({
  name: "encodeConsumeMessageDirectlyResult() writes Java's field names",
  permissions: "none",
}, () => {
  const r = {
    order: false,
    autoCommit: true,
    consumeResult: "CR_SUCCESS",
    remark: "",
    spentTimeMills: 3,
  };
  const text =
    '{"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"remark":"","spentTimeMills":3}';
  assert.equal(textDecoder.decode(encodeConsumeMessageDirectlyResult(r)), text);
  assert.deepEqual(decodeConsumeMessageDirectlyResult(textEncoder.encode(text)), r);
});
