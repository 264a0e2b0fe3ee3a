/**
 * Subscription expressions (FilterAPI): `*`, `TagA || TagB`, or SQL92 text, parsed into the
 * SubscriptionData the broker filters with. The broker recomputes tag hash codes itself (Java
 * String.hashCode over UTF-16) instead of trusting the client's codeSet: Go sends codes as
 * strings and hashes UTF-8 bytes (REMOTING.md §3.3).
 */
import { javaStringHashCode } from "../common/java_hash.ts";
import { ExpressionType, SUB_ALL, type SubscriptionData } from "../remoting/body/heartbeat_data.ts";
import type { MessageFilter } from "../store/message_store.ts";
import { messageFilterOf } from "./message_filter.ts";

/** A subscription as the broker uses it: the client's data and the filter built from it. */
export interface Subscription {
  readonly data: SubscriptionData;
  /** Undefined when every message matches (`*`), so the store skips filtering. */
  readonly filter: MessageFilter | undefined;
}

/** `TAG` for a missing or blank type, as Java's ExpressionType.isTagType reads it. */
export function isTagType(expressionType: string | undefined): boolean {
  return expressionType === undefined || expressionType.trim() === "" ||
    expressionType === ExpressionType.TAG;
}

/**
 * The tags of a TAG expression: split on `||`, each trimmed, empty ones dropped. `*` and the
 * empty expression are "all" (an empty list). Throws SyntaxError when Java's split would find no
 * part at all (`||`, `||||`).
 */
export function parseTags(subString: string): string[] {
  if (subString === "" || subString === SUB_ALL) return [];
  const parts = subString.split("||");
  // Java's String.split drops trailing empty parts; nothing left is its "subString split error".
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0) {
    throw new SyntaxError(`Cannot parse subscription ${JSON.stringify(subString)}: no tags`);
  }
  const tags: string[] = [];
  for (const p of parts) {
    const t = p.trim();
    if (t.length > 0 && !tags.includes(t)) tags.push(t);
  }
  return tags;
}

/**
 * SubscriptionData for an expression as a pull with the SUBSCRIPTION flag carries it
 * (FilterAPI.build). Throws SyntaxError for a TAG expression that does not parse.
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

/**
 * A client's SubscriptionData (from a heartbeat) made trustworthy: tags from tagsSet, or from
 * subString when the client sent none, and hash codes recomputed.
 */
export function normalizeSubscriptionData(s: SubscriptionData): SubscriptionData {
  if (!isTagType(s.expressionType)) return s;
  const all = s.subString === "" || s.subString === SUB_ALL;
  let tags = all ? [] : s.tagsSet.map((t) => t.trim()).filter((t) => t.length > 0);
  if (!all && tags.length === 0) {
    try {
      tags = parseTags(s.subString);
    } catch {
      tags = []; // Nothing parses: the client filters; the broker lets every message through.
    }
  }
  return {
    ...s,
    subString: all ? SUB_ALL : s.subString,
    tagsSet: tags,
    codeSet: tags.map(javaStringHashCode),
    expressionType: ExpressionType.TAG,
  };
}

/** A Subscription for (already normalized) data. */
export function subscriptionOf(data: SubscriptionData): Subscription {
  return { data, filter: messageFilterOf(data) };
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
