/**
 * Message ids, uppercase hex.
 *
 * offsetMsgId (the `msgId` a broker returns; derivable from any stored record):
 *   4|16  store host IP
 *   4     store host port (int32)
 *   8     commit-log offset (int64)
 *
 * UNIQ_KEY (set by the producer in property UNIQ_KEY):
 *   4     producer IP
 *   2     process id (int16)
 *   4     class-loader hash (int32; any per-process value)
 *   4     ms since the start of the current month, local time (int32)
 *   2     counter (int16, wraps)
 */
import { bytesToHex, hexToBytes } from "../hex.ts";
import { dataView, readInt64, writeInt64 } from "../bytes.ts";
import { formatSocketAddress, type SocketAddress } from "./socket_address.ts";

export function createOffsetMsgId(storeHost: SocketAddress, physicalOffset: number): string {
  const ipLen = storeHost.ip.length;
  const b = new Uint8Array(ipLen + 12);
  const v = dataView(b);
  b.set(storeHost.ip, 0);
  v.setInt32(ipLen, storeHost.port);
  writeInt64(v, ipLen + 4, physicalOffset);
  return bytesToHex(b);
}

export interface DecodedOffsetMsgId {
  /** `ip:port` of the broker that stored the message. */
  address: string;
  offset: number;
}

/** Decodes an offsetMsgId; 32 hex characters mean IPv4, 56 IPv6. Throws SyntaxError otherwise. */
export function decodeOffsetMsgId(id: string): DecodedOffsetMsgId {
  if (id.length !== 32 && id.length !== 56) {
    throw new SyntaxError(`Cannot decode message id: ${JSON.stringify(id)} is not 32 or 56 hex`);
  }
  const b = hexToBytes(id);
  const ipLen = id.length === 32 ? 4 : 16;
  const v = dataView(b);
  const host = { ip: b.slice(0, ipLen), port: v.getInt32(ipLen) };
  return { address: formatSocketAddress(host), offset: readInt64(v, ipLen + 4) };
}

/** Uppercase hex of each byte value. */
const HEX_BYTE: readonly string[] = Array.from(
  { length: 256 },
  (_, b) => b.toString(16).toUpperCase().padStart(2, "0"),
);

/** Makes UNIQ_KEY ids: a fixed 10-byte process prefix, then time in month and a counter. */
export class UniqueKeyGenerator {
  readonly #prefix: string;
  #counter = 0;
  #monthStart = 0;
  #nextMonthStart = 0;

  constructor(ip: Uint8Array = new Uint8Array([127, 0, 0, 1]), pid = Deno.pid) {
    const head = new Uint8Array(ip.length + 6);
    const v = dataView(head);
    head.set(ip, 0);
    v.setInt16(ip.length, pid & 0xffff);
    v.setInt32(ip.length + 2, (Math.random() * 0x7fffffff) | 0);
    this.#prefix = bytesToHex(head);
  }

  next(now: number = Date.now()): string {
    if (now >= this.#nextMonthStart) this.#setMonth(now);
    // Called once per message sent: string lookups instead of a buffer and a hex loop.
    const t = (now - this.#monthStart) | 0;
    const c = this.#counter++ & 0xffff;
    this.#counter &= 0xffff;
    return this.#prefix + HEX_BYTE[(t >>> 24) & 255] + HEX_BYTE[(t >>> 16) & 255] +
      HEX_BYTE[(t >>> 8) & 255] + HEX_BYTE[t & 255] + HEX_BYTE[c >>> 8] + HEX_BYTE[c & 255];
  }

  #setMonth(now: number): void {
    const d = new Date(now);
    this.#monthStart = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
    this.#nextMonthStart = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
  }
}
