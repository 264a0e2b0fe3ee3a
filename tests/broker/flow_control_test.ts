import assert from "node:assert/strict";
import { SendFlowControl } from "../../src/broker/flow_control.ts";

Deno.test({
  name: "SendFlowControl.admit() refuses beyond capacity with [OVERLOAD]",
  permissions: "none",
  fn() {
    const f = new SendFlowControl(2, 200);
    const a = f.admit(1000);
    const b = f.admit(1000);
    assert.ok(a >= 0 && b >= 0);
    assert.equal(f.admit(1000), -1);
    assert.match(f.refusal, /^\[OVERLOAD\]system busy, start flow control for a while/);
    assert.equal(f.size, 2);
    f.done(a);
    assert.equal(f.size, 1);
    assert.ok(f.admit(1000) >= 0);
    assert.equal(f.refused, 1);
  },
});

Deno.test({
  name:
    "SendFlowControl.admit() refuses with [TIMEOUT_CLEAN_QUEUE] once the oldest waited too long",
  permissions: "none",
  fn() {
    const f = new SendFlowControl(100, 200);
    const first = f.admit(1000);
    assert.ok(f.admit(1100) >= 0);
    assert.equal(f.admit(1201), -1);
    assert.equal(
      f.refusal,
      "[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: 201ms, size of queue: 2",
    );
    assert.equal(f.headWaitMs(1201), 201);
    f.done(first);
    assert.ok(f.admit(1201) >= 0, "the next oldest waited 101 ms only");
    const off = new SendFlowControl(100, 200, false);
    off.admit(0);
    assert.ok(off.admit(10_000) >= 0, "brokerFastFailureEnable off: no time limit");
  },
});

Deno.test({
  name: "SendFlowControl.done() frees slots answered out of order once the older ones are",
  permissions: "none",
  fn() {
    const f = new SendFlowControl(3, 1000);
    const [a, b, c] = [f.admit(0), f.admit(0), f.admit(0)];
    f.done(c);
    f.done(b);
    assert.equal(f.size, 3, "a is still unanswered");
    f.done(a);
    assert.equal(f.size, 0);
    for (let i = 0; i < 10; i++) f.done(f.admit(0)); // wraps around the ring
    assert.equal(f.size, 0);
  },
});
