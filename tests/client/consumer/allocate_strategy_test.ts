import assert from "node:assert/strict";
import {
  allocateMessageQueueAveragely,
  allocateMessageQueueAveragelyByCircle,
} from "../../../src/client/consumer/allocate_strategy.ts";
import type { MessageQueue } from "../../../src/remoting/body/message_queue.ts";

function queues(n: number): MessageQueue[] {
  return Array.from({ length: n }, (_, queueId) => ({ topic: "T", brokerName: "b", queueId }));
}

function ids(all: MessageQueue[], picked: MessageQueue[]): number[] {
  return picked.map((q) => all.indexOf(q));
}

Deno.test({
  name: "allocateMessageQueueAveragely() gives consecutive runs, the first clients one more",
  permissions: "none",
}, () => {
  const all = queues(8);
  const clients = ["c1", "c2", "c3"];
  // Java: 8 queues / 3 clients → 3, 3, 2.
  assert.deepEqual(ids(all, allocateMessageQueueAveragely("g", "c1", all, clients)), [0, 1, 2]);
  assert.deepEqual(ids(all, allocateMessageQueueAveragely("g", "c2", all, clients)), [3, 4, 5]);
  assert.deepEqual(ids(all, allocateMessageQueueAveragely("g", "c3", all, clients)), [6, 7]);
  const two = ["a", "b"];
  assert.deepEqual(ids(all, allocateMessageQueueAveragely("g", "a", all, two)), [0, 1, 2, 3]);
  assert.deepEqual(ids(all, allocateMessageQueueAveragely("g", "b", all, two)), [4, 5, 6, 7]);
});

Deno.test({
  name: "allocateMessageQueueAveragely() covers every queue exactly once for any split",
  permissions: "none",
}, () => {
  for (let n = 0; n <= 17; n++) {
    for (let c = 1; c <= 6; c++) {
      const all = queues(n);
      const clients = Array.from({ length: c }, (_, i) => `c${i}`);
      const seen = clients.flatMap((id) => allocateMessageQueueAveragely("g", id, all, clients));
      assert.equal(seen.length, n, `${n} queues, ${c} clients`);
      assert.equal(new Set(seen).size, n);
    }
  }
});

Deno.test({
  name: "allocateMessageQueueAveragely() gives extra clients and strangers nothing",
  permissions: "none",
}, () => {
  const all = queues(2);
  const clients = ["a", "b", "c"];
  assert.deepEqual(ids(all, allocateMessageQueueAveragely("g", "a", all, clients)), [0]);
  assert.deepEqual(ids(all, allocateMessageQueueAveragely("g", "b", all, clients)), [1]);
  assert.deepEqual(allocateMessageQueueAveragely("g", "c", all, clients), []);
  assert.deepEqual(allocateMessageQueueAveragely("g", "zz", all, clients), []);
});

Deno.test({
  name: "allocateMessageQueueAveragelyByCircle() deals queues round robin",
  permissions: "none",
}, () => {
  const all = queues(7);
  const clients = ["a", "b", "c"];
  assert.deepEqual(ids(all, allocateMessageQueueAveragelyByCircle("g", "a", all, clients)), [
    0,
    3,
    6,
  ]);
  assert.deepEqual(ids(all, allocateMessageQueueAveragelyByCircle("g", "c", all, clients)), [2, 5]);
  assert.deepEqual(allocateMessageQueueAveragelyByCircle("g", "x", all, clients), []);
});
