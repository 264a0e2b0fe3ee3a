/**
 * Hot-path encoders for puts: property strings and offsetMsgIds without allocation churn.
 * Results are byte for byte those of TextEncoder and createOffsetMsgId (tested).
 */
import { textEncoder } from "../common/bytes.ts";
import { createOffsetMsgId } from "../common/message/message_id.ts";
import type { SocketAddress } from "../common/message/socket_address.ts";

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

const TWO_32 = 4294967296;

function hex8(n: number): string {
  const s = n.toString(16).toUpperCase();
  return s.length >= 8 ? s : "00000000".slice(s.length) + s;
}

/** offsetMsgIds for one store host after another: the host's hex is computed once. */
export class OffsetMsgIdFormatter {
  #host: SocketAddress | undefined;
  #ip = new Uint8Array(0);
  #port = -1;
  #prefix = "";

  format(host: SocketAddress, offset: number): string {
    if (host !== this.#host && !this.#same(host)) {
      this.#host = host;
      this.#ip = host.ip.slice();
      this.#port = host.port;
      this.#prefix = createOffsetMsgId(host, 0).slice(0, -16);
    }
    const hi = Math.floor(offset / TWO_32);
    return this.#prefix + hex8(hi) + hex8(offset - hi * TWO_32);
  }

  #same(host: SocketAddress): boolean {
    if (host.port !== this.#port || host.ip.length !== this.#ip.length) return false;
    for (let i = 0; i < this.#ip.length; i++) if (host.ip[i] !== this.#ip[i]) return false;
    return true;
  }
}
