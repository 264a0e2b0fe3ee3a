/**
 * The remote-address patterns of ACL 1.0 (`whiteRemoteAddress`, `globalWhiteRemoteAddresses`),
 * every form RocketMQ's RemoteAddressStrategyFactory accepts:
 *
 *   (blank)                 matches nothing
 *   *  *.*.*.*  *:*:*:*:*:*:*:*   matches everything
 *   192.168.0.1  ::1        one address (IPv6 compared expanded)
 *   192.168.0.1,10.0.0.2    a list
 *   192.168.1.{1,2,3}       a list sharing a prefix (IPv6: `2001:db8::{1,2}`)
 *   192.168.*  192.168.1.*  192.168.1.1-100  192.168.1-10.*   a range in one octet (the first
 *                           octet after the first that is `*` or `a-b`; later ones are not looked at)
 *   2001:db8:0:0:0:0:0:*  2001:db8::1-ff  2001:db8::1-ff:*   a range in the last (or, before a
 *                           trailing `*`, second-last) IPv6 group
 */
import { AclError } from "./acl_error.ts";

/** Whether a remote host (no port) matches. */
export type AddressMatcher = (host: string) => boolean;

const NOTHING: AddressMatcher = () => false;
const EVERYTHING: AddressMatcher = () => true;

export function parseAddressPattern(pattern: string | null | undefined): AddressMatcher {
  const p = (pattern ?? "").trim();
  if (p === "") return NOTHING;
  if (p === "*" || p === "*.*.*.*" || p === "*:*:*:*:*:*:*:*") return EVERYTHING;
  if (p.endsWith("}")) return braceList(p);
  if (p.includes(",")) return addressSet(p.split(",").map((s) => s.trim()).filter((s) => s));
  if (p.includes("*") || p.includes("-")) return p.includes(":") ? ipv6Range(p) : ipv4Range(p);
  const one = normalizeAddress(p);
  if (one === undefined) throw new AclError(`Netaddress examine Exception netaddress is ${p}`);
  return (host) => normalizeAddress(host) === one;
}

/** The host part of a `host:port` remote address (IPv6 hosts contain colons too). */
export function hostOf(remoteAddr: string): string {
  const i = remoteAddr.lastIndexOf(":");
  return i < 0 ? remoteAddr : remoteAddr.slice(0, i);
}

function braceList(p: string): AddressMatcher {
  const open = p.lastIndexOf("{");
  const prefix = p.slice(0, open);
  const sep = p.includes(":") ? ":" : ".";
  if (open < 0 || !(prefix.endsWith(sep))) {
    throw new AclError(`MultipleRemoteAddressStrategy netaddress examine scope Exception ${p}`);
  }
  if (sep === "." && prefix.split(".").length < 4) {
    throw new AclError(`MultipleRemoteAddressStrategy has got a/some wrong format IP(s) ${p}`);
  }
  const items = p.slice(open + 1, -1).split(",").map((s) => s.trim()).filter((s) => s);
  return addressSet(items.map((s) => prefix + s));
}

function addressSet(addresses: string[]): AddressMatcher {
  const set = new Set<string>();
  for (const a of addresses) {
    const n = normalizeAddress(a);
    if (n === undefined) throw new AclError(`Netaddress examine Exception netaddress is ${a}`);
    set.add(n);
  }
  return (host) => {
    const n = normalizeAddress(host);
    return n !== undefined && set.has(n);
  };
}

function ipv4Range(p: string): AddressMatcher {
  const parts = p.split(".").map((s) => s.trim());
  let index = -1;
  let start = 0;
  let end = 0;
  for (let i = 1; i < Math.min(parts.length, 4); i++) {
    const r = rangeOf(parts[i], 10, 255, p);
    if (r) {
      [start, end] = r;
      index = i;
      break;
    }
  }
  if (index < 0) throw new AclError(`Netaddress examine scope Exception netaddress is ${p}`);
  const head = parts.slice(0, index);
  if (!head.every((s) => /^\d{1,3}$/.test(s) && Number(s) <= 255)) {
    throw new AclError(`Netaddress examine scope Exception netaddress is ${p}`);
  }
  return (host) => {
    const octets = ipv4Octets(host);
    if (!octets) return false;
    for (let i = 0; i < index; i++) if (octets[i] !== Number(head[i])) return false;
    return octets[index] >= start && octets[index] <= end;
  };
}

function ipv6Range(p: string): AddressMatcher {
  const groups = p.split(":");
  const last = groups[groups.length - 1].trim();
  let rangeText: string;
  let prefix: string;
  let rangeGroup: number;
  if (last === "*" && groups.length >= 2 && groups[groups.length - 2].includes("-")) {
    rangeText = groups[groups.length - 2].trim();
    prefix = groups.slice(0, -2).join(":");
    rangeGroup = 6;
  } else {
    rangeText = last;
    prefix = groups.slice(0, -1).join(":");
    rangeGroup = 7;
  }
  // `a:b::1-ff`: the `::` stood right before the range group.
  if (prefix.endsWith(":") && !prefix.endsWith("::")) prefix += ":";
  if (prefix.includes("*") || prefix.includes("-")) {
    throw new AclError(`Netaddress examine scope Exception netaddress is ${p}`);
  }
  const r = rangeOf(rangeText, 16, 0xffff, p);
  const head = r ? expandGroups(prefix, rangeGroup) : undefined;
  if (!r || !head) throw new AclError(`Netaddress examine scope Exception netaddress is ${p}`);
  const [start, end] = r;
  return (host) => {
    const g = expandGroups(host, 8);
    if (!g) return false;
    for (let i = 0; i < rangeGroup; i++) if (g[i] !== head[i]) return false;
    const v = parseInt(g[rangeGroup], 16);
    return v >= start && v <= end;
  };
}

/** `*` (the whole span) or `a-b`; undefined for a plain number. */
function rangeOf(
  text: string,
  radix: number,
  max: number,
  p: string,
): [number, number] | undefined {
  if (text === "*") return [0, max];
  if (!text.includes("-")) return undefined;
  const [a, b, ...rest] = text.split("-");
  const digits = radix === 10 ? /^\d+$/ : /^[0-9a-fA-F]+$/;
  if (rest.length > 0 || !digits.test(a) || !digits.test(b)) {
    throw new AclError(`RangeRemoteAddressStrategy netaddress examine scope Exception value ${p}`);
  }
  const start = parseInt(a, radix);
  const end = parseInt(b, radix);
  if (start > end || end > max) {
    throw new AclError(
      `RangeRemoteAddressStrategy netaddress examine scope Exception start is ${start} , end is ${end}`,
    );
  }
  return [start, end];
}

function ipv4Octets(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((s) => /^\d{1,3}$/.test(s))) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** IPv4 as written; IPv6 as 8 upper-case 4-digit groups; undefined when neither. */
export function normalizeAddress(addr: string): string | undefined {
  const a = addr.trim();
  if (ipv4Octets(a)) return a.split(".").map(Number).join(".");
  return expandGroups(a, 8)?.join(":");
}

/** `text` (which may hold one `::`) as exactly `count` padded upper-case hex groups. */
function expandGroups(text: string, count: number): string[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === "" ? [] : s.split(":"));
  const left = split(halves[0]);
  const right = halves.length === 2 ? split(halves[1]) : [];
  const fill = count - left.length - right.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const groups = [...left, ...Array(Math.max(0, fill)).fill("0"), ...right];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.toUpperCase().padStart(4, "0"));
}
