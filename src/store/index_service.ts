/**
 * The message-key index across index files: builds it from dispatched records (keys
 * `topic#UNIQ_KEY` and `topic#k` for each space-separated KEYS entry; ROLLBACK records are not
 * indexed) and answers key look-ups within a time range, newest file first.
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty } from "../common/message/properties.ts";
import { MessageSysFlag, transactionType } from "../common/message/sys_flag.ts";
import type { FileHandles } from "./file_handles.ts";
import { IndexFile, indexFileName } from "./index_file.ts";

const log = logger("store");

/** What indexing needs from a record. */
export interface IndexRequest {
  topic: string;
  properties: string;
  commitLogOffset: number;
  storeTimestamp: number;
  sysFlag: number;
}

export interface QueryOffsetResult {
  phyOffsets: number[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

export class IndexService {
  readonly dir: string;
  readonly #slotNum: number;
  readonly #indexNum: number;
  readonly #maxMsgsNumBatch: number;
  readonly #handles: FileHandles;
  #files: IndexFile[] = [];
  readonly #unsynced = new Set<IndexFile>();
  /** Records below this commit-log offset are already indexed. */
  #indexedUpTo = 0;
  lastPutAt = 0;

  constructor(
    dir: string,
    slotNum: number,
    indexNum: number,
    maxMsgsNumBatch: number,
    handles: FileHandles,
  ) {
    this.dir = dir;
    this.#slotNum = slotNum;
    this.#indexNum = indexNum;
    this.#maxMsgsNumBatch = maxMsgsNumBatch;
    this.#handles = handles;
  }

  get files(): readonly IndexFile[] {
    return this.#files;
  }

  /**
   * Opens the index files. After a crash the newest file's slot table is rebuilt from its
   * entries before it is written again.
   */
  load(lastExitOK: boolean): void {
    Deno.mkdirSync(this.dir, { recursive: true });
    const names = [...Deno.readDirSync(this.dir)]
      .filter((e) => e.isFile && /^\d{17}$/.test(e.name))
      .map((e) => e.name)
      .sort();
    this.#files = names.map((n) =>
      IndexFile.open(`${this.dir}/${n}`, this.#slotNum, this.#indexNum, this.#handles)
    );
    for (const f of this.#files) {
      this.#indexedUpTo = Math.max(this.#indexedUpTo, f.header.endPhyOffset);
    }
    const last = this.#files[this.#files.length - 1];
    if (!lastExitOK && last && !last.isWriteFull) last.markRebuild();
  }

  /** Indexes one record's keys. Errors are logged: the index is an aid, never a reason to fail. */
  buildIndex(req: IndexRequest): void {
    if (transactionType(req.sysFlag) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) return;
    if (req.commitLogOffset < this.#indexedUpTo) return;
    const uniq = getProperty(req.properties, MessageConst.UNIQ_KEY);
    const keys = getProperty(req.properties, MessageConst.KEYS);
    if (!uniq && !keys) return;
    try {
      if (uniq) this.#putKey(`${req.topic}#${uniq}`, req);
      if (keys) {
        for (const k of keys.split(" ")) if (k.length > 0) this.#putKey(`${req.topic}#${k}`, req);
      }
    } catch (e) {
      log.error("Cannot index message at {offset}: {error}", {
        offset: req.commitLogOffset,
        error: errorMessage(e),
      });
    }
    this.#indexedUpTo = req.commitLogOffset;
  }

  #putKey(key: string, req: IndexRequest): void {
    let f = this.#writable();
    if (!f.putKey(key, req.commitLogOffset, req.storeTimestamp)) {
      f = this.#roll(f);
      f.putKey(key, req.commitLogOffset, req.storeTimestamp);
    }
    this.#unsynced.add(f);
    this.lastPutAt = Date.now();
  }

  #writable(): IndexFile {
    const last = this.#files[this.#files.length - 1];
    if (last && !last.isWriteFull) return last;
    return this.#roll(last);
  }

  /** Finishes the full file (everything written) and starts a new one after it. */
  #roll(full: IndexFile | undefined): IndexFile {
    if (full) {
      full.releaseSlots();
      this.#unsynced.add(full);
    }
    let t = Date.now();
    const taken = new Set(this.#files.map((f) => f.path));
    while (taken.has(`${this.dir}/${indexFileName(t)}`)) t++;
    const f = IndexFile.create(
      `${this.dir}/${indexFileName(t)}`,
      this.#slotNum,
      this.#indexNum,
      full?.header.endPhyOffset ?? 0,
      full?.header.endTimestamp ?? 0,
      this.#handles,
    );
    this.#files.push(f);
    log.info("Created index file {path}", { path: f.path });
    return f;
  }

  /** Writes entries buffered during a dispatch pass. */
  writePending(): void {
    const last = this.#files[this.#files.length - 1];
    if (!last) return;
    try {
      last.writePending();
    } catch (e) {
      log.error("Cannot write index file {path}: {error}", {
        path: last.path,
        error: errorMessage(e),
      });
    }
  }

  /**
   * Offsets of records stored under `topic#key` between `begin` and `end` (ms), newest file
   * first, at most min(maxNum, maxMsgsNumBatch).
   */
  queryOffset(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): QueryOffsetResult {
    const out: number[] = [];
    const limit = Math.min(maxNum, this.#maxMsgsNumBatch);
    const full = `${topic}#${key}`;
    let lastTimestamp = 0;
    let lastPhyOffset = 0;
    for (let i = this.#files.length - 1; i >= 0; i--) {
      const f = this.#files[i];
      if (i === this.#files.length - 1) {
        lastTimestamp = f.header.endTimestamp;
        lastPhyOffset = f.header.endPhyOffset;
      }
      try {
        if (f.isTimeMatched(begin, end)) f.selectPhyOffsets(out, full, limit, begin, end);
      } catch (e) {
        log.error("Cannot read index file {path}: {error}", {
          path: f.path,
          error: errorMessage(e),
        });
      }
      if (f.header.beginTimestamp < begin || out.length >= limit) break;
    }
    return {
      phyOffsets: out,
      indexLastUpdateTimestamp: lastTimestamp,
      indexLastUpdatePhyoffset: lastPhyOffset,
    };
  }

  /** Writes everything and syncs; returns the newest indexed store time (for the checkpoint). */
  async flush(): Promise<number> {
    const last = this.#files[this.#files.length - 1];
    if (last) {
      last.writeAll();
      this.#unsynced.add(last);
    }
    const files = [...this.#unsynced];
    this.#unsynced.clear();
    for (const f of files) {
      try {
        await f.sync();
      } catch (e) {
        log.error("Cannot sync index file {path}: {error}", {
          path: f.path,
          error: errorMessage(e),
        });
      }
    }
    return last?.header.endTimestamp ?? 0;
  }

  /** Deletes index files (never the newest) whose entries all point below `minPhyOffset`. */
  deleteExpiredFile(minPhyOffset: number): number {
    let deleted = 0;
    while (this.#files.length > 1 && this.#files[0].header.endPhyOffset < minPhyOffset) {
      const f = this.#files.shift()!;
      this.#unsynced.delete(f);
      try {
        f.remove();
        log.info("Deleted index file {path}", { path: f.path });
      } catch (e) {
        log.error("Cannot delete index file {path}: {error}", {
          path: f.path,
          error: errorMessage(e),
        });
      }
      deleted++;
    }
    return deleted;
  }

  /**
   * Drops the entries of records at or past `end`, where recovery cut the commit log: they
   * would point at whatever is written there next, and hide it from the index.
   */
  truncate(end: number): void {
    let dropped = 0;
    for (const f of this.#files) {
      if (f.header.endPhyOffset >= end) dropped += f.truncate(end);
    }
    this.#indexedUpTo = Math.min(this.#indexedUpTo, end);
    if (dropped > 0) {
      log.warn("Dropped {dropped} index entries of records past the end of the commit log", {
        dropped,
      });
    }
  }

  /** Drops the in-memory slot table (written first) while indexing is idle. */
  releaseMemory(): void {
    this.#files[this.#files.length - 1]?.releaseSlots();
  }

  close(): void {
    for (const f of this.#files) {
      try {
        f.writeAll();
      } catch (e) {
        log.error("Cannot write index file {path}: {error}", {
          path: f.path,
          error: errorMessage(e),
        });
      }
      f.close();
    }
  }
}
