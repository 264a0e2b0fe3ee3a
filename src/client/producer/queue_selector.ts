/**
 * Queue selectors for ordered sends (Java's MessageQueueSelector): messages that must stay in
 * order go to one queue, picked from a key such as an order id.
 */
import { javaStringHashCode } from "../../common/java_hash.ts";
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import type { Message } from "../message.ts";

/**
 * Picks the queue for one send from the topic's writable queues.
 *
 * @example
 * ```ts
 * const byOrderId: MessageQueueSelector = (mqs, _msg, arg) => mqs[Number(arg) % mqs.length];
 * ```
 */
export type MessageQueueSelector = (
  mqs: readonly MessageQueue[],
  msg: Message,
  arg: unknown,
) => MessageQueue;

/** Java's hashCode for the argument types a selector usually gets. */
function javaHashCode(arg: unknown): number {
  if (typeof arg === "number" && Number.isInteger(arg)) {
    if (arg >= -0x80000000 && arg <= 0x7fffffff) return arg; // Integer.hashCode
    // Long.hashCode: (int)(value ^ (value >>> 32)).
    const v = BigInt.asUintN(64, BigInt(arg));
    return Number(BigInt.asIntN(32, v ^ (v >> 32n)));
  }
  if (typeof arg === "bigint") {
    const v = BigInt.asUintN(64, arg);
    return Number(BigInt.asIntN(32, v ^ (v >> 32n)));
  }
  return javaStringHashCode(String(arg));
}

/**
 * The same argument always picks the same queue: |hashCode(arg) % queues| with Java's
 * hashCode, so a Java producer using SelectMessageQueueByHash with the same keys agrees.
 *
 * @param mqs The topic's writable queues.
 * @param _msg The message (unused).
 * @param arg The ordering key: a string, an integer or a bigint.
 * @returns The queue for `arg`.
 * @example
 * ```ts
 * await producer.send(msg, { selector: selectMessageQueueByHash, arg: "order-1001" });
 * ```
 */
export function selectMessageQueueByHash(
  mqs: readonly MessageQueue[],
  _msg: Message,
  arg: unknown,
): MessageQueue {
  return mqs[Math.abs(javaHashCode(arg) % mqs.length)];
}

/**
 * A random queue.
 *
 * @param mqs The topic's writable queues.
 * @returns One of them, chosen at random.
 * @example
 * ```ts
 * await producer.send(msg, { selector: selectMessageQueueByRandom });
 * ```
 */
export function selectMessageQueueByRandom(mqs: readonly MessageQueue[]): MessageQueue {
  return mqs[Math.floor(Math.random() * mqs.length)];
}
