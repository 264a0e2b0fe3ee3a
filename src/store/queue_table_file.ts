/**
 * Each consume queue's first and next offset as of the last checkpoint, in `queueTable.json`
 * beside the checkpoint (rmq's own file; a Java broker ignores it). Start-up compares the
 * queues on disk with it, so a queue whose files were deleted or cut is rebuilt from the
 * commit log instead of silently losing its messages (queue_rebuild.ts).
 *
 *   {"<topic>":{"<queueId>":[<minOffset>,<maxOffset>],...},...}
 */
import { AtomicFile } from "../common/atomic_file.ts";
import type { ConsumeQueueTable } from "./consume_queue_table.ts";

/** topic → queue id → [min offset, max offset]. */
export type QueueTableSnapshot = Map<string, Map<number, [number, number]>>;

export const QUEUE_TABLE_FILE = "queueTable.json";

export function snapshotQueues(queues: ConsumeQueueTable): QueueTableSnapshot {
  const out: QueueTableSnapshot = new Map();
  for (const cq of queues.all()) {
    if (cq.maxOffset === 0) continue;
    let t = out.get(cq.topic);
    if (!t) out.set(cq.topic, t = new Map());
    t.set(cq.queueId, [cq.minOffset, cq.maxOffset]);
  }
  return out;
}

export function encodeQueueTable(t: QueueTableSnapshot): string {
  const o: Record<string, Record<string, [number, number]>> = {};
  for (const [topic, queues] of t) o[topic] = Object.fromEntries(queues);
  return JSON.stringify(o);
}

/** Decodes the file's text; throws SyntaxError or TypeError when it is not one. */
export function decodeQueueTable(text: string): QueueTableSnapshot {
  const o = JSON.parse(text);
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new TypeError("queue table is not an object");
  }
  const out: QueueTableSnapshot = new Map();
  for (const [topic, queues] of Object.entries(o as Record<string, unknown>)) {
    const t = new Map<number, [number, number]>();
    for (const [id, v] of Object.entries(queues as Record<string, unknown>)) {
      if (!Array.isArray(v) || v.length !== 2 || !v.every(Number.isSafeInteger)) {
        throw new TypeError(`queue table entry ${topic}/${id} is not [min, max]`);
      }
      t.set(Number(id), [v[0], v[1]]);
    }
    out.set(topic, t);
  }
  return out;
}

/** The file, written whole (tmp, sync, rename) at every checkpoint. */
export function queueTableFile(storePathRootDir: string): AtomicFile {
  return new AtomicFile(`${storePathRootDir}/${QUEUE_TABLE_FILE}`);
}
