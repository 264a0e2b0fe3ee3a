/**
 * A message's property string: `name \x01 value \x02` per property, ending with \x02.
 * Values are not escaped, so neither names nor values may contain the two separators.
 */
export const NAME_VALUE_SEPARATOR = "\u0001";
export const PROPERTY_SEPARATOR = "\u0002";

export type Properties = Record<string, string>;

export function encodeProperties(props: Properties): string {
  let s = "";
  for (const k in props) {
    const v = props[k];
    if (v === undefined || v === null) continue;
    s += k + NAME_VALUE_SEPARATOR + v + PROPERTY_SEPARATOR;
  }
  return s;
}

/**
 * Parses a property string the way Java's `string2messageProperties` does: items shorter than
 * three characters, or whose separator is first or last, are skipped.
 */
export function decodeProperties(s: string | undefined): Properties {
  const out: Properties = Object.create(null);
  if (!s) return out;
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = s.length;
    const sep = s.indexOf(NAME_VALUE_SEPARATOR, start);
    if (end - start >= 3 && sep > start && sep < end - 1) {
      out[s.slice(start, sep)] = s.slice(sep + 1, end);
    }
    start = end + 1;
  }
  return out;
}

/**
 * Reads one property without parsing the whole string (hot path: TAGS, KEYS, DELAY). Agrees
 * with decodeProperties: the last occurrence wins and an empty value counts as absent.
 */
export function getProperty(s: string | undefined, name: string): string | undefined {
  if (!s) return undefined;
  const i = findLastProperty(s, name);
  if (i < 0) return undefined;
  const from = i + name.length + 1;
  let end = s.indexOf(PROPERTY_SEPARATOR, from);
  if (end < 0) end = s.length;
  return end > from ? s.slice(from, end) : undefined;
}

/** Removes every occurrence of one property, leaving the rest byte for byte. */
export function removeProperty(s: string, name: string): string {
  let i = findProperty(s, name);
  while (i >= 0) {
    let end = s.indexOf(PROPERTY_SEPARATOR, i);
    end = end < 0 ? s.length : end + 1;
    s = s.slice(0, i) + s.slice(end);
    i = findProperty(s, name);
  }
  return s;
}

/** Appends (or replaces) one property. */
export function setProperty(s: string, name: string, value: string): string {
  const base = findProperty(s, name) >= 0 ? removeProperty(s, name) : s;
  const sep = base.length === 0 || base.endsWith(PROPERTY_SEPARATOR) ? "" : PROPERTY_SEPARATOR;
  return base + sep + name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
}

/**
 * Index of the last `name\x01` at the start of an item, or -1. Scans forward: V8's indexOf is
 * several times faster than lastIndexOf, and most lookups are for absent properties.
 */
function findLastProperty(s: string, name: string): number {
  let last = findProperty(s, name);
  if (last < 0) return -1;
  const needle = name + NAME_VALUE_SEPARATOR;
  let from = last + needle.length;
  while (true) {
    const i = s.indexOf(needle, from);
    if (i < 0) return last;
    if (s.charCodeAt(i - 1) === 2) last = i;
    from = i + 1;
  }
}

/** Index of the first `name\x01` at the start of an item, or -1. */
function findProperty(s: string, name: string): number {
  const needle = name + NAME_VALUE_SEPARATOR;
  let from = 0;
  while (true) {
    const i = s.indexOf(needle, from);
    if (i < 0) return -1;
    if (i === 0 || s.charCodeAt(i - 1) === 2) return i;
    from = i + 1;
  }
}
