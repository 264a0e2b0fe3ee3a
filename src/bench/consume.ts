/**
 * `rmq bench consume`: clustering push consumers drain a topic (messages already stored) and
 * count what they get; latency is born time to delivery (B2C), as RocketMQ's consumer
 * benchmark reports it.
 */
import { ConsumeFromWhere, MessageModel } from "../client/consumer/consumer_types.ts";
import type { MessageExt } from "../client/message_ext.ts";
import { commitStartOffsets } from "../client/consumer/start_offsets.ts";
import { PushConsumer } from "../client/consumer/push_consumer.ts";
import type { BenchRun } from "./bench_run.ts";
import type { ClientSecurity } from "../cli/args.ts";

export interface ConsumeOptions {
  namesrvAddr: string;
  topic: string;
  group: string;
  clients: number;
  /** first: the whole backlog; last: new messages (Java's rules); end: strictly new ones. */
  from: "first" | "last" | "end";
  /** Messages per listener call. */
  batchSize: number;
  serializeType: "JSON" | "ROCKETMQ";
  /** ACL account and TLS for every client. */
  security?: ClientSecurity;
}

/** Starts `clients` consumers of one group; every delivered batch goes to `onMessages`. */
export async function startConsumers(
  o: ConsumeOptions,
  onMessages: (msgs: MessageExt[]) => void,
): Promise<PushConsumer[]> {
  // An e2e run must not drain an older run's backlog.
  if (o.from === "end") {
    await commitStartOffsets({
      namesrvAddr: o.namesrvAddr,
      consumerGroup: o.group,
      serializeType: o.serializeType,
      ...o.security,
      topic: o.topic,
      from: "end",
      onlyNewGroup: false,
    });
  }
  const consumers: PushConsumer[] = [];
  try {
    for (let i = 0; i < o.clients; i++) {
      const c = new PushConsumer({
        namesrvAddr: o.namesrvAddr,
        consumerGroup: o.group,
        instanceName: `bench-consumer-${Deno.pid}-${i}`,
        serializeType: o.serializeType,
        ...o.security,
        messageModel: MessageModel.CLUSTERING,
        consumeFromWhere: o.from === "first"
          ? ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET
          : ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
        consumeMessageBatchMaxSize: o.batchSize,
      });
      c.subscribe(o.topic, "*");
      c.registerMessageListener((msgs) => onMessages(msgs));
      consumers.push(c);
      await c.start();
    }
  } catch (e) {
    await Promise.all(consumers.map((c) => c.shutdown()));
    throw e;
  }
  return consumers;
}

export async function runConsume(o: ConsumeOptions, run: BenchRun): Promise<void> {
  const rec = run.recorder;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => done = r);
  run.onStop(done);
  const consumers = await startConsumers(o, (msgs) => {
    const now = Date.now();
    for (const m of msgs) rec.success(now - m.bornTimestamp, m.body.length);
    if (run.reached(rec.ok)) run.stop();
  });
  try {
    run.begin();
    await finished;
  } finally {
    await Promise.all(consumers.map((c) => c.shutdown()));
  }
}
