/** Outcome of a read from a queue (RocketMQ's GetMessageStatus). */
export const GetStatus = {
  FOUND: "FOUND",
  /** Entries were scanned but the filter matched none of them. */
  NO_MATCHED_MESSAGE: "NO_MATCHED_MESSAGE",
  /** The commit log under the entries was already deleted. */
  MESSAGE_WAS_REMOVING: "MESSAGE_WAS_REMOVING",
  /** The consume-queue file holding the offset is missing. */
  OFFSET_FOUND_NULL: "OFFSET_FOUND_NULL",
  OFFSET_OVERFLOW_BADLY: "OFFSET_OVERFLOW_BADLY",
  /** The offset is the queue's max offset: nothing new yet (long-poll). */
  OFFSET_OVERFLOW_ONE: "OFFSET_OVERFLOW_ONE",
  OFFSET_TOO_SMALL: "OFFSET_TOO_SMALL",
  /** No such queue. */
  NO_MATCHED_LOGIC_QUEUE: "NO_MATCHED_LOGIC_QUEUE",
  NO_MESSAGE_IN_QUEUE: "NO_MESSAGE_IN_QUEUE",
} as const;
export type GetStatus = (typeof GetStatus)[keyof typeof GetStatus];
