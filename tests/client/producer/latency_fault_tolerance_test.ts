import assert from "node:assert/strict";
import type { MessageQueue } from "../../../src/remoting/body/message_queue.ts";
import {
  computeNotAvailableDuration,
  LatencyFaultTolerance,
  MQFaultStrategy,
} from "../../../src/client/producer/latency_fault_tolerance.ts";
import { TopicPublishInfo } from "../../../src/client/producer/topic_publish_info.ts";

function info(spec: Record<string, number>): TopicPublishInfo {
  return new TopicPublishInfo(
    Object.entries(spec).flatMap(([brokerName, n]) =>
      Array.from({ length: n }, (_, queueId): MessageQueue => ({ topic: "T", brokerName, queueId }))
    ),
  );
}

const brokersOf = (picks: (MessageQueue | undefined)[]) => new Set(picks.map((q) => q!.brokerName));

Deno.test(
  { name: "computeNotAvailableDuration() follows Java's latency table", permissions: "none" },
  () => {
    const cases: [number, number][] = [
      [0, 0],
      [49, 0],
      [100, 0],
      [549, 0],
      [550, 30_000],
      [1000, 60_000],
      [2500, 120_000],
      [3000, 180_000],
      [15_000, 600_000],
      [30_000, 600_000],
    ];
    for (const [latency, want] of cases) assert.equal(computeNotAvailableDuration(latency), want);
  },
);

Deno.test(
  {
    name: "LatencyFaultTolerance marks a broker unavailable until its time is up",
    permissions: "none",
  },
  () => {
    const lft = new LatencyFaultTolerance();
    lft.updateFaultItem("a", 3000, 1000, 10_000);
    assert.equal(lft.isAvailable("a", 10_999), false);
    assert.equal(lft.isAvailable("a", 11_000), true);
    assert.equal(lft.isAvailable("unknown", 0), true);
    lft.updateFaultItem("b", 50, 500, 10_000);
    assert.equal(lft.pickOneAtLeast(), "b"); // available soonest
    lft.remove("b");
    assert.equal(lft.pickOneAtLeast(), "a");
  },
);

Deno.test(
  {
    name: "MQFaultStrategy without latency faults avoids only the last failed broker",
    permissions: "none",
  },
  () => {
    const s = new MQFaultStrategy(false);
    const tp = info({ a: 2, b: 2 });
    s.updateFaultItem("a", 0, true); // a no-op while disabled
    assert.deepEqual(
      brokersOf(Array.from({ length: 8 }, () => s.selectOneMessageQueue(tp))),
      new Set(["a", "b"]),
    );
    assert.deepEqual(
      brokersOf(Array.from({ length: 8 }, () => s.selectOneMessageQueue(tp, "a"))),
      new Set(["b"]),
    );
  },
);

Deno.test(
  {
    name: "MQFaultStrategy with latency faults skips a failed broker until it recovers",
    permissions: "none",
  },
  () => {
    const s = new MQFaultStrategy(true);
    const tp = info({ a: 2, b: 2 });
    const now = 1_000_000;
    s.updateFaultItem("a", 5, true, now); // isolated: 10 minutes
    s.updateFaultItem("b", 5, false, now); // fast: stays available
    const picks = Array.from(
      { length: 8 },
      () => s.selectOneMessageQueue(tp, undefined, now + 1000),
    );
    assert.deepEqual(brokersOf(picks), new Set(["b"]));
    // The only healthy broker is used even right after it failed on this send's last attempt.
    assert.equal(s.selectOneMessageQueue(tp, "b", now + 1000)!.brokerName, "b");
    // Ten minutes on, a is back in the rotation.
    const later = Array.from(
      { length: 8 },
      () => s.selectOneMessageQueue(tp, undefined, now + 600_000),
    );
    assert.deepEqual(brokersOf(later), new Set(["a", "b"]));
  },
);

Deno.test(
  {
    name: "MQFaultStrategy picks the broker that recovers soonest when all are isolated",
    permissions: "none",
  },
  () => {
    const s = new MQFaultStrategy(true);
    const tp = info({ a: 2, b: 2 });
    const now = 1_000_000;
    s.updateFaultItem("a", 5, true, now); // back after 600 s
    s.updateFaultItem("b", 1200, false, now); // back after 60 s
    for (let i = 0; i < 6; i++) {
      assert.equal(s.selectOneMessageQueue(tp, undefined, now + 1)!.brokerName, "b");
    }
    // A broker no longer in the route is forgotten; selection falls back to round robin.
    const onlyA = info({ a: 1 });
    assert.equal(s.selectOneMessageQueue(onlyA, undefined, now + 1)!.brokerName, "a");
  },
);
