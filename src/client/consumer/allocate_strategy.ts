/**
 * How a clustering consumer group splits a topic's queues among its members
 * (AllocateMessageQueueStrategy). Every member computes the split from the same sorted queue
 * and client-id lists, so they agree without talking to each other.
 */
import type { MessageQueue } from "../../remoting/body/message_queue.ts";

/**
 * Picks the queues one consumer of a group reads. Called with every queue of a topic and every
 * client id of the group, both sorted; must give each queue to exactly one client and give
 * every client the same answer for the same input.
 *
 * @example
 * ```ts
 * const firstHalf: AllocateMessageQueueStrategy = (group, me, queues, clients) =>
 *   clients.indexOf(me) === 0 ? queues.slice(0, queues.length / 2) : queues.slice(queues.length / 2);
 * ```
 */
export type AllocateMessageQueueStrategy = (
  consumerGroup: string,
  currentClientId: string,
  allQueues: readonly MessageQueue[],
  allClientIds: readonly string[],
) => MessageQueue[];

/**
 * AllocateMessageQueueAveragely, the Java default: consecutive runs of queues, the first
 * `queues % clients` clients getting one more. With more clients than queues the extra
 * clients get none.
 *
 * @param consumerGroup The group (unused; part of the strategy signature).
 * @param currentClientId The client asking.
 * @param allQueues Every queue of the topic, sorted.
 * @param allClientIds Every client id of the group, sorted.
 * @returns The queues `currentClientId` reads; empty when it is not in the list.
 * @example
 * ```ts
 * const mine = allocateMessageQueueAveragely("g1", "c2", queues, ["c1", "c2", "c3"]);
 * ```
 */
export function allocateMessageQueueAveragely(
  consumerGroup: string,
  currentClientId: string,
  allQueues: readonly MessageQueue[],
  allClientIds: readonly string[],
): MessageQueue[] {
  void consumerGroup;
  const index = allClientIds.indexOf(currentClientId);
  const n = allQueues.length;
  const c = allClientIds.length;
  if (index < 0 || n === 0) return [];
  const mod = n % c;
  const averageSize = n <= c
    ? 1
    : mod > 0 && index < mod
    ? Math.floor(n / c) + 1
    : Math.floor(n / c);
  const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod;
  const range = Math.min(averageSize, n - startIndex);
  const out: MessageQueue[] = [];
  for (let i = 0; i < range; i++) out.push(allQueues[(startIndex + i) % n]);
  return out;
}

/**
 * AllocateMessageQueueAveragelyByCircle: queue i goes to client i mod clients, so each
 * client's queues are spread over the brokers.
 *
 * @param consumerGroup The group (unused).
 * @param currentClientId The client asking.
 * @param allQueues Every queue of the topic, sorted.
 * @param allClientIds Every client id of the group, sorted.
 * @returns The queues `currentClientId` reads.
 * @example
 * ```ts
 * const consumer = new PushConsumer({
 *   namesrvAddr: "127.0.0.1:9876",
 *   consumerGroup: "g1",
 *   allocateMessageQueueStrategy: allocateMessageQueueAveragelyByCircle,
 * });
 * ```
 */
export function allocateMessageQueueAveragelyByCircle(
  consumerGroup: string,
  currentClientId: string,
  allQueues: readonly MessageQueue[],
  allClientIds: readonly string[],
): MessageQueue[] {
  void consumerGroup;
  const index = allClientIds.indexOf(currentClientId);
  if (index < 0) return [];
  const out: MessageQueue[] = [];
  for (let i = index; i < allQueues.length; i += allClientIds.length) out.push(allQueues[i]);
  return out;
}
