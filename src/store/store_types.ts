/** Types of the store's public API (re-exported by message_store.ts). */
import type { SocketAddress } from "../common/message/socket_address.ts";
import type { PutStatus } from "./put_status.ts";
import type { GetStatus } from "./get_status.ts";

export type { GetStatus, PutStatus };

/** A message to store: MessageExtBrokerInner minus what the store assigns. */
export interface MessageInput {
  topic: string;
  queueId: number;
  flag: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: SocketAddress;
  storeHost: SocketAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Uint8Array;
  /** Raw property string (properties.ts), WAIT already stripped by the broker. */
  properties: string;
  /** Normally assigned by the store. */
  storeTimestamp?: number;
  /**
   * The producer's WAIT property (default true). Under SYNC_FLUSH a put with `false` resolves
   * once its bytes are handed to the OS instead of waiting for them to be durable.
   */
  waitStoreMsgOK?: boolean;
}

export interface AppendMessageResult {
  /** Commit-log offset of the (first) record. */
  wroteOffset: number;
  /** Bytes of all records. */
  wroteBytes: number;
  /** offsetMsgId; comma-joined for a batch. */
  msgId: string;
  /** Queue offset of the (first) message. */
  queueOffset: number;
  storeTimestamp: number;
  msgNum: number;
}

export interface PutResult {
  status: PutStatus;
  /** Why a put was refused, for a log line or a response remark. */
  remark?: string;
  /** Present whenever the records were appended (PUT_OK, FLUSH_DISK_TIMEOUT, UNKNOWN_ERROR). */
  append?: AppendMessageResult;
}

export interface GetResult {
  status: GetStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Raw stored records, each a view into `body`. */
  messages: Uint8Array[];
  /** All records back to back: a pull response body as it is. */
  body: Uint8Array;
  bufferTotalSize: number;
  messageCount: number;
  suggestPullingFromSlave: boolean;
}

export interface MessageFilter {
  /** Decides on the consume-queue tags code alone. */
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  /** Optional second look at the whole record (SQL92 filters). */
  isMatchedByCommitLog?(record: Uint8Array): boolean;
}

export interface QueryResult {
  /** Raw stored records, oldest first. */
  messages: Uint8Array[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/** One consume-queue entry. */
export interface QueueEntry {
  /** Logical offset in the queue. */
  offset: number;
  commitLogOffset: number;
  size: number;
  tagsCode: number;
}

/** Messages per second over the last 10 s, 1 min and 10 min (undefined until that much ran). */
export type Tps = readonly [number | undefined, number | undefined, number | undefined];

export interface StoreStats {
  putMessageTimesTotal: number;
  putMessageSizeTotal: number;
  putMessageFailedTimes: number;
  getMessageTimesTotalFound: number;
  getMessageTimesTotalMiss: number;
  getMessageTransferedMsgCount: number;
  /** Commit-log syncs (SYNC_FLUSH: putMessageTimesTotal / this = puts sharing one sync). */
  commitLogSyncTimes: number;
  /** Longest put and read so far, ms. */
  putMessageEntireTimeMax: number;
  getMessageEntireTimeMax: number;
  /** Put latencies over the last minute by bucket, as Java prints them. */
  putMessageDistributeTime: string;
  putTps: Tps;
  getFoundTps: Tps;
  getMissTps: Tps;
  getTotalTps: Tps;
  /** Messages handed to readers per second. */
  getTransferedTps: Tps;
}
