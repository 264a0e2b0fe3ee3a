/**
 * The store checkpoint (`checkpoint`, one 4 KiB page), in RocketMQ's format: how far each part
 * of the store was durable when it was last written. Recovery after a crash starts from the
 * newest commit-log segment whose first record is older than all three timestamps.
 *
 *   pos  size  field
 *   0    8     physicMsgTimestamp    store time of the last durable commit-log record
 *   8    8     logicsMsgTimestamp    store time of the last record with durable queue entries
 *   16   8     indexMsgTimestamp     store time of the last record with durable index entries
 *   24   8     masterFlushedOffset   (5.x) 0 here
 *   32   8     confirmPhyOffset      (5.x field) end of the records that are durable with
 *                                    their queue and index entries: where crash recovery
 *                                    starts replaying; on a clean shutdown the end of data
 *   40   4056  zero
 */
import { dataView, readInt64, writeInt64 } from "../common/bytes.ts";

export const CHECKPOINT_FILE_SIZE = 4096;

export const CheckpointPos = {
  PHYSIC_MSG_TIMESTAMP: 0,
  LOGICS_MSG_TIMESTAMP: 8,
  INDEX_MSG_TIMESTAMP: 16,
  MASTER_FLUSHED_OFFSET: 24,
  CONFIRM_PHY_OFFSET: 32,
} as const;

export interface Checkpoint {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
  masterFlushedOffset: number;
  confirmPhyOffset: number;
}

export function emptyCheckpoint(): Checkpoint {
  return {
    physicMsgTimestamp: 0,
    logicsMsgTimestamp: 0,
    indexMsgTimestamp: 0,
    masterFlushedOffset: 0,
    confirmPhyOffset: 0,
  };
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const out = new Uint8Array(CHECKPOINT_FILE_SIZE);
  const v = dataView(out);
  writeInt64(v, CheckpointPos.PHYSIC_MSG_TIMESTAMP, c.physicMsgTimestamp);
  writeInt64(v, CheckpointPos.LOGICS_MSG_TIMESTAMP, c.logicsMsgTimestamp);
  writeInt64(v, CheckpointPos.INDEX_MSG_TIMESTAMP, c.indexMsgTimestamp);
  writeInt64(v, CheckpointPos.MASTER_FLUSHED_OFFSET, c.masterFlushedOffset);
  writeInt64(v, CheckpointPos.CONFIRM_PHY_OFFSET, c.confirmPhyOffset);
  return out;
}

/** Decodes a checkpoint; fields past the end of a short (4.x-sized) file read as 0. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const v = dataView(bytes);
  const at = (pos: number) => bytes.length >= pos + 8 ? readInt64(v, pos) : 0;
  return {
    physicMsgTimestamp: at(CheckpointPos.PHYSIC_MSG_TIMESTAMP),
    logicsMsgTimestamp: at(CheckpointPos.LOGICS_MSG_TIMESTAMP),
    indexMsgTimestamp: at(CheckpointPos.INDEX_MSG_TIMESTAMP),
    masterFlushedOffset: at(CheckpointPos.MASTER_FLUSHED_OFFSET),
    confirmPhyOffset: at(CheckpointPos.CONFIRM_PHY_OFFSET),
  };
}

/**
 * The store time recovery may trust: the older of the commit-log and queue timestamps (and the
 * index one when `withIndex`), less 3 s as RocketMQ allows for clock jitter; never negative.
 */
export function checkpointMinTimestamp(c: Checkpoint, withIndex: boolean): number {
  let min = Math.min(c.physicMsgTimestamp, c.logicsMsgTimestamp) - 3000;
  if (withIndex) min = Math.min(min, c.indexMsgTimestamp);
  return Math.max(0, min);
}

/** The checkpoint file: read once at start, rewritten and synced by the flush service. */
export class CheckpointFile {
  readonly path: string;
  value: Checkpoint;
  #fd: Deno.FsFile | undefined;

  private constructor(path: string, value: Checkpoint) {
    this.path = path;
    this.value = value;
  }

  static load(path: string): CheckpointFile {
    try {
      return new CheckpointFile(path, decodeCheckpoint(Deno.readFileSync(path)));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      return new CheckpointFile(path, emptyCheckpoint());
    }
  }

  #handle(): Deno.FsFile {
    this.#fd ??= Deno.openSync(this.path, { read: true, write: true, create: true });
    return this.#fd;
  }

  /** Writes the current value in place and waits until it is durable. */
  async write(): Promise<void> {
    const fd = this.#handle();
    const bytes = encodeCheckpoint(this.value);
    fd.seekSync(0, Deno.SeekMode.Start);
    let n = 0;
    while (n < bytes.length) n += fd.writeSync(bytes.subarray(n));
    await fd.syncData();
  }

  close(): void {
    this.#fd?.close();
    this.#fd = undefined;
  }
}
