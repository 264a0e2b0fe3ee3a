/**
 * Reading the commit log the way recovery does: segment by segment in large blocks, checking
 * each record (magic, size, its own physical-offset field, body CRC), and finding where valid
 * records resume after damage — the next offset whose bytes form a whole record that names
 * that very offset, which random bytes practically never do.
 *
 * The search for where records resume stops at a run of zeros longer than any record can hold
 * (a record's header is never zero, and a body is at most maxMessageSize): past that there is
 * no more data in the segment, so the end of a log costs a few MiB of reading, not the rest of
 * a 1 GiB segment.
 */
import { dataView } from "../common/bytes.ts";
import {
  BLANK_MAGIC,
  decodeMessageRecord,
  MESSAGE_MAGIC_V1,
  MESSAGE_MAGIC_V2,
  type MessageRecord,
  MIN_RECORD_SIZE,
  RecordPos,
  verifyRecordCrc,
} from "../common/message/message_codec.ts";
import { errorMessage } from "../common/errors.ts";
import { END_FILE_MIN_BLANK_LENGTH } from "./commit_log.ts";
import type { SegmentFile } from "./segment_file.ts";

/** Bytes read per block while scanning. */
export const READ_BLOCK = 4 * 1024 * 1024;
/** Bytes of a page checked at once for being all zeros. */
const PAGE = 4096;
/** Zero bytes beyond a record's body that its header and trailer always exceed. */
const RECORD_OVERHEAD = 64 * 1024;
/** The first three bytes of both record magics (V1 0xDAA320A7, V2 0xDAA320AB). */
const MAGIC_HEAD = [0xda, 0xa3, 0x20] as const;
const MAGIC_TAIL_V1 = MESSAGE_MAGIC_V1 & 0xff;
const MAGIC_TAIL_V2 = MESSAGE_MAGIC_V2 & 0xff;

/** Reads one segment sequentially in large blocks. */
export class SegmentReader {
  readonly seg: SegmentFile;
  #buf: Uint8Array;
  #bufStart = 0;
  #bufLen = 0;

  constructor(seg: SegmentFile, buf: Uint8Array = new Uint8Array(READ_BLOCK)) {
    this.seg = seg;
    this.#buf = buf;
  }

  /** `len` bytes at `pos` of the segment (a view, valid until the next call), or undefined. */
  bytes(pos: number, len: number): Uint8Array | undefined {
    if (pos < 0 || pos + len > this.seg.size) return undefined;
    if (pos < this.#bufStart || pos + len > this.#bufStart + this.#bufLen) {
      if (this.#buf.length < len) this.#buf = new Uint8Array(len);
      this.#bufStart = pos;
      this.#bufLen = this.seg.readSync(
        pos,
        this.#buf.subarray(0, Math.min(this.#buf.length, this.seg.size - pos)),
      );
      if (this.#bufLen < len) return undefined;
    }
    return this.#buf.subarray(pos - this.#bufStart, pos - this.#bufStart + len);
  }
}

/** A record that checked, or why the bytes at an offset are not one. */
export type RecordCheck = { record: MessageRecord } | { damage: string };

/**
 * Checks that a whole record starts at `pos` of the reader's segment: magic, a size that fits
 * the segment with room for its blank record, fields that decode, its own offset, and (with
 * `crc`) the body CRC.
 */
export function checkRecordAt(reader: SegmentReader, pos: number, crc: boolean): RecordCheck {
  const seg = reader.seg;
  const at = seg.start + pos;
  let head: Uint8Array | undefined;
  try {
    head = reader.bytes(pos, RecordPos.MAGIC + 4);
  } catch (e) {
    return { damage: `read failed at ${at}: ${errorMessage(e)}` };
  }
  if (!head) return { damage: `truncated segment at ${at}` };
  const v = dataView(head);
  const size = v.getInt32(RecordPos.TOTAL_SIZE);
  const magic = v.getInt32(RecordPos.MAGIC);
  if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) {
    return { damage: `bad magic 0x${(magic >>> 0).toString(16)} at ${at}` };
  }
  if (size < MIN_RECORD_SIZE || pos + size + END_FILE_MIN_BLANK_LENGTH > seg.size) {
    return { damage: `bad record size ${size} at ${at}` };
  }
  let record: MessageRecord;
  try {
    const bytes = reader.bytes(pos, size);
    if (!bytes) return { damage: `truncated record at ${at}` };
    record = decodeMessageRecord(bytes, 0, false);
  } catch (e) {
    return { damage: errorMessage(e) };
  }
  if (record.physicalOffset !== at) {
    return { damage: `record at ${at} says it is at ${record.physicalOffset}` };
  }
  if (crc && !verifyRecordCrc(record)) return { damage: `body CRC mismatch at ${at}` };
  return { record };
}

