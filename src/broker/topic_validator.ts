/**
 * Topic and group names the broker accepts and the topics it keeps for itself (TopicValidator,
 * Validators, REMOTING.md §8.1). Remarks are the Java broker's, so tools print what users
 * expect.
 */

import { RETRY_GROUP_TOPIC_PREFIX } from "../remoting/group_topics.ts";

/** Names of RocketMQ's system topics. */
export const SystemTopic = {
  AUTO_CREATE_TOPIC_KEY: "TBW102",
  SCHEDULE: "SCHEDULE_TOPIC_XXXX",
  BENCHMARK: "BenchmarkTest",
  TRANS_HALF: "RMQ_SYS_TRANS_HALF_TOPIC",
  TRACE: "RMQ_SYS_TRACE_TOPIC",
  TRANS_OP_HALF: "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  TRANS_CHECK_MAX_TIME: "TRANS_CHECK_MAX_TIME_TOPIC",
  SELF_TEST: "SELF_TEST_TOPIC",
  OFFSET_MOVED_EVENT: "OFFSET_MOVED_EVENT",
} as const;

export const SYSTEM_TOPIC_PREFIX = "rmq_sys_";
/** Suffix of the request-reply topic the broker creates for its cluster. */
export { REPLY_TOPIC_POSTFIX } from "../remoting/group_topics.ts";

export const TOPIC_MAX_LENGTH = 127;
/** Validators.CHARACTER_MAX_LENGTH: the longest group name a Java client accepts. */
export const GROUP_MAX_LENGTH = 255;
export const VALID_TOPIC_PATTERN = "^[%|a-zA-Z0-9_-]+$";
const VALID_CHAR = /^[%|a-zA-Z0-9_-]+$/;

/** Topics clients may not send to (§3.2 step 1 → NO_PERMISSION). */
const NOT_ALLOWED_SEND: ReadonlySet<string> = new Set([
  SystemTopic.SCHEDULE,
  SystemTopic.TRANS_HALF,
  SystemTopic.TRANS_OP_HALF,
  SystemTopic.TRANS_CHECK_MAX_TIME,
  SystemTopic.SELF_TEST,
  SystemTopic.OFFSET_MOVED_EVENT,
]);

/** Why a topic name is refused (the Java broker's remark), or undefined when it is valid. */
export function validateTopic(topic: string | undefined): string | undefined {
  if (topic === undefined || topic.trim() === "") return "The specified topic is blank.";
  if (topic.length > TOPIC_MAX_LENGTH) {
    return `The specified topic is longer than topic max length ${TOPIC_MAX_LENGTH}.`;
  }
  if (!VALID_CHAR.test(topic)) {
    return `The specified topic[${topic}] contains illegal characters, allowing only ${VALID_TOPIC_PATTERN}`;
  }
  return undefined;
}

/**
 * Why a consumer or producer group name is refused, or undefined when it is valid: the
 * characters of topics (a group names its `%RETRY%` and `%DLQ%` topics), at most 255 of them.
 */
export function validateGroup(group: string | undefined): string | undefined {
  if (group === undefined || group.trim() === "") return "The specified group is blank.";
  if (group.length > GROUP_MAX_LENGTH) {
    return `The specified group is longer than group max length ${GROUP_MAX_LENGTH}.`;
  }
  if (!VALID_CHAR.test(group)) {
    return `The specified group[${group}] contains illegal characters, allowing only ${VALID_TOPIC_PATTERN}`;
  }
  return undefined;
}

/** Why a group cannot have retries (its `%RETRY%` topic would be too long), if it cannot. */
export function validateRetryTopicOf(group: string): string | undefined {
  const max = TOPIC_MAX_LENGTH - RETRY_GROUP_TOPIC_PREFIX.length;
  if (group.length <= max) return undefined;
  return `The specified group is longer than ${max}, too long for its retry topic.`;
}

export function isNotAllowedSendTopic(topic: string): boolean {
  return NOT_ALLOWED_SEND.has(topic);
}

/**
 * The system topics of one broker: RocketMQ's fixed set, anything starting `rmq_sys_`, and the
 * topics named after the broker's cluster and broker name (which it creates itself).
 */
export class SystemTopics {
  readonly #names: Set<string>;

  constructor(clusterName: string, brokerName: string, traceTopic: string) {
    this.#names = new Set<string>([
      ...Object.values(SystemTopic),
      traceTopic,
      clusterName,
      brokerName,
    ]);
  }

  has(topic: string): boolean {
    return this.#names.has(topic) || topic.startsWith(SYSTEM_TOPIC_PREFIX);
  }
}
