/**
 * What a consumer selects from a topic (Java's MessageSelector): a TAG expression, filtered by
 * hash on the broker and exactly on the client, or a SQL92 selector over the message's
 * properties, which the broker evaluates (enablePropertyFilter).
 */
import { ExpressionType, type SubscriptionData } from "../../remoting/body/heartbeat_data.ts";
import { buildSubscriptionData } from "../../remoting/filter_api.ts";
import { buildTagSubscription } from "./tag_expression.ts";

export interface MessageSelector {
  readonly type: "TAG" | "SQL92";
  readonly expression: string;
}

export const MessageSelector: {
  bySql(sql: string): MessageSelector;
  byTag(expression: string): MessageSelector;
} = {
  /**
   * A SQL92 selector over user properties (and TAGS): `a > 5 AND region IN ('eu', 'us')`.
   * Strings compare with = <> IN, numbers with any comparison; a missing property selects
   * nothing but `IS NULL`.
   */
  bySql(sql: string): MessageSelector {
    if (typeof sql !== "string" || sql.trim() === "") {
      throw new TypeError("Cannot select by SQL92: the expression is empty");
    }
    return { type: "SQL92", expression: sql.trim() };
  },
  /** A TAG expression: `*`, `TagA`, `TagA || TagB`. */
  byTag(expression: string): MessageSelector {
    return { type: "TAG", expression };
  },
};

/** The SubscriptionData for a topic and selector (or TAG expression). */
export function subscriptionFor(
  topic: string,
  selector: string | MessageSelector,
  subVersion = Date.now(),
): SubscriptionData {
  if (typeof selector === "string") return buildTagSubscription(topic, selector, subVersion);
  if (selector.type === "SQL92") {
    return buildSubscriptionData(topic, selector.expression, ExpressionType.SQL92, subVersion);
  }
  return buildTagSubscription(topic, selector.expression, subVersion);
}
