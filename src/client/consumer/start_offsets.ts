/**
 * Where a clustering group starts, committed before its consumers start: at the end of every
 * queue, or at the first message stored at or after a time. RocketMQ 4.x starts a *new* group at
 * offset 0 while a queue's first message is still in memory, whatever CONSUME_FROM_LAST_OFFSET
 * says (§8.7), so "from the end" and "from a time" need the offsets written first, as kcat and
 * rpk users expect.
 */
import type { ClientOptions } from "../client_config.ts";
import { PullConsumer } from "./pull_consumer.ts";

export interface StartOffsetsOptions extends ClientOptions {
  consumerGroup: string;
  topic: string;
  /** "end": each queue's max offset; a number: the offset nearest that time (ms). */
  from: "end" | number;
  /**
   * Only for a group that has consumed nothing of the topic: no queue with a committed offset
   * above 0. (A broker answers 0 for a group it has never seen while a queue's first message is
   * in memory, so 0 cannot tell "new" from "at the start"; either way nothing was consumed.)
   */
  onlyNewGroup: boolean;
}

/** Commits the start offsets; false when it did not (the group already had offsets). */
export async function commitStartOffsets(o: StartOffsetsOptions): Promise<boolean> {
  const { topic, from, onlyNewGroup, ...client } = o;
  const pc = new PullConsumer({ ...client, instanceName: `start-offsets-${Deno.pid}` });
  await pc.start();
  try {
    const mqs = await pc.fetchSubscribeMessageQueues(topic);
    if (onlyNewGroup) {
      for (const mq of mqs) if ((await pc.fetchConsumeOffset(mq, true)) > 0) return false;
    }
    for (const mq of mqs) {
      pc.updateConsumeOffset(
        mq,
        from === "end" ? await pc.maxOffset(mq) : await pc.searchOffset(mq, from),
      );
    }
    return true;
  } finally {
    await pc.shutdown(); // Persists the offsets to the brokers.
  }
}
