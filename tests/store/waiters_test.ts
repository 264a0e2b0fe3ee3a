import assert from "node:assert/strict";
import { OffsetWaiters, Signal } from "../../src/store/waiters.ts";

Deno.test("OffsetWaiters resolves waiters up to an offset, in order", async () => {
  const w = new OffsetWaiters<string>("timeout");
  const a = w.wait(10, 5000);
  const b = w.wait(20, 5000);
  const c = w.wait(30, 5000);
  w.resolveUpTo(20, "ok");
  assert.equal(await a, "ok");
  assert.equal(await b, "ok");
  assert.equal(w.size, 1);
  w.resolveAll("closed");
  assert.equal(await c, "closed");
  assert.equal(w.size, 0);
});

Deno.test("OffsetWaiters gives the timeout value once a wait expires", async () => {
  const w = new OffsetWaiters<string>("timeout");
  const a = w.wait(10, 5);
  const b = w.wait(20, 5000);
  assert.equal(await a, "timeout");
  w.resolveUpTo(20, "ok");
  assert.equal(await b, "ok");
});

Deno.test("Signal keeps a notify that comes before the wait", async () => {
  const s = new Signal();
  s.notify();
  await s.wait();
  let woke = false;
  const p = s.wait().then(() => woke = true);
  await Promise.resolve();
  assert.equal(woke, false);
  s.notify();
  await p;
  assert.equal(woke, true);
});
