/**
 * The store consistency check (bbolt's MustCheck, run after its tests): reads a closed store's
 * files as they lie on disk, without the store's own classes, and checks that commit log,
 * consume queues and index agree.
 *
 * - Commit log: every record from the first segment to the end of data verifies (magic, size,
 *   its own physical offset, body CRC); segments end in a blank record or zeros. Ranges
 *   recovery skipped as damaged (listed in `quarantine/`) are stepped over.
 * - Consume queues: every entry from a queue's first to its last points at a record of that
 *   topic and queue with that queue offset, size and tags code (gap fillers aside; entries
 *   below the first commit-log segment were cut by retention). No entry is missing between a
 *   queue's first and last, and every record a queue should hold is there — except records of
 *   an earlier incarnation of a topic deleted and created again.
 * - Index: every entry of every index file points at a record one of whose keys
 *   (`topic#UNIQ_KEY`, `topic#<each KEYS word>`) hashes to the entry's key hash, below the first
 *   segment, or into a skipped damaged range (queries check the record they find); slots and
 *   chains point at written entries.
 *
 * Throws an AssertionError naming the first disagreement; returns what it counted.
 */
import assert from "node:assert/strict";
import {
  BLANK_MAGIC,
  decodeMessageRecord,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  verifyRecordCrc,
} from "../../src/common/message/message_codec.ts";
import { MessageConst } from "../../src/common/message/message_const.ts";
import { getProperty } from "../../src/common/message/properties.ts";
import { CQ_STORE_UNIT_SIZE, decodeCqEntry, FILLER_SIZE } from "../../src/store/consume_queue.ts";
import { isQueueDispatched, tagsCodeOf } from "../../src/store/dispatch.ts";
import {
  decodeIndexEntry,
  decodeIndexHeader,
  HASH_SLOT_SIZE,
  INDEX_ENTRY_SIZE,
  INDEX_HEADER_SIZE,
  indexKeyHash,
} from "../../src/store/index_file.ts";
import { parseDelayLevels } from "../../src/store/delay_levels.ts";
import { type DamagedRange, listQuarantined } from "../../src/store/quarantine.ts";
import { fileNameToOffset } from "../../src/store/segment_file.ts";
import { DEFAULT_STORE_CONFIG, type StoreConfig } from "../../src/store/store_config.ts";

export interface StoreSummary {
  /** Records in the commit log. */
  records: number;
  /** Consume queues and their entries (fillers and expired ones not counted). */
  queues: number;
  entries: number;
  /** Index entries checked. */
  indexEntries: number;
}

interface RecordInfo {
  topic: string;
  queueId: number;
  queueOffset: number;
  size: number;
  tagsCode: number;
  dispatched: boolean;
  keyHashes: Set<number>;
}

