/**
 * Subscriptions as the broker filters with them: parsed pull expressions (cached) and clients'
 * SubscriptionData from heartbeats. The broker recomputes tag hash codes itself (Java
 * String.hashCode over UTF-16) instead of trusting the client's codeSet: Go sends codes as
 * strings and hashes UTF-8 bytes (REMOTING.md §3.3).
 */
import { errorMessage } from "../common/errors.ts";
import { javaStringHashCode } from "../common/java_hash.ts";
import { ExpressionType, SUB_ALL, type SubscriptionData } from "../remoting/body/heartbeat_data.ts";
import { buildSubscriptionData, isTagType, splitTags } from "../remoting/filter_api.ts";
import type { MessageFilter } from "../store/message_store.ts";
import { messageFilterOf } from "./filter/message_filter.ts";

/** A subscription as the broker uses it: the client's data and the filter built from it. */
export interface Subscription {
  readonly data: SubscriptionData;
  /** Undefined when every message matches (`*`), so the store skips filtering. */
  readonly filter: MessageFilter | undefined;
  /** Why no filter could be built (a SQL92 expression that does not parse). */
  readonly error?: string;
}

/**
 * A client's SubscriptionData (from a heartbeat) made trustworthy: tags from tagsSet, or from
 * subString when the client sent none, and hash codes recomputed.
 */
export function normalizeSubscriptionData(s: SubscriptionData): SubscriptionData {
  if (!isTagType(s.expressionType)) return s;
  const all = s.subString === "" || s.subString === SUB_ALL;
  let tags = all ? [] : s.tagsSet.map((t) => t.trim()).filter((t) => t.length > 0);
  if (!all && tags.length === 0) {
    // When nothing parses the client filters; the broker lets every message through.
    tags = splitTags(s.subString) ?? [];
  }
  return {
    ...s,
    subString: all ? SUB_ALL : s.subString,
    tagsSet: tags,
    codeSet: tags.map(javaStringHashCode),
    expressionType: ExpressionType.TAG,
  };
}

/** A Subscription for (already normalized) data; a bad SQL92 expression becomes its error. */
export function subscriptionOf(data: SubscriptionData): Subscription {
  try {
    return { data, filter: messageFilterOf(data) };
  } catch (e) {
    return { data, filter: undefined, error: errorMessage(e) };
  }
}

/**
 * Parsed pull expressions, so a client that sends its expression with every pull (ali-ons, Go)
 * costs one parse per distinct expression, not one per pull.
 */
export class SubscriptionCache {
  readonly #byTopic = new Map<string, Map<string, Subscription>>();
  readonly #max: number;
  #size = 0;

  constructor(max = 1024) {
    this.#max = max;
  }

  /** The subscription for an expression; throws SyntaxError when it does not parse. */
  get(topic: string, subString: string | undefined, expressionType: string | undefined) {
    const key = isTagType(expressionType)
      ? (subString ?? "")
      : `${expressionType}\u0000${subString ?? ""}`;
    let byExpression = this.#byTopic.get(topic);
    let s = byExpression?.get(key);
    if (s) return s;
    s = subscriptionOf(buildSubscriptionData(topic, subString, expressionType, 0));
    if (s.error) throw new SyntaxError(s.error);
    if (this.#size >= this.#max) {
      this.#byTopic.clear();
      this.#size = 0;
      byExpression = undefined;
    }
    if (!byExpression) {
      byExpression = new Map();
      this.#byTopic.set(topic, byExpression);
    }
    byExpression.set(key, s);
    this.#size++;
    return s;
  }
}
