/**
 * Java's `String.hashCode()`: h = 31·h + c over UTF-16 code units, wrapping at 32 bits.
 * RocketMQ uses it for consume-queue tag codes and index-file key hashes, so the same tag
 * must hash to the same int here as in the Java broker (`"TagA"` → 2598919).
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
