const HEX = "0123456789ABCDEF";
const HEX_TEXT = /^(?:[0-9a-fA-F]{2})*$/;

/** Uppercase hex, two characters per byte, as RocketMQ message ids are written. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    s += HEX[b >> 4] + HEX[b & 15];
  }
  return s;
}

/** Parses hex of either case; throws SyntaxError on an odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  if (!HEX_TEXT.test(hex)) throw new SyntaxError(`Cannot parse hex: ${JSON.stringify(hex)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
