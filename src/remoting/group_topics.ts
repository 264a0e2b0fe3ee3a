/**
 * The topics RocketMQ names after something (MixAll): each consumer group's `%RETRY%<group>`,
 * where failed messages come back, and `%DLQ%<group>`, where they end up after
 * maxReconsumeTimes (REMOTING.md §3.5, §8.3); each cluster's `<cluster>_REPLY_TOPIC`, where
 * replies of request-reply go. Broker and client both use these names.
 */

/** Prefix of a consumer group's retry topic (`%RETRY%<group>`). */
export const RETRY_GROUP_TOPIC_PREFIX = "%RETRY%";
/** Prefix of a consumer group's dead-letter topic (`%DLQ%<group>`). */
export const DLQ_GROUP_TOPIC_PREFIX = "%DLQ%";

/** `%RETRY%<group>`. */
export function retryTopic(group: string): string {
  return RETRY_GROUP_TOPIC_PREFIX + group;
}

/** `%DLQ%<group>`. */
export function dlqTopic(group: string): string {
  return DLQ_GROUP_TOPIC_PREFIX + group;
}

export function isRetryTopic(topic: string): boolean {
  return topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
}

/** Suffix of a cluster's reply topic (MixAll.REPLY_TOPIC_POSTFIX). */
export const REPLY_TOPIC_POSTFIX = "REPLY_TOPIC";

/** `<cluster>_REPLY_TOPIC`. */
export function replyTopic(cluster: string): string {
  return `${cluster}_${REPLY_TOPIC_POSTFIX}`;
}
