/**
 * A slave's dispatch (RocketMQ's ReputMessageService): the commit log arrives from the master
 * as raw bytes, so the records in it are found by reading the log back once each chunk is
 * written, and their consume-queue and index entries are built from them exactly as the
 * master built its own (queue offsets are the ones in the records).
 */
import { dataView } from "../../common/bytes.ts";
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import {
  BLANK_MAGIC,
  decodeMessageRecord,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  MIN_RECORD_SIZE,
  RecordPos,
} from "../../common/message/message_codec.ts";
import type { CommitLog } from "../commit_log.ts";
import { type Dispatcher, tagsCodeOf } from "../dispatch.ts";

const log = logger("store");

const HEAD = RecordPos.MAGIC + 4;

export class ReputService {
  readonly #log: CommitLog;
  readonly #dispatcher: Dispatcher;
  readonly #delayLevels: readonly number[];
  #pos: number;
  readonly #head = new Uint8Array(HEAD);
  #buf = new Uint8Array(64 * 1024);
  /** Why dispatch stopped for good (the replicated bytes are not records where expected). */
  #broken: string | undefined;

  /** Dispatches from `from`: the end of what recovery dispatched. */
  constructor(
    log: CommitLog,
    dispatcher: Dispatcher,
    delayLevels: readonly number[],
    from: number,
  ) {
    this.#log = log;
    this.#dispatcher = dispatcher;
    this.#delayLevels = delayLevels;
    this.#pos = from;
  }

  /** Where the next record to dispatch starts. */
  get position(): number {
    return this.#pos;
  }

  /** Queues every whole record below `end` for dispatch (then Dispatcher.dispatchUpTo). */
  queueUpTo(end: number): void {
    if (this.#broken) return;
    const cl = this.#log;
    // A new slave starts at the master's last segment, not at 0.
    if (this.#pos < cl.minOffset) this.#pos = cl.minOffset;
    while (this.#pos + HEAD <= end) {
      const pos = this.#pos;
      if (!cl.read(pos, HEAD, this.#head)) break;
      const v = dataView(this.#head);
      const size = v.getInt32(RecordPos.TOTAL_SIZE);
      const magic = v.getInt32(RecordPos.MAGIC);
      if (magic === BLANK_MAGIC) {
        this.#pos = pos - (pos % cl.segmentSize) + cl.segmentSize;
        continue;
      }
      if (
        (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) || size < MIN_RECORD_SIZE ||
        size > cl.segmentSize
      ) {
        this.#stop(pos, `no record there (size ${size}, magic ${magic})`);
        return;
      }
      if (pos + size > end) break;
      if (this.#buf.length < size) this.#buf = new Uint8Array(size);
      const bytes = this.#buf.subarray(0, size);
      if (!cl.read(pos, size, bytes)) break;
      let rec;
      try {
        rec = decodeMessageRecord(bytes, 0, false);
      } catch (e) {
        this.#stop(pos, errorMessage(e));
        return;
      }
      if (rec.physicalOffset !== pos) {
        this.#stop(pos, `the record says it is at ${rec.physicalOffset}`);
        return;
      }
      this.#dispatcher.enqueue({
        topic: rec.topic,
        queueId: rec.queueId,
        commitLogOffset: pos,
        msgSize: size,
        tagsCode: tagsCodeOf(rec.topic, rec.properties, rec.storeTimestamp, this.#delayLevels),
        storeTimestamp: rec.storeTimestamp,
        consumeQueueOffset: rec.queueOffset,
        sysFlag: rec.sysFlag,
        properties: rec.properties,
      });
      this.#pos = pos + size;
    }
  }

  #stop(pos: number, why: string): void {
    this.#broken = why;
    log.error(
      "Replicated commit log at {pos} cannot be dispatched ({why}); consume queues stop here. " +
        "Is mappedFileSizeCommitLog the master's?",
      { pos, why },
    );
  }
}
