/**
 * Subscription expressions as RocketMQ's FilterAPI reads them (`*`, `TagA || TagB`, or SQL92
 * text) and the SubscriptionData built from them with Java hash codes (REMOTING.md §3.3).
 * Broker and client both use these; what each side adds on top lives with it
 * (broker/consumer_subscription.ts, client/consumer/tag_expression.ts).
 */
import { javaStringHashCode } from "../common/java_hash.ts";
import { ExpressionType, SUB_ALL, type SubscriptionData } from "./body/heartbeat_data.ts";

/** `TAG` for a missing or blank type, as Java's ExpressionType.isTagType reads it. */
export function isTagType(expressionType: string | undefined): boolean {
  return expressionType === undefined || expressionType.trim() === "" ||
    expressionType === ExpressionType.TAG;
}

/**
 * The tags of a TAG expression: split on `||`, each trimmed, empty and repeated ones dropped.
 * `*` and the empty expression are "all" (an empty list). Undefined when Java's split would find
 * no part at all (`||`, `||||`), its "subString split error".
 */
export function splitTags(subString: string): string[] | undefined {
  if (subString === "" || subString === SUB_ALL) return [];
  const parts = subString.split("||");
  // Java's String.split drops trailing empty parts.
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0) return undefined;
  const tags: string[] = [];
  for (const p of parts) {
    const t = p.trim();
    if (t.length > 0 && !tags.includes(t)) tags.push(t);
  }
  return tags;
}

/** splitTags(), throwing SyntaxError where Java's FilterAPI throws its split error. */
export function parseTags(subString: string): string[] {
  const tags = splitTags(subString);
  if (tags === undefined) {
    throw new SyntaxError(`Cannot parse subscription ${JSON.stringify(subString)}: no tags`);
  }
  return tags;
}

/**
 * SubscriptionData for an expression (FilterAPI.build): for TAG, the tags and their Java
 * String.hashCode; other types are passed through untouched. Throws SyntaxError for a TAG
 * expression that does not parse.
 */
export function buildSubscriptionData(
  topic: string,
  subString: string | undefined,
  expressionType: string | undefined,
  subVersion = Date.now(),
): SubscriptionData {
  if (!isTagType(expressionType)) {
    return {
      topic,
      subString: subString ?? "",
      tagsSet: [],
      codeSet: [],
      subVersion,
      expressionType: expressionType!,
      classFilterMode: false,
    };
  }
  const s = subString === undefined || subString === "" ? SUB_ALL : subString;
  const tagsSet = parseTags(s);
  return {
    topic,
    subString: s,
    tagsSet,
    codeSet: tagsSet.map(javaStringHashCode),
    subVersion,
    expressionType: ExpressionType.TAG,
    classFilterMode: false,
  };
}
