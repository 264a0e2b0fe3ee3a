/**
 * A consumer's subscriptions (Java's FilterAPI and SubscriptionData on the client side): a TAG
 * expression `TagA || TagB` (or `*`) parsed into the tag set and Java hash codes the broker
 * filters on, the exact-tag check the client applies after the broker's hash filter, and the
 * names of a group's retry and dead-letter topics (REMOTING.md §3.3, §3.5, §8.3).
 */
import { javaStringHashCode } from "../common/java_hash.ts";
import { ExpressionType, SUB_ALL, type SubscriptionData } from "../remoting/body/heartbeat_data.ts";

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

/**
 * The tags of a TAG expression: split on `||`, trimmed, empty and repeated ones dropped; `*`
 * and the empty expression mean "every tag" (an empty list). Throws SyntaxError when no tag is
 * left (`||`), as Java's "subString split error".
 */
export function parseTagExpression(expression: string): string[] {
  const s = expression.trim();
  if (s === "" || s === SUB_ALL) return [];
  const tags: string[] = [];
  for (const part of s.split("||")) {
    const t = part.trim();
    if (t.length > 0 && !tags.includes(t)) tags.push(t);
  }
  if (tags.length === 0) {
    throw new SyntaxError(
      `Cannot parse subscription ${JSON.stringify(expression)}: it names no tag`,
    );
  }
  return tags;
}

/**
 * SubscriptionData for a topic and TAG expression (FilterAPI.buildSubscriptionData): codeSet
 * holds Java String.hashCode of each tag, subVersion the time of subscribing. Throws
 * SyntaxError for an expression without tags.
 */
export function buildSubscriptionData(
  topic: string,
  expression: string | undefined,
  subVersion = Date.now(),
): SubscriptionData {
  const subString = expression === undefined || expression.trim() === "" ||
      expression.trim() === SUB_ALL
    ? SUB_ALL
    : expression.trim();
  const tagsSet = parseTagExpression(subString);
  return {
    topic,
    subString,
    tagsSet,
    codeSet: tagsSet.map(javaStringHashCode),
    subVersion,
    expressionType: ExpressionType.TAG,
    classFilterMode: false,
  };
}

/**
 * A compiled filter for received messages: the broker only compares hash codes, so two tags
 * with the same hash both pass it; the client keeps only messages whose tag is in the set
 * (undefined: every message passes).
 */
export function tagFilterOf(sub: SubscriptionData): ReadonlySet<string> | undefined {
  if (sub.classFilterMode || sub.tagsSet.length === 0) return undefined;
  return new Set(sub.tagsSet);
}
