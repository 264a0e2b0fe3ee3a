import assert from "node:assert/strict";
import { RebalanceLockManager } from "../../src/broker/rebalance_lock_manager.ts";

const mq = (queueId: number) => ({ topic: "T", brokerName: "b", queueId });

Deno.test("RebalanceLockManager lets an expired lock go to the next client", {
  permissions: "none",
}, () => {
  const locks = new RebalanceLockManager(60_000);
  assert.deepEqual(locks.tryLockBatch("g", [mq(0), mq(1)], "A", 0).length, 2);
  assert.deepEqual(locks.tryLockBatch("g", [mq(0)], "B", 59_000), []);
  assert.deepEqual(locks.tryLockBatch("other", [mq(0)], "B", 59_000), [mq(0)], "per group");
  assert.ok(locks.isLocked("g", mq(0), "A", 60_000));
  assert.deepEqual(locks.tryLockBatch("g", [mq(0)], "B", 60_001), [mq(0)]);
  assert.ok(!locks.isLocked("g", mq(0), "A", 60_001));
  locks.unlockBatch("g", [mq(0), mq(1)], "A");
  assert.ok(locks.isLocked("g", mq(0), "B", 60_001), "A cannot unlock B's queue");
  assert.deepEqual(locks.tryLockBatch("g", [mq(1)], "B", 60_001), [mq(1)]);
});
