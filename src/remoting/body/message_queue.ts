/**
 * MessageQueue, the (topic, broker, queue) triple clients address (REMOTING.md §3.10). As JSON,
 * fastjson, keys sorted:
 *   {"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}
 * It also appears inline as a map key in offset tables (§3.11 quirk 2); stringifyFastJson
 * writes a Map keyed by these objects that way.
 */
import {
  asNumber,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
} from "../../common/fastjson.ts";

/**
 * One queue of a topic on one broker group.
 *
 * @example
 * ```ts
 * const mq: MessageQueue = { topic: "TopicTest", brokerName: "broker-a", queueId: 0 };
 * ```
 */
export interface MessageQueue {
  /** The topic. */
  readonly topic: string;
  /** The broker group (master and slaves share the name). */
  readonly brokerName: string;
  /** The queue's number on that broker, from 0. */
  readonly queueId: number;
}

export function messageQueueToJson(mq: MessageQueue): JsonObject {
  return { brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic };
}

export function messageQueueFromJson(json: JsonValue | undefined): MessageQueue {
  const o = asObject(json);
  return {
    topic: asString(o.topic) ?? "",
    brokerName: asString(o.brokerName) ?? "",
    queueId: asNumber(o.queueId) ?? 0,
  };
}

/** A string naming the queue, for Map keys: `topic@brokerName@queueId`. */
export function messageQueueKey(mq: MessageQueue): string {
  return `${mq.topic}@${mq.brokerName}@${mq.queueId}`;
}

/** Orders queues by topic, then broker name, then queue id (MessageQueue.compareTo). */
export function compareMessageQueues(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}
