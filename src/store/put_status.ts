/** Outcome of a put (RocketMQ's PutMessageStatus); the broker turns it into a response code. */
export const PutStatus = {
  PUT_OK: "PUT_OK",
  /** SYNC_FLUSH: stored, but not durable within syncFlushTimeout. */
  FLUSH_DISK_TIMEOUT: "FLUSH_DISK_TIMEOUT",
  FLUSH_SLAVE_TIMEOUT: "FLUSH_SLAVE_TIMEOUT",
  SLAVE_NOT_AVAILABLE: "SLAVE_NOT_AVAILABLE",
  /** Store closed, disk full or the commit log cannot be written. */
  SERVICE_NOT_AVAILABLE: "SERVICE_NOT_AVAILABLE",
  CREATE_MAPEDFILE_FAILED: "CREATE_MAPEDFILE_FAILED",
  /** Body larger than maxMessageSize, topic longer than 127 bytes, bad batch. */
  MESSAGE_ILLEGAL: "MESSAGE_ILLEGAL",
  PROPERTIES_SIZE_EXCEEDED: "PROPERTIES_SIZE_EXCEEDED",
  /** Too many bytes waiting to be written (maxPendingWriteBytes): the broker says SYSTEM_BUSY. */
  OS_PAGECACHE_BUSY: "OS_PAGECACHE_BUSY",
  /** The write failed after the message was accepted; it may or may not be stored. */
  UNKNOWN_ERROR: "UNKNOWN_ERROR",
} as const;
export type PutStatus = (typeof PutStatus)[keyof typeof PutStatus];
