/**
 * Retention and disk space (RocketMQ's CleanCommitLogService and CleanConsumeQueueService).
 * Every cleanResourceInterval: measure disk use; above diskSpaceWarningLevelRatio refuse puts;
 * at a deleteWhen hour, above diskMaxUsedSpaceRatio, or when asked, delete commit-log segments
 * untouched for fileReservedTime hours (above diskSpaceCleanForciblyRatio, unexpired ones too);
 * then drop the queue files and index files that point only at deleted segments.
 */
import { statfsSync } from "node:fs";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import type { CommitLog } from "./commit_log.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import type { IndexService } from "./index_service.ts";
import type { StoreConfig } from "./store_config.ts";

const log = logger("store");

/** How many passes a manual delete request (mqadmin deleteExpiredCommitLog) lasts. */
const MANUAL_DELETE_PASSES = 20;

/** Disk use of the file system holding `path`, in percent as `df` shows it; -1 if unknown. */
export function diskUsagePercent(path: string): number {
  const s = statfsSync(path);
  const used = s.blocks - s.bfree;
  const total = used + s.bavail;
  return total > 0 ? (used / total) * 100 : -1;
}

/** The file system's size and free bytes at `path` (Java's File.getTotalSpace / getFreeSpace). */
export function diskSpace(path: string): { total: number; free: number } | undefined {
  try {
    const s = statfsSync(path);
    return { total: s.blocks * s.bsize, free: s.bfree * s.bsize };
  } catch {
    return undefined;
  }
}

/** Whether the local hour is one of `deleteWhen` (`;`-separated hours, e.g. `04;16`). */
export function isTimeToDelete(deleteWhen: string, now = Date.now()): boolean {
  const hour = new Date(now).getHours();
  return deleteWhen.split(";").some((h) => h.trim() !== "" && Number(h) === hour);
}

export interface CleanServiceParts {
  config: StoreConfig;
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService | undefined;
}

export class CleanService {
  readonly #p: CleanServiceParts;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #manualDeletes = 0;
  #lastMinPhyOffset = 0;
  #statfsFailed = false;
  /** Disk use in percent at the last check (-1 when unknown). */
  diskUsage = -1;
  /** Puts are refused while this is true. */
  diskFull = false;

  constructor(parts: CleanServiceParts) {
    this.#p = parts;
  }

  start(): void {
    this.#timer = setInterval(() => this.run(), this.#p.config.cleanResourceInterval);
  }

  /** Asks for expired files to be deleted at any hour for the next passes. */
  executeDeleteFilesManually(): void {
    this.#manualDeletes = MANUAL_DELETE_PASSES;
  }

  /** Measures disk use and updates `diskFull`; returns whether deletion is due for space. */
  checkDisk(): { spaceFull: boolean; cleanImmediately: boolean } {
    const c = this.#p.config;
    try {
      this.diskUsage = diskUsagePercent(this.#p.commitLog.dir);
      this.#statfsFailed = false;
    } catch (e) {
      if (!this.#statfsFailed) {
        log.warn("Cannot measure disk use of {dir}: {error}", {
          dir: this.#p.commitLog.dir,
          error: errorMessage(e),
        });
      }
      this.#statfsFailed = true;
      this.diskUsage = -1;
    }
    const ratio = this.diskUsage;
    let cleanImmediately = false;
    if (ratio > c.diskSpaceWarningLevelRatio) {
      if (!this.diskFull) {
        log.error("Disk use {ratio}% is above {limit}%: refusing puts until space is freed", {
          ratio: ratio.toFixed(1),
          limit: c.diskSpaceWarningLevelRatio,
        });
      }
      this.diskFull = true;
      cleanImmediately = true;
    } else if (ratio > c.diskSpaceCleanForciblyRatio) {
      cleanImmediately = true;
    } else if (this.diskFull) {
      log.info("Disk use {ratio}% is back under {limit}%: accepting puts", {
        ratio: ratio.toFixed(1),
        limit: c.diskSpaceCleanForciblyRatio,
      });
      this.diskFull = false;
    }
    return { spaceFull: ratio > c.diskMaxUsedSpaceRatio, cleanImmediately };
  }

  /** One pass; returns how many commit-log segments it deleted. */
  run(now = Date.now()): number {
    const { config, commitLog, queues, index } = this.#p;
    let deleted = 0;
    try {
      const { spaceFull, cleanImmediately } = this.checkDisk();
      const timeUp = isTimeToDelete(config.deleteWhen, now);
      const manual = this.#manualDeletes > 0;
      if (timeUp || spaceFull || manual) {
        if (manual) this.#manualDeletes--;
        deleted = commitLog.deleteExpiredFiles(
          config.fileReservedTime * 3_600_000,
          config.cleanFileForciblyEnable && cleanImmediately,
          10,
          now,
        );
      }
      const minPhy = commitLog.minOffset;
      if (minPhy > this.#lastMinPhyOffset) {
        this.#lastMinPhyOffset = minPhy;
        for (const cq of [...queues.all()]) cq.deleteExpired(minPhy);
        index?.deleteExpiredFile(minPhy);
      }
    } catch (e) {
      log.error("Cleaning expired files failed: {error}", { error: errorMessage(e) });
    }
    return deleted;
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
