/**
 * Damaged commit-log bytes recovery skipped, copied aside for inspection:
 * `<storePathRootDir>/quarantine/commitlog-<from>-<to>` (20-digit offsets) holds the bytes of
 * [from, to) as they were, trailing zeros dropped (empty when they were all zero: the file still
 * records the range). The log itself is left as it is — its valid
 * records keep their offsets, so message ids and queue offsets stay true — and reads never
 * serve the damaged bytes (every record read from disk is CRC-checked).
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { offsetToFileName } from "./segment_file.ts";
import type { SegmentFile } from "./segment_file.ts";

const log = logger("store");

const FILE_PREFIX = "commitlog-";
const COPY_BLOCK = 1024 * 1024;

/** A skipped range of the commit log, [from, to). */
export interface DamagedRange {
  from: number;
  to: number;
}

export function quarantineDir(storePathRootDir: string): string {
  return `${storePathRootDir}/quarantine`;
}

/** The file a skipped range is copied to. */
export function quarantineFileName(r: DamagedRange): string {
  return `${FILE_PREFIX}${offsetToFileName(r.from)}-${offsetToFileName(r.to)}`;
}

/** The ranges quarantined so far (read back from the file names). */
export function listQuarantined(storePathRootDir: string): DamagedRange[] {
  const out: DamagedRange[] = [];
  try {
    for (const e of Deno.readDirSync(quarantineDir(storePathRootDir))) {
      const m = /^commitlog-(\d{20})-(\d{20})$/.exec(e.name);
      if (e.isFile && m) out.push({ from: Number(m[1]), to: Number(m[2]) });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort((a, b) => a.from - b.from);
}

/**
 * Copies the bytes of `range` out of `segments` into the quarantine directory; returns the
 * file's path, or undefined when they could not be copied (logged: the skip itself is already
 * decided and logged by the caller).
 */
export function quarantine(
  storePathRootDir: string,
  segments: readonly SegmentFile[],
  range: DamagedRange,
): string | undefined {
  const dir = quarantineDir(storePathRootDir);
  const path = `${dir}/${quarantineFileName(range)}`;
  try {
    Deno.mkdirSync(dir, { recursive: true });
    const f = Deno.openSync(path, { write: true, create: true, truncate: true });
    let kept = 0; // bytes up to the last non-zero one
    let total = 0;
    try {
      const buf = new Uint8Array(COPY_BLOCK);
      for (const seg of segments) {
        const from = Math.max(range.from, seg.start);
        const to = Math.min(range.to, seg.end);
        for (let p = from; p < to; p += COPY_BLOCK) {
          const chunk = buf.subarray(0, seg.readSync(p - seg.start, buf.subarray(0, to - p)));
          for (let i = chunk.length - 1; i >= 0; i--) {
            if (chunk[i] !== 0) {
              kept = total + i + 1;
              break;
            }
          }
          let n = 0;
          while (n < chunk.length) n += f.writeSync(chunk.subarray(n));
          total += chunk.length;
        }
      }
      f.truncateSync(kept);
      f.syncDataSync();
    } finally {
      f.close();
    }
    return path;
  } catch (e) {
    log.error("Cannot copy damaged commit-log bytes {from} to {to} aside: {error}", {
      from: range.from,
      to: range.to,
      error: errorMessage(e),
    });
    return undefined;
  }
}
