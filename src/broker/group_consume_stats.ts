/**
 * One group's progress in one topic on this broker (ConsumeStats): per queue the broker's max
 * offset, the group's offset and the store time of the last message it consumed, and the rate
 * it got messages at over the last minute. GET_CONSUME_STATS and GET_BROKER_CONSUME_STATS
 * answer with it.
 */
import type { ConsumeStats } from "../remoting/body/consume_stats.ts";
import type { BrokerContext, BrokerServices } from "./broker_context.ts";

export type ConsumeStatsServices = Pick<BrokerServices, "consumerOffsets" | "consumers" | "stats">;

/**
 * The group's stats in `topic`; undefined when the topic is unknown or not the group's.
 * `queues` says which count to cover: Java's GET_CONSUME_STATS reads the readable queues,
 * GET_BROKER_CONSUME_STATS the writable ones.
 */
export async function groupConsumeStats(
  ctx: BrokerContext,
  s: ConsumeStatsServices,
  group: string,
  topic: string,
  queues: "read" | "write" = "read",
): Promise<ConsumeStats | undefined> {
  const tc = ctx.topicConfigManager.get(topic);
  if (!tc) return undefined;
  // A group online with subscriptions, none of them this topic: not its topic any more.
  const info = s.consumers.get(group);
  if (info && info.subscriptionTable.size > 0 && !info.findSubscription(topic)) return undefined;
  const stats: ConsumeStats = { offsetTable: [], consumeTps: s.stats.groupGetTps(group, topic) };
  const count = queues === "read" ? tc.readQueueNums : tc.writeQueueNums;
  for (let queueId = 0; queueId < count; queueId++) {
    const brokerOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, queueId));
    const consumerOffset = Math.max(0, s.consumerOffsets.queryOffset(group, topic, queueId));
    let lastTimestamp = 0;
    if (consumerOffset > 0) {
      const t = await ctx.store.getMessageStoreTimeStamp(topic, queueId, consumerOffset - 1);
      if (t > 0) lastTimestamp = t;
    }
    stats.offsetTable.push([
      { topic, brokerName: ctx.brokerName, queueId },
      { brokerOffset, consumerOffset, lastTimestamp },
    ]);
  }
  return stats;
}
