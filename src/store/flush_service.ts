/**
 * Makes consume queues, the index and the checkpoint durable in the background (RocketMQ's
 * FlushConsumeQueueService). Every flushIntervalConsumeQueue it syncs queue files with at least
 * flushConsumeQueueLeastPages dirty pages; every flushConsumeQueueThoroughInterval, when the
 * store opens, whenever the commit log starts a new segment, and at close, it syncs
 * everything, writes the index's slots and header, and then the checkpoint. So crash recovery
 * replays at most the last segment or two, and never more than the thorough interval's worth.
 * The checkpoint's timestamps are taken before the syncs they vouch for.
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import type { CheckpointFile } from "./checkpoint.ts";
import type { CommitLog } from "./commit_log.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import type { Dispatcher } from "./dispatch.ts";
import type { IndexService } from "./index_service.ts";
import type { AtomicFile } from "../common/atomic_file.ts";
import { encodeQueueTable, snapshotQueues } from "./queue_table_file.ts";
import type { StoreConfig } from "./store_config.ts";

const log = logger("store");

export interface FlushServiceParts {
  config: StoreConfig;
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService | undefined;
  dispatcher: Dispatcher;
  checkpoint: CheckpointFile;
  /** Each queue's ends, written with every checkpoint (queue_table_file.ts). */
  queueTable: AtomicFile;
}

export class FlushService {
  readonly #p: FlushServiceParts;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #lastThorough = Date.now();
  #thoroughAsked = false;
  #closed = false;

  constructor(parts: FlushServiceParts) {
    this.#p = parts;
  }

  start(): void {
    this.#timer = setInterval(() => this.#kick(), this.#p.config.flushIntervalConsumeQueue);
  }

  /**
   * Writes the checkpoint soon (after a thorough flush); resolves once one that started after
   * this call is done.
   */
  async checkpointSoon(): Promise<void> {
    // After close the final flush has written the checkpoint already.
    if (this.#closed) return;
    this.#thoroughAsked = true;
    while (this.#thoroughAsked && !this.#closed) {
      this.#kick();
      await this.#running;
    }
  }

  #kick(): void {
    if (this.#running || this.#closed) return;
    this.#running = this.#tick().finally(() => this.#running = undefined);
  }

  async #tick(): Promise<void> {
    const now = Date.now();
    const thorough = this.#thoroughAsked ||
      now - this.#lastThorough >= this.#p.config.flushConsumeQueueThoroughInterval;
    if (thorough) {
      this.#lastThorough = now;
      this.#thoroughAsked = false;
    }
    await this.flushAll(thorough);
  }

  /** Syncs queue files (all of them when `thorough`, then index and checkpoint too). */
  async flushAll(thorough: boolean): Promise<void> {
    const { queues, index, dispatcher, commitLog, checkpoint, config } = this.#p;
    try {
      // Taken before the syncs: everything dispatched by now is durable once they are done.
      const logicsTimestamp = dispatcher.lastTimestamp;
      const dispatched = dispatcher.dispatchedOffset;
      const table = thorough ? snapshotQueues(queues) : undefined;
      const leastPages = thorough ? 0 : config.flushConsumeQueueLeastPages;
      for (const cq of [...queues.all()]) await cq.flush(leastPages);
      if (!thorough) return;
      // The index holds every key of every dispatched record once flushed, so it vouches for
      // the same time as the queues (its files' end time stays put while no message has keys).
      if (index) await index.flush();
      await this.#p.queueTable.write(encodeQueueTable(table!));
      const c = checkpoint.value;
      if (commitLog.flushedTimestamp > 0) c.physicMsgTimestamp = commitLog.flushedTimestamp;
      if (logicsTimestamp > 0) c.logicsMsgTimestamp = c.indexMsgTimestamp = logicsTimestamp;
      c.confirmPhyOffset = Math.min(dispatched, commitLog.flushedOffset);
      await checkpoint.write();
    } catch (e) {
      log.error("Flushing queues and checkpoint failed: {error}", { error: errorMessage(e) });
    }
  }

  /** Stops the timer and makes everything durable one last time. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#thoroughAsked = false;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.flushAll(true);
  }
}
