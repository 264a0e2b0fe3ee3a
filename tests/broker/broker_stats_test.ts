import assert from "node:assert/strict";
import { BrokerStatsManager, StatsName } from "../../src/broker/broker_stats.ts";

Deno.test("BrokerStatsManager reports each window's sum, rate and sum per call", {
  permissions: "none",
}, () => {
  const stats = new BrokerStatsManager(() => ({ put: 0, get: 0 }));
  const t0 = 1_700_000_000_000;
  assert.equal(stats.data(StatsName.TOPIC_PUT_NUMS, "T"), undefined, "never counted");
  stats.inc(StatsName.TOPIC_PUT_NUMS, "T", 10, 2);
  stats.sampleAll("minute", t0);
  stats.inc(StatsName.TOPIC_PUT_NUMS, "T", 30, 3);
  stats.sampleAll("minute", t0 + 10_000);
  const d = stats.data(StatsName.TOPIC_PUT_NUMS, "T")!;
  // The first sample stands for a zero taken one period earlier, as Java's does.
  assert.deepEqual(d.statsMinute, { sum: 40, tps: 2, avgpt: 8 });
  assert.deepEqual(d.statsHour, { sum: 0, tps: 0, avgpt: 0 }, "not sampled yet");

  // A minute keeps 7 samples (60 s): older increments leave the window.
  for (let i = 2; i <= 8; i++) stats.sampleAll("minute", t0 + i * 10_000);
  assert.deepEqual(stats.data(StatsName.TOPIC_PUT_NUMS, "T")!.statsMinute, {
    sum: 0,
    tps: 0,
    avgpt: 0,
  });
});

Deno.test("BrokerStatsManager.groupGetTps() is the group's rate over the last minute", {
  permissions: "none",
}, () => {
  const stats = new BrokerStatsManager(() => ({ put: 0, get: 0 }));
  const t0 = 1_700_000_000_000;
  stats.sampleAll("minute", t0);
  stats.inc(StatsName.GROUP_GET_NUMS, "T@G", 0);
  stats.sampleAll("minute", t0);
  stats.inc(StatsName.GROUP_GET_NUMS, "T@G", 600);
  stats.sampleAll("minute", t0 + 60_000);
  assert.equal(stats.groupGetTps("G", "T"), 600 / 70, "over 70 s: first sample plus 60 s");
  assert.equal(stats.groupGetTps("Other", "T"), 0);
});

Deno.test("BrokerStatsManager.recordMorning() shifts today's totals to yesterday", {
  permissions: "none",
}, () => {
  let totals = { put: 5, get: 3 };
  const stats = new BrokerStatsManager(() => totals);
  stats.recordMorning();
  totals = { put: 50, get: 30 };
  stats.recordMorning();
  assert.deepEqual(stats.morning, {
    msgPutTotalYesterdayMorning: 5,
    msgPutTotalTodayMorning: 50,
    msgGetTotalYesterdayMorning: 3,
    msgGetTotalTodayMorning: 30,
  });
});
