/**
 * Transactional messages on a master (RocketMQ 4.9's TransactionalMessageServiceImpl and its
 * check service): half messages stored in place of the real ones, END_TRANSACTION committing
 * (the real message stored) or rolling back (nothing stored), an op record marking each
 * resolved half message, and every transactionCheckInterval a pass over the half queue that
 * asks the producer group about each half message still unresolved after transactionTimeOut.
 *
 * The pass keeps RocketMQ's bookkeeping, so Java brokers and rmq read each other's stores: the
 * half and op queues' progress are the offsets of group CID_RMQ_SYS_TRANS; a half message to
 * check is first stored again at the end of the half queue with TRANSACTION_CHECK_TIMES
 * counted up, and the producer is asked about that copy; after transactionCheckMax checks (or
 * once older than the store keeps files) it goes to TRANS_CHECK_MAX_TIME_TOPIC instead. Unlike
 * Java's, which reads the op queue 32 records at a time, a pass reads every op record pending,
 * so "no op record yet" means the producer has not answered.
 */
import { decodeMessageRecord, type MessageRecord } from "../../common/message/message_codec.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { getProperty } from "../../common/message/properties.ts";
import type { SocketAddress } from "../../common/message/socket_address.ts";
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import { PermName } from "../../remoting/body/topic_config.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  GetStatus,
  type MessageInput,
  type MessageStore,
  type PutResult,
  PutStatus,
} from "../../store/message_store.ts";
import { checkProducerTransactionState } from "../broker_to_client.ts";
import type { ConsumerOffsetManager } from "../consumer_offset_manager.ts";
import type { ProducerManager } from "../producer_manager.ts";
import type { TopicConfigManager } from "../topic_config_manager.ts";
import { SystemTopic } from "../topic_validator.ts";
import {
  checkStateBody,
  checkTimes,
  committedMessage,
  discardedHalf,
  opMessage,
  opTarget,
  realDestination,
  renewedHalf,
  toHalfMessage,
  TRANS_SYS_GROUP,
} from "./half_message.ts";

const log = logger("broker");

/** A pass stops after this long (TransactionalMessageServiceImpl.MAX_PROCESS_TIME_LIMIT). */
const MAX_PASS_MS = 60_000;
/** Op records read per pass at most; the rest are read by the next. */
const MAX_OPS_PER_PASS = 50_000;
const OPS_PER_READ = 32;

/** The settings the service reads (live: UPDATE_BROKER_CONFIG may change them). */
export interface TransactionSettings {
  transactionTimeOut: number;
  transactionCheckMax: number;
  transactionCheckInterval: number;
  /** Hours the store keeps files: older half messages are given up on. */
  fileReservedTime: number;
}

/** END_TRANSACTION's header, decoded. */
export interface EndTransaction {
  producerGroup: string;
  tranStateTableOffset: number;
  commitLogOffset: number;
  commitOrRollback: number;
  fromTransactionCheck?: boolean;
}

export const TransactionKind = { COMMIT: 0x8, ROLLBACK: 0xc, UNKNOWN: 0x0 } as const;

export class TransactionalMessageService {
  readonly #store: MessageStore;
  readonly #topics: TopicConfigManager;
  readonly #offsets: ConsumerOffsetManager;
  readonly #producers: ProducerManager;
  readonly #settings: () => TransactionSettings;
  readonly #host: () => SocketAddress;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pass: Promise<void> | undefined;
  #stopped = true;
  /** Check requests sent, for tests and runtime info. */
  checksSent = 0;

  constructor(
    store: MessageStore,
    topics: TopicConfigManager,
    offsets: ConsumerOffsetManager,
    producers: ProducerManager,
    settings: () => TransactionSettings,
    host: () => SocketAddress,
  ) {
    this.#store = store;
    this.#topics = topics;
    this.#offsets = offsets;
    this.#producers = producers;
    this.#settings = settings;
    this.#host = host;
  }

  /** Stores a producer's transactional message as its half message. */
  prepare(msg: MessageInput): Promise<PutResult> {
    return this.#store.putMessage(toHalfMessage(msg));
  }

