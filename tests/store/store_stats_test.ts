import assert from "node:assert/strict";
import { StoreCounters } from "../../src/store/store_stats.ts";

Deno.test("StoreCounters rates cover 10 s, 1 min and 10 min once the samples span them", {
  permissions: "none",
}, () => {
  const c = new StoreCounters();
  const t0 = 1_700_000_000_000;
  // 100 puts a second for 61 s, then 61 s of nothing.
  for (let s = 0; s <= 122; s++) {
    if (s > 0 && s <= 61) c.put(100, 100 * 200);
    c.sample(t0 + s * 1000);
    if (s === 5) assert.deepEqual(c.snapshot(0).putTps, [undefined, undefined, undefined]);
    if (s === 61) assert.deepEqual(c.snapshot(0).putTps, [100, 100, undefined]);
    if (s === 91) assert.deepEqual(c.snapshot(0).putTps, [0, 50, undefined], "half busy");
  }
  const st = c.snapshot(0);
  assert.deepEqual(st.putTps, [0, 0, undefined]);
  assert.equal(st.putMessageTimesTotal, 6100);
  assert.equal(st.putMessageSizeTotal, 6100 * 200);
});

Deno.test("StoreCounters counts reads found and missed and their rates apart", {
  permissions: "none",
}, () => {
  const c = new StoreCounters();
  const t0 = 1_700_000_000_000;
  c.sample(t0);
  for (let i = 0; i < 30; i++) c.gotMessages(true, 4, 3);
  for (let i = 0; i < 10; i++) c.gotMessages(false, 0);
  for (let s = 1; s <= 10; s++) c.sample(t0 + s * 1000);
  const st = c.snapshot(7);
  assert.equal(st.getMessageTimesTotalFound, 30);
  assert.equal(st.getMessageTimesTotalMiss, 10);
  assert.equal(st.getMessageTransferedMsgCount, 120);
  assert.equal(st.getMessageEntireTimeMax, 3);
  assert.equal(st.commitLogSyncTimes, 7);
  assert.equal(st.getFoundTps[0], 3);
  assert.equal(st.getMissTps[0], 1);
  assert.equal(st.getTotalTps[0], 4);
  assert.equal(st.getTransferedTps[0], 12);
});

Deno.test("StoreCounters sorts put latencies into Java's buckets", { permissions: "none" }, () => {
  const c = new StoreCounters();
  for (const ms of [0, 0, 5, 10, 75, 12_000]) c.putLatency(ms);
  const st = c.snapshot(0);
  assert.equal(st.putMessageEntireTimeMax, 12_000);
  assert.equal(
    st.putMessageDistributeTime,
    "[<=0ms]:2 [0~10ms]:1 [10~50ms]:1 [50~100ms]:1 [100~200ms]:0 [200~500ms]:0 " +
      "[500ms~1s]:0 [1~2s]:0 [2~3s]:0 [3~4s]:0 [4~5s]:0 [5~10s]:0 [10s~]:1 ",
  );
});
