/**
 * Retries and dead letters, the rules the send path (a send to `%RETRY%<group>`, the Java
 * client's fallback when a send-back failed) and CONSUMER_SEND_MSG_BACK share (REMOTING.md
 * §3.2 step 4, §3.5): which reconsume limit applies, and how a message becomes a dead letter.
 */
import { MessageConst } from "../common/message/message_const.ts";
import { removeProperty } from "../common/message/properties.ts";
import { PermName } from "../remoting/body/topic_config.ts";
import type { RemotingCommand } from "../remoting/command.ts";
import { dlqTopic, isRetryTopic, RETRY_GROUP_TOPIC_PREFIX } from "../remoting/group_topics.ts";
import type { MessageInput } from "../store/message_store.ts";
import { MQVersion } from "../version.ts";
import { randomQueueId } from "./random_queue_id.ts";
import type { TopicConfigManager } from "./topic_config_manager.ts";
import { validateGroup } from "./topic_validator.ts";

/** Queues of a %DLQ% topic (MixAll.DLQ_NUMS_PER_GROUP). */
export const DLQ_NUMS_PER_GROUP = 1;

/**
 * The limit a request carries (clients from V3_4_9 send their maxReconsumeTimes), else the
 * group's retryMaxTimes.
 */
export function maxReconsumeTimesOf(
  request: RemotingCommand,
  fromHeader: number | undefined,
  groupMax: number,
): number {
  return request.version >= MQVersion.V3_4_9 && fromHeader !== undefined ? fromHeader : groupMax;
}

/**
 * Moves `msg` to its group's `%DLQ%<group>` topic (created when missing), queue 0, undelayed.
 */
export function toDeadLetter(
  msg: MessageInput,
  group: string,
  topics: TopicConfigManager,
): void {
  const dlq = dlqTopic(group);
  topics.createTopicInSendMessageBackMethod(
    dlq,
    DLQ_NUMS_PER_GROUP,
    PermName.PERM_READ | PermName.PERM_WRITE,
    0,
  );
  msg.topic = dlq;
  msg.queueId = randomQueueId(DLQ_NUMS_PER_GROUP);
  msg.properties = removeProperty(msg.properties, MessageConst.DELAY);
}

/**
 * Where a retry message goes that cannot be stored under its `%RETRY%<group>` topic again
 * (the delay service's last resort): a copy bound for the group's DLQ, or undefined when the
 * message is no retry or its group could not have a DLQ.
 */
export function deadLetterOfRetry(
  msg: MessageInput,
  topics: TopicConfigManager,
): MessageInput | undefined {
  if (!isRetryTopic(msg.topic)) return undefined;
  const group = msg.topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
  if (validateGroup(group)) return undefined;
  const copy = { ...msg };
  toDeadLetter(copy, group, topics);
  return copy;
}