  /**
   * END_TRANSACTION: checks the half message the producer names (its producer group, half
   * queue offset and commit-log offset must all match), then commits or rolls it back. Null for
   * "unknown": no answer, the check will ask again.
   */
  /**
   * `mayPublish` (from the ACL, when on) names why the caller may not publish to the half
   * message's topic, or undefined when it may.
   */
  async end(
    h: EndTransaction,
    mayPublish?: (topic: string) => string | undefined,
  ): Promise<{ code: number; remark?: string } | null> {
    if (
      h.commitOrRollback !== TransactionKind.COMMIT &&
      h.commitOrRollback !== TransactionKind.ROLLBACK
    ) {
      return null;
    }
    const raw = await this.#store.lookMessageByOffset(h.commitLogOffset);
    const half = raw && decodeMessageRecord(raw);
    const dest = half && half.topic === SystemTopic.TRANS_HALF ? realDestination(half) : undefined;
    if (!half || !dest) {
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: "Find prepared transaction message failed",
      };
    }
    const refused = mayPublish?.(dest.topic);
    if (refused !== undefined) return { code: ResponseCode.SYSTEM_ERROR, remark: refused };
    if (getProperty(half.properties, MessageConst.PGROUP) !== h.producerGroup) {
      return { code: ResponseCode.SYSTEM_ERROR, remark: "The producer group wrong" };
    }
    if (half.queueOffset !== h.tranStateTableOffset) {
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: "The transaction state table offset wrong",
      };
    }
    if (half.physicalOffset !== h.commitLogOffset) {
      return { code: ResponseCode.SYSTEM_ERROR, remark: "The commit log offset wrong" };
    }
    if (h.commitOrRollback === TransactionKind.COMMIT) {
      const r = await this.#store.putMessage(committedMessage(half, h.commitLogOffset));
      if (!isStored(r.status)) {
        return {
          code: r.status === PutStatus.SERVICE_NOT_AVAILABLE
            ? ResponseCode.SERVICE_NOT_AVAILABLE
            : ResponseCode.SYSTEM_ERROR,
          remark: `cannot store the committed message: ${r.status} ${r.remark ?? ""}`.trim(),
        };
      }
    }
    await this.#resolved(half);
    return { code: ResponseCode.SUCCESS };
  }

  /** Writes the op record that marks `half` resolved. */
  async #resolved(half: MessageRecord): Promise<void> {
    this.#topics.createTopicInSendMessageBackMethod(
      SystemTopic.TRANS_OP_HALF,
      1,
      PermName.PERM_READ | PermName.PERM_WRITE,
      0,
    );
    const r = await this.#store.putMessage(opMessage(half.queueId, half.queueOffset, this.#host()));
    if (!isStored(r.status)) {
      log.error("Cannot mark half message {offset} resolved: {status}; it will be checked again", {
        offset: half.queueOffset,
        status: r.status,
      });
    }
  }

  /** Runs a check pass every transactionCheckInterval (masters only). */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#pass = this.check().finally(() => {
        this.#pass = undefined;
        this.#schedule();
      });
    }, this.#settings().transactionCheckInterval);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass;
  }

  /** One pass over every half queue; never rejects. */
  async check(): Promise<void> {
    const tc = this.#topics.get(SystemTopic.TRANS_HALF);
    const queues = tc ? tc.readQueueNums : 1;
    for (let q = 0; q < queues; q++) {
      try {
        await this.#checkQueue(q);
      } catch (e) {
        log.error("Transaction check of half queue {q} failed: {error}", {
          q,
          error: errorMessage(e),
        });
      }
    }
  }

  async #checkQueue(q: number): Promise<void> {
    const store = this.#store;
    const s = this.#settings();
    const start = Date.now();
    const halfMax = store.getMaxOffsetInQueue(SystemTopic.TRANS_HALF, q);
    const halfOffset = this.#progress(SystemTopic.TRANS_HALF, q);
    if (halfOffset >= halfMax) return;
    const opOffset = this.#progress(SystemTopic.TRANS_OP_HALF, q);
    // Half queue offset → op queue offset of the record that resolved it.
    const resolved = new Map<number, number>();
    const doneOps: number[] = [];
    await this.#readOps(q, opOffset, halfOffset, resolved, doneOps);

    let i = halfOffset;
    let next = halfOffset;
    while (i < halfMax && Date.now() - start < MAX_PASS_MS) {
      const op = resolved.get(i);
      if (op !== undefined) {
        resolved.delete(i);
        doneOps.push(op);
        next = ++i;
        continue;
      }
      const got = await store.getMessage(TRANS_SYS_GROUP, SystemTopic.TRANS_HALF, q, i, 1);
      if (got.status !== GetStatus.FOUND || got.messages.length === 0) {
        if (got.nextBeginOffset <= i) break;
        next = i = got.nextBeginOffset; // A gap filler, or deleted: nothing to check there.
        continue;
      }
      const half = decodeMessageRecord(got.messages[0]);
      const age = Date.now() - half.bornTimestamp;
      if (
        checkTimes(half) >= s.transactionCheckMax || age > s.fileReservedTime * 3_600_000
      ) {
        await this.#discard(half);
        next = ++i;
        continue;
      }
      if (half.storeTimestamp >= start) break; // Stored during this pass: the next one.
      const immunityText = getProperty(
        half.properties,
        MessageConst.CHECK_IMMUNITY_TIME_IN_SECONDS,
      );
      const immunity = immunityTime(immunityText, s.transactionTimeOut);
      if (immunityText !== undefined && age < immunity) {
        // Its own immunity: step over it (stored again to wait at the end of the queue).
        const first = Number(
          getProperty(half.properties, MessageConst.TRAN_PREPARED_QUEUE_OFFSET) ?? NaN,
        );
        const firstOp = resolved.get(first);
        if (firstOp !== undefined) {
          resolved.delete(first);
          doneOps.push(firstOp);
        } else if (
          !isStored(
            (await store.putMessage(
              renewedHalf(half, {
                checked: false,
                preparedQueueOffset: Number.isNaN(first) ? i : first,
              }),
            )).status,
          )
        ) break;
        next = ++i;
        continue;
      }
      if (immunityText === undefined && age >= 0 && age < immunity) break; // Too young yet.
      const renewed = renewedHalf(half, { checked: true });
      const copy = await store.putMessage(renewed);
      if (!isStored(copy.status) || !copy.append) break;
      const a = copy.append;
      this.#askProducer(
        { ...half, properties: renewed.properties },
        a.queueOffset,
        a.wroteOffset,
        a.msgId,
      );
      next = ++i;
    }
    if (next !== halfOffset) this.#commit(SystemTopic.TRANS_HALF, q, next);
    const nextOp = contiguousEnd(opOffset, doneOps);
    if (nextOp !== opOffset) this.#commit(SystemTopic.TRANS_OP_HALF, q, nextOp);
  }

  /** Reads op records from `from`: resolved half offsets at or past `halfOffset`, done ones. */
  async #readOps(
    q: number,
    from: number,
    halfOffset: number,
    resolved: Map<number, number>,
    doneOps: number[],
  ): Promise<void> {
    const max = this.#store.getMaxOffsetInQueue(SystemTopic.TRANS_OP_HALF, q);
    let offset = from;
    while (offset < max && offset - from < MAX_OPS_PER_PASS) {
      const r = await this.#store.getMessage(
        TRANS_SYS_GROUP,
        SystemTopic.TRANS_OP_HALF,
        q,
        offset,
        OPS_PER_READ,
      );
      if (r.status !== GetStatus.FOUND) {
        if (r.nextBeginOffset <= offset) break;
        offset = r.nextBeginOffset;
        continue;
      }
      for (const bytes of r.messages) {
        const op = decodeMessageRecord(bytes, 0, false);
        const target = opTarget(op);
        if (target === undefined || target < halfOffset) doneOps.push(op.queueOffset);
        else resolved.set(target, op.queueOffset);
      }
      offset = r.nextBeginOffset;
    }
  }

  /** CHECK_TRANSACTION_STATE to one live connection of the half message's producer group. */
  #askProducer(
    half: MessageRecord,
    queueOffset: number,
    commitLogOffset: number,
    offsetMsgId: string,
  ) {
    const group = getProperty(half.properties, MessageConst.PGROUP) ?? "";
    const channel = this.#producers.availableChannel(group);
    if (!channel) {
      log.warn("Cannot check transaction of {msgId}: no producer of group {group} is connected", {
        msgId: getProperty(half.properties, MessageConst.UNIQ_KEY) ?? offsetMsgId,
        group,
      });
      return;
    }
    const uniq = getProperty(half.properties, MessageConst.UNIQ_KEY) ?? offsetMsgId;
    this.checksSent++;
    checkProducerTransactionState(channel, {
      tranStateTableOffset: queueOffset,
      commitLogOffset,
      msgId: uniq,
      transactionId: uniq,
      offsetMsgId,
    }, checkStateBody(half, queueOffset, commitLogOffset));
  }

  async #discard(half: MessageRecord): Promise<void> {
    this.#topics.createTopicInSendMessageBackMethod(
      SystemTopic.TRANS_CHECK_MAX_TIME,
      1,
      PermName.PERM_READ | PermName.PERM_WRITE,
      0,
    );
    const r = await this.#store.putMessage(discardedHalf(half));
    log.warn("Gave up on transaction {msgId} of group {group} after {checks} checks: {status}", {
      msgId: getProperty(half.properties, MessageConst.UNIQ_KEY) ?? "",
      group: getProperty(half.properties, MessageConst.PGROUP) ?? "",
      checks: checkTimes(half),
      status: r.status,
    });
  }

  /** Where the pass resumes in a queue: the group's offset, else the queue's first. */
  #progress(topic: string, q: number): number {
    const o = this.#offsets.queryOffset(TRANS_SYS_GROUP, topic, q);
    return o >= 0 ? o : this.#store.getMinOffsetInQueue(topic, q);
  }

  #commit(topic: string, q: number, offset: number): void {
    this.#offsets.commitOffset("broker", TRANS_SYS_GROUP, topic, q, offset);
  }
}

function isStored(status: string): boolean {
  return status === PutStatus.PUT_OK || status === PutStatus.FLUSH_DISK_TIMEOUT ||
    status === PutStatus.FLUSH_SLAVE_TIMEOUT || status === PutStatus.SLAVE_NOT_AVAILABLE;
}

/** CHECK_IMMUNITY_TIME_IN_SECONDS in ms (-1 or absent: transactionTimeOut). */
function immunityTime(text: string | undefined, timeoutMs: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n === -1) return timeoutMs;
  return n * 1000;
}

/** The first op offset from `from` not among `done` (calculateOpOffset). */
export function contiguousEnd(from: number, done: readonly number[]): number {
  const set = new Set(done);
  let end = from;
  while (set.has(end)) end++;
  return end;
}
