/**
 * RocketMQ 4.x's HA wire format (HAService / HAConnection; REMOTING.md §10): plain TCP to the
 * master's HA port, no handshake, big-endian.
 *
 *   slave → master   8 bytes    the slave's commit-log max offset: the first one says where
 *                               to start (0 = the start of the master's last commit-log file),
 *                               every later one acknowledges what the slave has
 *   master → slave   12 bytes   offset where the chunk starts (int64), chunk size (int32),
 *                               then that many raw commit-log bytes (never crossing a file);
 *                               size 0 is a heartbeat
 *
 * The master reads only the last complete report among the bytes it has, so reports that
 * queue up while it is busy cost nothing.
 */
import { dataView, readInt64, writeInt64 } from "../../common/bytes.ts";

export const OFFSET_REPORT_SIZE = 8;
export const TRANSFER_HEADER_SIZE = 12;

/** The slave's report: its max commit-log offset. */
export function encodeOffsetReport(offset: number): Uint8Array {
  const out = new Uint8Array(OFFSET_REPORT_SIZE);
  writeInt64(dataView(out), 0, offset);
  return out;
}

/**
 * The last whole report among `len` buffered bytes, and how many bytes it consumed (the rest
 * start a report still arriving); undefined before 8 bytes are there.
 */
export function lastOffsetReport(
  buf: Uint8Array,
  len: number,
): { offset: number; consumed: number } | undefined {
  if (len < OFFSET_REPORT_SIZE) return undefined;
  const consumed = len - (len % OFFSET_REPORT_SIZE);
  return { offset: readInt64(dataView(buf), consumed - OFFSET_REPORT_SIZE), consumed };
}

/** Writes a transfer header (chunk offset and size) at `pos` of `dst`. */
export function writeTransferHeader(
  dst: Uint8Array,
  pos: number,
  offset: number,
  size: number,
): void {
  const v = dataView(dst);
  writeInt64(v, pos, offset);
  v.setInt32(pos + 8, size);
}

/** The header at `pos` of `buf` (at least 12 bytes there). */
export function readTransferHeader(buf: Uint8Array, pos: number): { offset: number; size: number } {
  const v = dataView(buf);
  return { offset: readInt64(v, pos), size: v.getInt32(pos + 8) };
}
