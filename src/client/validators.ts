/**
 * Checks a producer makes before anything goes on the wire (Java's Validators), with RocketMQ's
 * limits (REMOTING.md §8.1). Failures throw TypeError (bad name) or RangeError (bad size) with
 * a one-line message naming the value.
 */
import { MAX_PROPERTIES_BYTES, MAX_TOPIC_BYTES } from "../common/message/message_codec.ts";

/** Letters, digits, `%`, `|`, `_` and `-`: the only characters a topic or group may use. */
const VALID_NAME = /^[%|a-zA-Z0-9_-]+$/;

export const MAX_GROUP_LENGTH = 255;
/** Largest message body (and batch body) a producer sends, bytes (maxMessageSize). */
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
/** The topic whose route stands in for topics the broker will auto-create. */
export const AUTO_CREATE_TOPIC_KEY_TOPIC = "TBW102";

/** Topics a client may never send to; a broker answers NO_PERMISSION (§8.1). */
const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  "SCHEDULE_TOPIC_XXXX",
  "RMQ_SYS_TRANS_HALF_TOPIC",
  "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  "TRANS_CHECK_MAX_TIME_TOPIC",
  "SELF_TEST_TOPIC",
  "OFFSET_MOVED_EVENT",
]);

/** Throws unless `topic` is a valid topic name a client may send to. */
export function checkTopic(topic: unknown, what = "send message"): asserts topic is string {
  if (typeof topic !== "string" || topic.trim() === "") {
    throw new TypeError(`Cannot ${what}: topic is blank`);
  }
  if (topic.length > MAX_TOPIC_BYTES) {
    throw new RangeError(
      `Cannot ${what}: topic is ${topic.length} characters long (max ${MAX_TOPIC_BYTES})`,
    );
  }
  if (!VALID_NAME.test(topic)) {
    throw new TypeError(
      `Cannot ${what}: topic ${
        JSON.stringify(topic)
      } has characters other than letters, digits, %, |, _ and -`,
    );
  }
  if (topic === AUTO_CREATE_TOPIC_KEY_TOPIC) {
    throw new TypeError(`Cannot ${what}: topic ${topic} is reserved for topic auto-creation`);
  }
  if (NOT_ALLOWED_SEND_TOPICS.has(topic)) {
    throw new TypeError(`Cannot ${what}: sending to system topic ${topic} is forbidden`);
  }
}

/** Throws unless `group` is a valid producer or consumer group name. */
export function checkGroup(group: unknown, what = "start client"): asserts group is string {
  if (typeof group !== "string" || group.trim() === "") {
    throw new TypeError(`Cannot ${what}: group is blank`);
  }
  if (group.length > MAX_GROUP_LENGTH) {
    throw new RangeError(
      `Cannot ${what}: group is ${group.length} characters long (max ${MAX_GROUP_LENGTH})`,
    );
  }
  if (!VALID_NAME.test(group)) {
    throw new TypeError(
      `Cannot ${what}: group ${
        JSON.stringify(group)
      } has characters other than letters, digits, %, |, _ and -`,
    );
  }
}

/** Throws unless a body of `length` bytes may be sent. */
export function checkBodyLength(length: number, maxMessageSize: number, what = "send message") {
  if (length === 0) throw new RangeError(`Cannot ${what}: body is empty`);
  if (length > maxMessageSize) {
    throw new RangeError(
      `Cannot ${what}: body is ${length} bytes (max ${maxMessageSize})`,
    );
  }
}

/**
 * Throws when a property string cannot be stored (over 32767 UTF-8 bytes). The exact byte
 * count is only computed when the string might be that long.
 */
export function checkPropertiesLength(properties: string, what = "send message"): void {
  if (properties.length * 3 <= MAX_PROPERTIES_BYTES) return;
  const bytes = new TextEncoder().encode(properties).length;
  if (bytes > MAX_PROPERTIES_BYTES) {
    throw new RangeError(
      `Cannot ${what}: properties are ${bytes} bytes (max ${MAX_PROPERTIES_BYTES})`,
    );
  }
}
