/**
 * Hot-path encoder for puts: offsetMsgIds without allocation churn, byte for byte those of
 * createOffsetMsgId (tested). Property strings go through common/bytes.ts's encodeText.
 */
import { createOffsetMsgId } from "../common/message/message_id.ts";
import type { SocketAddress } from "../common/message/socket_address.ts";

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
