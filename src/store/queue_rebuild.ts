/**
 * Consume queues lost or cut short, rebuilt from the commit log at start-up. A queue is lost
 * when the last checkpoint's queue table (queue_table_file.ts) lists entries the files on
 * disk no longer have — its directory gone, its newest files gone (it ends early), its oldest
 * ones gone while their records are still in the commit log (it starts late) — or when files
 * are missing between its first and last. The commit log is read once from its start, and
 * every record of a lost queue whose entry is missing is written again; anything rebuilt is
 * logged. Without this, a deleted queue file leaves its messages unreachable with no word.
 */
import { logger } from "../common/log.ts";
import type { CommitLog } from "./commit_log.ts";
import { recordsFrom } from "./commit_log_scan.ts";
import { type ConsumeQueue, FILLER_SIZE } from "./consume_queue.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";
import { isQueueDispatched, tagsCodeOf } from "./dispatch.ts";
import type { QueueTableSnapshot } from "./queue_table_file.ts";
import type { StoreConfig } from "./store_config.ts";

const log = logger("store");

export interface RebuildContext {
  config: StoreConfig;
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  /** The queue table of the last checkpoint, if there is one. */
  table: QueueTableSnapshot | undefined;
  delayLevels: readonly number[];
}

/** A queue that was rebuilt: how many entries came back. */
export interface RebuiltQueue {
  topic: string;
  queueId: number;
  entries: number;
}

function key(topic: string, queueId: number): string {
  return `${queueId}\u0000${topic}`;
}

/** The queues that lack entries the table or their own files say they had. */
function findLost(ctx: RebuildContext): Map<string, string> {
  const lost = new Map<string, string>();
  for (const [topic, queues] of ctx.table ?? []) {
    for (const [queueId, [min, max]] of queues) {
      const cq = ctx.queues.get(topic, queueId);
      if (!cq || cq.maxOffset === 0) lost.set(key(topic, queueId), "its files are gone");
      else if (cq.maxOffset < max) {
        lost.set(key(topic, queueId), `it ends at ${cq.maxOffset}, not ${max}`);
      } else if (cq.minOffset > min) {
        lost.set(key(topic, queueId), `it starts at ${cq.minOffset}, not ${min}`);
      }
    }
  }
  for (const cq of ctx.queues.all()) {
    const gaps = cq.missingRanges();
    if (gaps.length > 0) {
      lost.set(
        key(cq.topic, cq.queueId),
        `files are missing for ${gaps.map(([a, b]) => `${a}-${b}`).join(", ")}`,
      );
    }
  }
  return lost;
}

/** Rebuilds what is lost; returns what was rebuilt (nothing in the usual case, at no cost). */
export function rebuildLostQueues(ctx: RebuildContext): RebuiltQueue[] {
  const lost = findLost(ctx);
  if (lost.size === 0) return [];
  const { commitLog, queues, config } = ctx;
  log.info("Looking for lost entries of {count} consume queues in the commit log", {
    count: lost.size,
  });
  const restored = new Map<ConsumeQueue, number>();
  const recreated = new Set<ConsumeQueue>();
  for (
    const { offset, record } of recordsFrom(
      commitLog.segments,
      commitLog.minOffset,
      commitLog.maxOffset,
      config.maxMessageSize,
      config.checkCRCOnRecover,
    )
  ) {
    if (!isQueueDispatched(record.sysFlag) || !lost.has(key(record.topic, record.queueId))) {
      continue;
    }
    const cq = queues.getOrCreate(record.topic, record.queueId);
    const q = record.queueOffset;
    const tagsCode = tagsCodeOf(
      record.topic,
      record.properties,
      record.storeTimestamp,
      ctx.delayLevels,
    );
    if (q >= cq.maxOffset) {
      cq.put(q, offset, record.storeSize, tagsCode);
    } else if (!cq.hasFileFor(q)) {
      cq.restoreEntry(q, offset, record.storeSize, tagsCode);
      recreated.add(cq);
    } else continue;
    restored.set(cq, (restored.get(cq) ?? 0) + 1);
  }
  const out: RebuiltQueue[] = [];
  for (const [cq, entries] of restored) {
    cq.writePending();
    if (recreated.has(cq)) fillHoles(cq);
    cq.syncNextOffset();
    cq.correctMinOffset(commitLog.minOffset);
    out.push({ topic: cq.topic, queueId: cq.queueId, entries });
    log.error("Consume queue {topic}/{queueId} had lost entries ({why}): rebuilt {entries}", {
      topic: cq.topic,
      queueId: cq.queueId,
      why: lost.get(key(cq.topic, cq.queueId)),
      entries,
    });
  }
  return out;
}

/** Entries a recreated file could not get back (their records are gone) become fillers. */
function fillHoles(cq: ConsumeQueue): void {
  let q = cq.minOffset;
  while (q < cq.maxOffset) {
    const c = cq.cursor(q, cq.maxOffset - q);
    if (!c) {
      q = cq.rollNextFile(q);
      continue;
    }
    while (c.next()) if (c.size === 0) cq.put(c.offset, 0, FILLER_SIZE, 0, true);
    q = c.offset + 1;
  }
  cq.writePending();
}
