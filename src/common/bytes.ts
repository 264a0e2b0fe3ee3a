/**
 * Big-endian 64-bit integers as JS numbers. RocketMQ offsets and timestamps are Java longs;
 * real values stay far below 2^53, so plain numbers are exact and much cheaper than bigint.
 */
const TWO_32 = 4294967296;

export function readInt64(view: DataView, pos: number): number {
  return view.getInt32(pos) * TWO_32 + view.getUint32(pos + 4);
}

export function writeInt64(view: DataView, pos: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  view.setInt32(pos, hi);
  view.setUint32(pos + 4, n - hi * TWO_32);
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const textEncoder = new TextEncoder();
export const textDecoder = new TextDecoder();

/**
 * The UTF-8 bytes of `s`: written into `scratch` when `s` is ASCII and fits (the caller must
 * use them before the next call), otherwise a new array.
 */
export function encodeText(s: string, scratch: Uint8Array): Uint8Array {
  const n = s.length;
  if (n <= scratch.length) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) break;
      scratch[i] = c;
    }
    if (i === n) return scratch.subarray(0, n);
  }
  return textEncoder.encode(s);
}

/** Joins byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
