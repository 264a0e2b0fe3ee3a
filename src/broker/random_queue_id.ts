/**
 * Java's `Math.abs(random.nextInt() % 99999999) % n`: the queue a broker picks when a send
 * names none, and the retry or dead-letter queue a message goes to.
 */
export function randomQueueId(n: number): number {
  return Math.floor(Math.random() * 99_999_999) % n;
}