function listFiles(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

function listDirs(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** Sequential reads of a file in blocks, so a mostly empty (sparse) segment costs little. */
class BlockReader {
  readonly #file: Deno.FsFile;
  readonly size: number;
  #buf = new Uint8Array(0);
  #bufStart = 0;

  constructor(path: string) {
    this.#file = Deno.openSync(path, { read: true });
    this.size = this.#file.statSync().size;
  }

  /** `len` bytes at `pos` (a view valid until the next call), or undefined past the end. */
  bytes(pos: number, len: number): Uint8Array | undefined {
    if (pos + len > this.size) return undefined;
    if (pos < this.#bufStart || pos + len > this.#bufStart + this.#buf.length) {
      const n = Math.min(this.size - pos, Math.max(len, 1 << 20));
      this.#buf = new Uint8Array(n);
      this.#file.seekSync(pos, Deno.SeekMode.Start);
      let got = 0;
      while (got < n) {
        const r = this.#file.readSync(this.#buf.subarray(got));
        if (r === null || r === 0) break;
        got += r;
      }
      this.#buf = this.#buf.subarray(0, got);
      this.#bufStart = pos;
      if (got < len) return undefined;
    }
    return this.#buf.subarray(pos - this.#bufStart, pos - this.#bufStart + len);
  }

  close(): void {
    this.#file.close();
  }
}

/** Every record of the commit log by its offset, and the first offset still on disk. */
function readCommitLog(
  root: string,
  delays: readonly number[],
): { records: Map<number, RecordInfo>; minOffset: number; damaged: DamagedRange[] } {
  const dir = `${root}/commitlog`;
  const names = listFiles(dir).filter((n) => fileNameToOffset(n) !== undefined);
  const records = new Map<number, RecordInfo>();
  const damaged = listQuarantined(root);
  let skipUntil = 0;
  let ended: string | undefined;
  for (const name of names) {
    const start = fileNameToOffset(name)!;
    const file = new BlockReader(`${dir}/${name}`);
    try {
      let pos = Math.max(0, skipUntil - start);
      while (pos < file.size) {
        const d = damaged.find((r) => r.from === start + pos);
        if (d) {
          skipUntil = d.to;
          pos = d.to - start;
          continue;
        }
        const head = file.bytes(pos, 8);
        if (!head) break;
        const hv = new DataView(head.buffer, head.byteOffset, 8);
        const size = hv.getInt32(0);
        const magic = hv.getInt32(4);
        if (size === 0 && magic === 0) {
          ended ??= `${name} at ${pos}`;
          break;
        }
        assert.equal(
          ended,
          undefined,
          `commit log has data at ${start + pos} after its end (${ended})`,
        );
        if (magic === BLANK_MAGIC) {
          assert.equal(pos + size, file.size, `blank record at ${start + pos} ends its segment`);
          break;
        }
        assert.ok(
          magic === MESSAGE_MAGIC_V1 || magic === MESSAGE_MAGIC_V2,
          `bad magic 0x${(magic >>> 0).toString(16)} at commit-log offset ${start + pos}`,
        );
        const bytes = file.bytes(pos, size);
        assert.ok(bytes, `record at ${start + pos} of ${size} bytes is whole`);
        const m = decodeMessageRecord(bytes, 0, false);
        assert.equal(m.physicalOffset, start + pos, `record at ${start + pos} names its offset`);
        assert.ok(verifyRecordCrc(m), `record at ${start + pos} matches its body CRC`);
        const keyHashes = new Set<number>();
        const uniq = getProperty(m.properties, MessageConst.UNIQ_KEY);
        if (uniq) keyHashes.add(indexKeyHash(`${m.topic}#${uniq}`));
        for (const k of getProperty(m.properties, MessageConst.KEYS)?.split(" ") ?? []) {
          if (k.length > 0) keyHashes.add(indexKeyHash(`${m.topic}#${k}`));
        }
        records.set(start + pos, {
          topic: m.topic,
          queueId: m.queueId,
          queueOffset: m.queueOffset,
          size: m.storeSize,
          tagsCode: tagsCodeOf(m.topic, m.properties, m.storeTimestamp, delays),
          dispatched: isQueueDispatched(m.sysFlag),
          keyHashes,
        });
        pos += m.storeSize;
      }
    } finally {
      file.close();
    }
  }
  const minOffset = names.length > 0 ? fileNameToOffset(names[0])! : 0;
  return { records, minOffset, damaged };
}

/** A queue's entries by logical offset: [commit-log offset, size, tags code]. */
function readQueue(dir: string): Map<number, [number, number, number]> {
  const out = new Map<number, [number, number, number]>();
  let ended: number | undefined;
  for (const name of listFiles(dir)) {
    const start = fileNameToOffset(name);
    if (start === undefined) continue;
    const bytes = Deno.readFileSync(`${dir}/${name}`);
    assert.equal(start % bytes.length, 0, `${dir}/${name} starts at a multiple of its size`);
    for (let p = 0; p + CQ_STORE_UNIT_SIZE <= bytes.length; p += CQ_STORE_UNIT_SIZE) {
      const offset: number = (start + p) / CQ_STORE_UNIT_SIZE;
      const e = decodeCqEntry(bytes, p, offset);
      if (e.size === 0) {
        ended ??= offset;
        continue;
      }
      assert.equal(ended, undefined, `${dir}: entry ${offset} after the end at ${ended}`);
      out.set(offset, [e.commitLogOffset, e.size, e.tagsCode]);
    }
  }
  return out;
}

/** Reads the store under `config.storePathRootDir` (closed) and checks it; see above. */
export function verifyStore(
  config: Partial<StoreConfig> & { storePathRootDir: string },
): StoreSummary {
  const c = { ...DEFAULT_STORE_CONFIG, ...config };
  const root = c.storePathRootDir;
  const delays = parseDelayLevels(c.messageDelayLevel);
  const { records, minOffset, damaged } = readCommitLog(root, delays);
  const summary: StoreSummary = { records: records.size, queues: 0, entries: 0, indexEntries: 0 };

  // Consume queues against the commit log.
  const queueEnds = new Map<
    string,
    { min: number; max: number; firstPhy: number; entries: Map<number, number> }
  >();
  for (const topic of listDirs(`${root}/consumequeue`)) {
    for (const qid of listDirs(`${root}/consumequeue/${topic}`)) {
      const where = `consume queue ${topic}/${qid}`;
      const entries = readQueue(`${root}/consumequeue/${topic}/${qid}`);
      if (entries.size === 0) continue;
      summary.queues++;
      const offsets = [...entries.keys()];
      const min = Math.min(...offsets);
      const max = Math.max(...offsets) + 1;
      const byOffset = new Map<number, number>();
      let firstPhy = Infinity;
      for (let q = min; q < max; q++) {
        const e = entries.get(q);
        assert.ok(e, `${where}: entry ${q} is missing between ${min} and ${max}`);
        const [phy, size, tagsCode] = e;
        if (size === FILLER_SIZE) continue;
        if (phy < minOffset) continue; // Its segment was deleted by retention.
        const r = records.get(phy);
        assert.ok(r, `${where}: entry ${q} points at ${phy}, where no record starts`);
        assert.equal(r.topic, topic, `${where}: entry ${q} points at a record of ${r.topic}`);
        assert.equal(r.queueId, Number(qid), `${where}: entry ${q} points at queue ${r.queueId}`);
        assert.equal(
          r.queueOffset,
          q,
          `${where}: entry ${q} points at queue offset ${r.queueOffset}`,
        );
        assert.equal(r.size, size, `${where}: entry ${q} has the record's size`);
        assert.equal(tagsCode, r.tagsCode, `${where}: entry ${q} has the record's tags code`);
        byOffset.set(q, phy);
        firstPhy = Math.min(firstPhy, phy);
        summary.entries++;
      }
      queueEnds.set(`${topic}\u0000${qid}`, { min, max, firstPhy, entries: byOffset });
    }
  }
  // Every dispatched record is in its queue, unless its queue is gone (a deleted topic) or it
  // is older than the queue's first record (the topic was deleted and created again since).
  for (const [phy, r] of records) {
    if (!r.dispatched) continue;
    const q = queueEnds.get(`${r.topic}\u0000${r.queueId}`);
    if (!q || r.queueOffset < q.min || phy < q.firstPhy) continue;
    const where = `record at ${phy} (${r.topic}/${r.queueId} offset ${r.queueOffset})`;
    assert.ok(r.queueOffset < q.max, `${where} is past its queue's end ${q.max}`);
    const pointed = q.entries.get(r.queueOffset);
    assert.equal(pointed, phy, `${where} is in its queue`);
  }

  // Index files against the commit log.
  const fileSize = INDEX_HEADER_SIZE + c.maxHashSlotNum * HASH_SLOT_SIZE +
    c.maxIndexNum * INDEX_ENTRY_SIZE;
  for (const name of listFiles(`${root}/index`).filter((n) => /^\d{17}$/.test(n))) {
    const where = `index file ${name}`;
    const file = new BlockReader(`${root}/index/${name}`);
    try {
      assert.equal(file.size, fileSize, `${where} has the configured geometry`);
      const header = decodeIndexHeader(file.bytes(0, INDEX_HEADER_SIZE)!);
      const slotBytes = file.bytes(INDEX_HEADER_SIZE, c.maxHashSlotNum * HASH_SLOT_SIZE)!;
      const slots = new DataView(slotBytes.buffer, slotBytes.byteOffset, slotBytes.byteLength);
      for (let s = 0; s < c.maxHashSlotNum; s++) {
        const n = slots.getInt32(s * HASH_SLOT_SIZE);
        assert.ok(n >= 0 && n < header.indexCount, `${where}: slot ${s} points at entry ${n}`);
      }
      const entriesAt = INDEX_HEADER_SIZE + c.maxHashSlotNum * HASH_SLOT_SIZE;
      for (let n = 1; n < header.indexCount; n++) {
        const e = decodeIndexEntry(
          file.bytes(entriesAt + n * INDEX_ENTRY_SIZE, INDEX_ENTRY_SIZE)!,
          0,
        );
        assert.ok(
          e.prevIndex >= 0 && e.prevIndex < n,
          `${where}: entry ${n} chains to ${e.prevIndex}`,
        );
        summary.indexEntries++;
        if (e.phyOffset < minOffset) continue;
        if (damaged.some((d) => e.phyOffset >= d.from && e.phyOffset < d.to)) continue;
        const r = records.get(e.phyOffset);
        assert.ok(r, `${where}: entry ${n} points at ${e.phyOffset}, where no record starts`);
        assert.ok(
          r.keyHashes.has(e.keyHash),
          `${where}: entry ${n} has a key hash no key of the record at ${e.phyOffset} has`,
        );
      }
    } finally {
      file.close();
    }
  }
  return summary;
}
