import assert from "node:assert/strict";
import type { MessageQueue } from "../../../src/remoting/body/message_queue.ts";
import {
  selectMessageQueueByHash,
  selectMessageQueueByRandom,
} from "../../../src/client/producer/queue_selector.ts";

const MQS: MessageQueue[] = Array.from({ length: 5 }, (_, queueId) => ({
  topic: "T",
  brokerName: "broker-a",
  queueId,
}));
const MSG = { topic: "T", body: "b" };

Deno.test(
  {
    name: "selectMessageQueueByHash() picks |hashCode % n| as Java's SelectMessageQueueByHash",
    permissions: "none",
  },
  () => {
    // Java String.hashCode: "order-1001" 708180863, "rmq-neg-1" -301903811,
    // "polygenelubricants" Integer.MIN_VALUE.
    const cases: [unknown, number][] = [
      ["order-1001", 3],
      ["rmq-neg-1", 1],
      ["polygenelubricants", 3],
      [7, 2], // Integer.hashCode
      [-7, 2],
      [2 ** 33 + 5, 2], // Long.hashCode: (int)(v ^ v >>> 32) = 5 ^ 2 = 7
      [2n ** 33n + 5n, 2],
    ];
    for (const [arg, want] of cases) {
      assert.equal(selectMessageQueueByHash(MQS, MSG, arg).queueId, want, String(arg));
    }
    // The same key always lands on the same queue.
    const q = selectMessageQueueByHash(MQS, MSG, "order-1002");
    for (let i = 0; i < 5; i++) assert.equal(selectMessageQueueByHash(MQS, MSG, "order-1002"), q);
  },
);

Deno.test(
  { name: "selectMessageQueueByRandom() returns one of the queues", permissions: "none" },
  () => {
    for (let i = 0; i < 50; i++) assert.ok(MQS.includes(selectMessageQueueByRandom(MQS)));
  },
);