/** Whether bytes [from, to) of the block are all zero, reading 32-bit words where it can. */
function isZero(block: Uint8Array, words: Uint32Array, from: number, to: number): boolean {
  let i = from;
  for (; i + 4 <= to; i += 4) if (words[i >>> 2] !== 0) return false;
  for (; i < to; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Where records resume after damage: the first commit-log offset at or after `from` — in the
 * segment at `index` or a later one — where a record checks. Undefined when none does: the
 * data ends at the damage. `maxMessageSize` bounds the zero runs a record can contain.
 */
export function findNextRecord(
  segs: readonly SegmentFile[],
  index: number,
  from: number,
  maxMessageSize: number,
  crc: boolean,
): number | undefined {
  const zeroLimit = maxMessageSize + RECORD_OVERHEAD;
  const block = new Uint8Array(READ_BLOCK);
  const words = new Uint32Array(block.buffer);
  for (let i = index; i < segs.length; i++) {
    const seg = segs[i];
    const checker = new SegmentReader(seg, new Uint8Array(0));
    const first = i === index ? Math.max(0, from - seg.start) : 0;
    // Blocks start at page boundaries so the zero check reads whole words.
    let pos = first - (first % PAGE);
    let zeroRun = 0;
    while (pos < seg.size && zeroRun < zeroLimit) {
      const n = seg.readSync(pos, block.subarray(0, Math.min(block.length, seg.size - pos)));
      if (n <= 0) break;
      let magic = block.indexOf(MAGIC_HEAD[0]);
      for (let p = 0; p < n && zeroRun < zeroLimit; p += PAGE) {
        const end = Math.min(n, p + PAGE);
        if (isZero(block, words, p, end)) {
          zeroRun += end - p;
          continue;
        }
        zeroRun = 0;
        // A record's magic sits 4 bytes after its start.
        for (; magic >= 0 && magic < end; magic = block.indexOf(MAGIC_HEAD[0], magic + 1)) {
          const candidate = pos + magic - RecordPos.MAGIC;
          if (candidate < first) continue;
          if (magic + 3 < n) {
            if (block[magic + 1] !== MAGIC_HEAD[1] || block[magic + 2] !== MAGIC_HEAD[2]) continue;
            const tail = block[magic + 3];
            if (tail !== MAGIC_TAIL_V1 && tail !== MAGIC_TAIL_V2) continue;
          }
          if ("record" in checkRecordAt(checker, candidate, crc)) return seg.start + candidate;
        }
      }
      // The next block starts a page early: a magic split between two blocks is still seen.
      pos += n >= block.length ? n - PAGE : n;
    }
  }
  return undefined;
}

/**
 * Every record of the log from `from` up to `end`, in order: blank records end their segment,
 * damage is stepped over as recovery does (to where records resume), zeros end the walk.
 */
export function* recordsFrom(
  segs: readonly SegmentFile[],
  from: number,
  end: number,
  maxMessageSize: number,
  crc: boolean,
): Generator<{ offset: number; record: MessageRecord }> {
  let i = segs.findIndex((s) => from >= s.start && from < s.end);
  if (i < 0) return;
  let reader = new SegmentReader(segs[i]);
  let pos = from - segs[i].start;
  while (reader.seg.start + pos < end) {
    const seg = reader.seg;
    const head = reader.bytes(pos, RecordPos.MAGIC + 4);
    const v = head && dataView(head);
    if (v && v.getInt32(RecordPos.TOTAL_SIZE) === 0 && v.getInt32(RecordPos.MAGIC) === 0) return;
    const blank = v && v.getInt32(RecordPos.MAGIC) === BLANK_MAGIC;
    let next: number | undefined;
    if (blank) {
      next = seg.end;
    } else {
      const checked = checkRecordAt(reader, pos, crc);
      if ("record" in checked) {
        yield { offset: seg.start + pos, record: checked.record };
        next = seg.start + pos + checked.record.storeSize;
      } else {
        next = findNextRecord(segs, i, seg.start + pos + 1, maxMessageSize, crc);
        if (next === undefined) return;
      }
    }
    while (i < segs.length - 1 && next >= reader.seg.end) reader = new SegmentReader(segs[++i]);
    if (next >= reader.seg.end) return;
    pos = next - reader.seg.start;
  }
}
