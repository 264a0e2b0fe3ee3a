/**
 * rmq's own consumers in tests: a push consumer whose listener records what it gets, bounded
 * waits for conditions, and a producer helper that sends many messages at once.
 *
 * @example
 * ```ts
 * await using c = await startPushConsumer(cluster, { consumerGroup: "g1" }, [["TopicTest", "*"]]);
 * await c.received.waitForCount(100);
 * ```
 */
import { Producer, type ProducerOptions } from "../../src/client/producer/producer.ts";
import { PushConsumer, type PushConsumerOptions } from "../../src/client/consumer/push_consumer.ts";
import type { Message } from "../../src/client/message.ts";
import type { MessageExt } from "../../src/client/message_ext.ts";
import type {
  ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
} from "../../src/client/consumer/consumer_types.ts";
import type { SendResult } from "../../src/client/producer/send_result.ts";
import type { TestCluster } from "./cluster.ts";
import { waitUntil } from "./wait.ts";

export { waitUntil };

const dec = new TextDecoder();

/** What a listener saw of one delivery. */
export interface Delivery {
  topic: string;
  brokerName: string;
  queueId: number;
  queueOffset: number;
  msgId: string;
  tags: string | undefined;
  body: string;
  reconsumeTimes: number;
  properties: Record<string, string>;
  /** Date.now() at delivery. */
  at: number;
  message: MessageExt;
}

/** Deliveries a listener recorded, in order. */
export class Deliveries {
  readonly list: Delivery[] = [];

  record(m: MessageExt): Delivery {
    const d: Delivery = {
      topic: m.topic,
      brokerName: m.brokerName,
      queueId: m.queueId,
      queueOffset: m.queueOffset,
      msgId: m.msgId,
      tags: m.tags,
      body: dec.decode(m.body),
      reconsumeTimes: m.reconsumeTimes,
      properties: { ...m.properties },
      at: Date.now(),
      message: m,
    };
    this.list.push(d);
    return d;
  }

  get count(): number {
    return this.list.length;
  }

  bodies(): string[] {
    return this.list.map((d) => d.body);
  }

  waitForCount(n: number, timeoutMs = 5000): Promise<void> {
    return waitUntil(
      () => `${n} deliveries (have ${this.count})`,
      () => this.count >= n,
      timeoutMs,
    );
  }
}

/** A started push consumer and what its listener recorded. */
export interface TestPushConsumer extends AsyncDisposable {
  consumer: PushConsumer;
  received: Deliveries;
}

/**
 * Starts a push consumer on the cluster. The listener records each message, then calls
 * `handle` (if any) whose result is the listener's.
 */
export async function startPushConsumer(
  cluster: TestCluster,
  options: Omit<PushConsumerOptions, "namesrvAddr">,
  subscriptions: [string, string][],
  handle?: (
    d: Delivery,
    ctx: ConsumeConcurrentlyContext,
  ) => ConsumeConcurrentlyStatus | void | Promise<ConsumeConcurrentlyStatus | void>,
): Promise<TestPushConsumer> {
  const consumer = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    clientIP: "127.0.0.1",
    ...options,
  });
  for (const [topic, expression] of subscriptions) consumer.subscribe(topic, expression);
  const received = new Deliveries();
  consumer.registerMessageListener((msgs, ctx) => {
    if (!handle) {
      for (const m of msgs) received.record(m);
      return;
    }
    // One message at a time: a batch fails when any of its messages does.
    return (async () => {
      let failed = false;
      for (const m of msgs) {
        if ((await handle(received.record(m), ctx)) === "RECONSUME_LATER") failed = true;
      }
      return failed ? "RECONSUME_LATER" : undefined;
    })();
  });
  await consumer.start();
  return {
    consumer,
    received,
    [Symbol.asyncDispose]: () => consumer.shutdown(),
  };
}

/** A started producer on the cluster; dispose to shut it down. */
export async function startProducer(
  cluster: TestCluster,
  over: Partial<ProducerOptions> = {},
): Promise<Producer> {
  const p = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    producerGroup: "PG_TEST",
    clientIP: "127.0.0.1",
    ...over,
  });
  await p.start();
  return p;
}

/** Sends `n` messages made by `make(i)` with up to 256 in flight; resolves with every result. */
export async function sendMany(
  producer: Producer,
  n: number,
  make: (i: number) => Message,
): Promise<SendResult[]> {
  const results: SendResult[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await producer.send(make(i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(256, n) }, worker));
  return results;
}
