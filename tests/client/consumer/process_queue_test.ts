import assert from "node:assert/strict";
import { encodeMessageRecord } from "../../../src/common/message/message_codec.ts";
import { decodeMessages, type ReceivedMessage } from "../../../src/client/message_ext.ts";
import { ProcessQueue } from "../../../src/client/consumer/process_queue.ts";

function msgs(...offsets: number[]): ReceivedMessage[] {
  return offsets.map((queueOffset) =>
    decodeMessages(
      encodeMessageRecord({
        queueId: 0,
        flag: 0,
        queueOffset,
        physicalOffset: queueOffset * 100,
        sysFlag: 0,
        bornTimestamp: 0,
        bornHost: { ip: new Uint8Array(4), port: 1 },
        storeTimestamp: 0,
        storeHost: { ip: new Uint8Array(4), port: 2 },
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
        body: new Uint8Array(10),
        topic: "T",
        properties: "",
      }),
      "b",
    )[0]
  );
}

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

test("ProcessQueue.removeMessages() commits one past the highest when all are done", () => {
  const pq = new ProcessQueue();
  assert.equal(pq.removeMessages([]), -1);
  const m = msgs(10, 11, 12);
  pq.putMessages(m);
  assert.equal(pq.msgCount, 3);
  assert.equal(pq.msgSize, m.reduce((n, x) => n + x.storeSize, 0));
  assert.equal(pq.commitOffset, 10);
  assert.equal(pq.removeMessages(m.slice(0, 2)), 12);
  assert.equal(pq.removeMessages(m.slice(2)), 13);
  assert.equal(pq.msgCount, 0);
  assert.equal(pq.msgSize, 0);
});

test("ProcessQueue.removeMessages() never commits past the lowest unfinished message", () => {
  const pq = new ProcessQueue();
  const m = msgs(0, 1, 5, 6, 9);
  pq.putMessages(m);
  // 1 and 5 finish first: 0 is still open, so the commit offset stays at 0.
  assert.equal(pq.removeMessages([m[1], m[2]]), 0);
  assert.equal(pq.maxSpan, 9);
  assert.equal(pq.removeMessages([m[0]]), 6);
  assert.equal(pq.removeMessages([m[4]]), 6);
  assert.equal(pq.removeMessages([m[3]]), 10);
  // Removing twice changes nothing.
  assert.equal(pq.removeMessages([m[3]]), 10);
  assert.equal(pq.msgCount, 0);
});

test("ProcessQueue.takeBatch() hands out work in order and requeue() adds it again", () => {
  const pq = new ProcessQueue();
  const m = msgs(1, 2, 3, 4, 5);
  pq.putMessages(m);
  assert.deepEqual(pq.takeBatch(2)!.map((x) => x.queueOffset), [1, 2]);
  assert.deepEqual(pq.takeBatch(2)!.map((x) => x.queueOffset), [3, 4]);
  pq.requeue([m[0]]);
  assert.deepEqual(pq.takeBatch(10)!.map((x) => x.queueOffset), [5, 1]);
  assert.equal(pq.takeBatch(1), undefined);
  // Handed out but not removed: still counted for flow control and the commit offset.
  assert.equal(pq.msgCount, 5);
  assert.equal(pq.commitOffset, 1);
});

test("ProcessQueue.putMessages() ignores offsets it already holds", () => {
  const pq = new ProcessQueue();
  pq.putMessages(msgs(3, 4));
  pq.putMessages(msgs(4, 5));
  assert.equal(pq.msgCount, 3);
  assert.equal(pq.maxOffset, 5);
  assert.equal(pq.workCount, 3);
});

test("ProcessQueue stays correct across compaction of long runs", () => {
  const pq = new ProcessQueue();
  let next = 0;
  for (let round = 0; round < 10; round++) {
    const batch = msgs(...Array.from({ length: 700 }, () => next++));
    pq.putMessages(batch);
    const taken = pq.takeBatch(700)!;
    assert.equal(taken[0].queueOffset, batch[0].queueOffset);
    assert.equal(pq.removeMessages(taken.slice(0, 650)), batch[650].queueOffset);
    assert.equal(pq.removeMessages(taken.slice(650)), next);
  }
  assert.equal(pq.msgCount, 0);
});

test("ProcessQueue.clear() forgets everything", () => {
  const pq = new ProcessQueue();
  pq.putMessages(msgs(1, 2));
  pq.clear();
  assert.equal(pq.msgCount, 0);
  assert.equal(pq.workCount, 0);
  assert.equal(pq.takeBatch(5), undefined);
});
