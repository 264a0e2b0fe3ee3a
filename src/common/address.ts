/** A TCP endpoint as RocketMQ writes it: `host:port` (IPv6 hosts without brackets are allowed). */
export interface HostPort {
  host: string;
  port: number;
}

/** Splits `host:port` at the last colon; throws SyntaxError on a missing or bad port. */
export function parseHostPort(addr: string): HostPort {
  const i = addr.lastIndexOf(":");
  if (i <= 0) throw new SyntaxError(`Cannot parse address: ${JSON.stringify(addr)} has no port`);
  let host = addr.slice(0, i);
  // Decimal digits only: Number() would also take "", " 80", "0x50" and "1e3".
  const portText = addr.slice(i + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SyntaxError(`Cannot parse address: bad port in ${JSON.stringify(addr)}`);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}

export function formatHostPort(host: string, port: number): string {
  return `${host}:${port}`;
}

/**
 * The four bytes of an IPv4 address, also accepting the IPv4-mapped IPv6 form `::ffff:a.b.c.d`
 * that dual-stack listeners report. Returns undefined for anything else.
 */
export function ipv4Bytes(host: string): Uint8Array | undefined {
  const h = host.toLowerCase().startsWith("::ffff:") ? host.slice(7) : host;
  const parts = h.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const v = Number(parts[i]);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Splits a RocketMQ namesrv list (`a:9876;b:9876`, also tolerating commas and spaces). */
export function parseAddrList(list: string | undefined): string[] {
  if (!list) return [];
  return list.split(/[;,\s]+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Picks an address of this host that other local processes can reach, for brokerIP1. */
export function defaultLocalAddress(): string {
  try {
    for (const ni of Deno.networkInterfaces()) {
      if (ni.family === "IPv4" && !ni.address.startsWith("127.") && ni.name !== "docker0") {
        return ni.address;
      }
    }
  } catch {
    // Without --allow-sys the interface list is unavailable; loopback is still reachable locally.
  }
  return "127.0.0.1";
}

/** Whether binding `host` keeps a server reachable from this machine only. */
export function isLoopbackBind(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === "localhost" || h === "::1" || h.startsWith("127.");
}
