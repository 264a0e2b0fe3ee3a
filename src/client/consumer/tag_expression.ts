/**
 * A consumer's subscriptions on the client side: TAG expressions checked more strictly than the
 * broker reads them (an expression must name a tag or be `*`), and the exact-tag check the
 * client applies after the broker's hash filter (REMOTING.md §3.3, §3.5). The FilterAPI parsing
 * itself is shared with the broker (src/remoting/filter_api.ts).
 */
import {
  ExpressionType,
  SUB_ALL,
  type SubscriptionData,
} from "../../remoting/body/heartbeat_data.ts";
import { buildSubscriptionData, splitTags } from "../../remoting/filter_api.ts";

/**
 * The tags of a TAG expression: split on `||`, trimmed, empty and repeated ones dropped; `*`
 * and the empty expression mean "every tag" (an empty list). Throws SyntaxError when no tag is
 * left (`||`): the broker would read that as a subscription to nothing.
 */
export function parseTagExpression(expression: string): string[] {
  const s = expression.trim();
  const tags = splitTags(s) ?? [];
  if (tags.length === 0 && s !== "" && s !== SUB_ALL) {
    throw new SyntaxError(
      `Cannot parse subscription ${JSON.stringify(expression)}: it names no tag`,
    );
  }
  return tags;
}

/**
 * SubscriptionData for a topic and TAG expression (FilterAPI.buildSubscriptionData) with the
 * expression trimmed: codeSet holds Java String.hashCode of each tag, subVersion the time of
 * subscribing. Throws SyntaxError for an expression without tags.
 */
export function buildTagSubscription(
  topic: string,
  expression: string | undefined,
  subVersion = Date.now(),
): SubscriptionData {
  const subString = expression?.trim() ?? "";
  parseTagExpression(subString); // Only to refuse what FilterAPI would take as "no tag".
  return buildSubscriptionData(topic, subString, ExpressionType.TAG, subVersion);
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
