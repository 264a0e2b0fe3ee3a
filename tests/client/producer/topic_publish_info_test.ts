import assert from "node:assert/strict";
import type { MessageQueue } from "../../../src/remoting/body/message_queue.ts";
import { TopicPublishInfo } from "../../../src/client/producer/topic_publish_info.ts";

function queues(spec: Record<string, number>): MessageQueue[] {
  return Object.entries(spec).flatMap(([brokerName, n]) =>
    Array.from({ length: n }, (_, queueId) => ({ topic: "T", brokerName, queueId }))
  );
}

Deno.test(
  {
    name: "TopicPublishInfo.selectOneMessageQueue() goes round robin over every queue",
    permissions: "none",
  },
  () => {
    const info = new TopicPublishInfo(queues({ a: 2, b: 2 }));
    const picked = Array.from({ length: 8 }, () => info.selectOneMessageQueue()!);
    const key = (q: MessageQueue) => `${q.brokerName}:${q.queueId}`;
    // Whatever the random start, 8 picks visit each of the 4 queues exactly twice, in turn.
    const counts = new Map<string, number>();
    for (const q of picked) counts.set(key(q), (counts.get(key(q)) ?? 0) + 1);
    assert.deepEqual([...counts.values()], [2, 2, 2, 2]);
    assert.deepEqual(picked.slice(0, 4).map(key), picked.slice(4).map(key));
  },
);

Deno.test(
  {
    name: "TopicPublishInfo.selectOneMessageQueue() avoids the broker that just failed",
    permissions: "none",
  },
  () => {
    const info = new TopicPublishInfo(queues({ a: 3, b: 1 }));
    for (let i = 0; i < 20; i++) assert.equal(info.selectOneMessageQueue("a")!.brokerName, "b");
    for (let i = 0; i < 20; i++) assert.equal(info.selectOneMessageQueue("b")!.brokerName, "a");
    // With only the failed broker left, it is used anyway.
    const single = new TopicPublishInfo(queues({ a: 2 }));
    assert.equal(single.selectOneMessageQueue("a")!.brokerName, "a");
  },
);

Deno.test(
  { name: "TopicPublishInfo without queues selects nothing and is not ok", permissions: "none" },
  () => {
    const info = new TopicPublishInfo();
    assert.equal(info.ok, false);
    assert.equal(info.haveTopicRouterInfo, false);
    assert.equal(info.selectOneMessageQueue(), undefined);
    assert.equal(info.writeQueueNumsOf("a"), 0);
  },
);
