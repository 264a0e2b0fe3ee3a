import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeSubscriptionGroupConfig,
  decodeSubscriptionGroupWrapper,
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
  encodeSubscriptionGroupWrapper,
} from "../../../src/remoting/body/subscription_group_config.ts";

// A 4.9 broker's SubscriptionGroupConfig for a new group (fastjson, keys sorted).
const JAVA_CONFIG = '{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,' +
  '"consumeFromMinEnable":true,"groupName":"g1","notifyConsumerIdsChangedEnable":true,' +
  '"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}';

Deno.test("encodeSubscriptionGroupConfig() writes Java's defaults for a new group", {
  permissions: "none",
}, () => {
  assert.equal(
    textDecoder.decode(encodeSubscriptionGroupConfig(defaultSubscriptionGroupConfig("g1"))),
    JAVA_CONFIG,
  );
  assert.deepEqual(
    decodeSubscriptionGroupConfig(textEncoder.encode(JAVA_CONFIG)),
    defaultSubscriptionGroupConfig("g1"),
  );
});

Deno.test("decodeSubscriptionGroupConfig() fills missing fields and ignores 5.x ones", {
  permissions: "none",
}, () => {
  const c = decodeSubscriptionGroupConfig(
    textEncoder.encode(
      '{"groupName":"g2","retryMaxTimes":"3","consumeMessageOrderly":true,' +
        '"groupRetryPolicy":{"type":"CUSTOMIZED"},"attributes":{}}',
    ),
  );
  assert.deepEqual(c, { ...defaultSubscriptionGroupConfig("g2"), retryMaxTimes: 3 });
});

Deno.test(
  "SubscriptionGroupWrapper round-trips with its DataVersion",
  { permissions: "none" },
  () => {
    const w = {
      subscriptionGroupTable: new Map([["g1", defaultSubscriptionGroupConfig("g1")]]),
      dataVersion: { timestamp: 1_700_000_000_000, counter: 3 },
    };
    const text = textDecoder.decode(encodeSubscriptionGroupWrapper(w));
    assert.equal(
      text,
      `{"dataVersion":{"counter":3,"timestamp":1700000000000},"subscriptionGroupTable":{"g1":${JAVA_CONFIG}}}`,
    );
    assert.deepEqual(decodeSubscriptionGroupWrapper(textEncoder.encode(text)), w);
    // Java writes subscriptionGroup.json pretty-printed; a key without groupName takes the key.
    const pretty = '{\n\t"subscriptionGroupTable":{\n\t\t"g9":{"retryQueueNums":2}\n\t}\n}';
    const read = decodeSubscriptionGroupWrapper(textEncoder.encode(pretty));
    assert.equal(read.subscriptionGroupTable.get("g9")?.groupName, "g9");
    assert.equal(read.subscriptionGroupTable.get("g9")?.retryQueueNums, 2);
  },
);
