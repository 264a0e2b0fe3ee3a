import { ipv4Bytes, parseHostPort } from "../address.ts";

/** A host as messages store it: 4 (IPv4) or 16 (IPv6) address bytes and a port. */
export interface SocketAddress {
  ip: Uint8Array;
  port: number;
}

/** From `host:port` text; IPv4-mapped IPv6 becomes 4 bytes, other IPv6 16 bytes. */
export function socketAddressOf(hostOrAddr: string, port?: number): SocketAddress {
  let host = hostOrAddr;
  if (port === undefined) ({ host, port } = parseHostPort(hostOrAddr));
  const v4 = ipv4Bytes(host);
  if (v4) return { ip: v4, port };
  return { ip: ipv6Bytes(host), port };
}

export function formatSocketAddress(a: SocketAddress): string {
  if (a.ip.length === 4) return `${a.ip[0]}.${a.ip[1]}.${a.ip[2]}.${a.ip[3]}:${a.port}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((a.ip[i] << 8) | a.ip[i + 1]).toString(16));
  return `${groups.join(":")}:${a.port}`;
}

function ipv6Bytes(host: string): Uint8Array {
  const out = new Uint8Array(16);
  const h = host.replace(/^\[|\]$/g, "").split("%")[0];
  const [head, tail = ""] = h.includes("::") ? h.split("::") : [h, undefined as unknown as string];
  const headParts = head ? head.split(":") : [];
  const tailParts = h.includes("::") && tail ? tail.split(":") : [];
  const parse = (parts: string[], at: number) => {
    for (let i = 0; i < parts.length; i++) {
      const v = parseInt(parts[i], 16);
      if (!/^[0-9a-fA-F]{1,4}$/.test(parts[i])) {
        throw new SyntaxError(`Cannot parse address: ${JSON.stringify(host)}`);
      }
      out[at + i * 2] = v >> 8;
      out[at + i * 2 + 1] = v & 255;
    }
  };
  if (headParts.length + tailParts.length > 8) {
    throw new SyntaxError(`Cannot parse address: ${JSON.stringify(host)}`);
  }
  parse(headParts, 0);
  parse(tailParts, 16 - tailParts.length * 2);
  return out;
}
