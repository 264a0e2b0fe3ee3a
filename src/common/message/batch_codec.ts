/**
 * The SEND_BATCH_MESSAGE request body: items back to back.
 *
 *   size  field
 *   4     TOTALSIZE = 22 + n + p (this item, this field included)
 *   4     MAGICCODE (0, unused)
 *   4     BODYCRC (0, the broker computes it)
 *   4     FLAG
 *   4     BODY length n
 *   n     BODY
 *   2     PROPERTIES length p (int16)
 *   p     PROPERTIES
 */
import { dataView, textDecoder, textEncoder } from "../bytes.ts";

export interface BatchItem {
  flag: number;
  body: Uint8Array;
  /** Raw property string (properties.ts). */
  properties: string;
}

export function encodeBatch(items: readonly BatchItem[]): Uint8Array {
  const props = items.map((m) => textEncoder.encode(m.properties));
  let total = 0;
  for (let i = 0; i < items.length; i++) total += 22 + items[i].body.length + props[i].length;
  const out = new Uint8Array(total);
  const v = dataView(out);
  let p = 0;
  for (let i = 0; i < items.length; i++) {
    const m = items[i];
    const size = 22 + m.body.length + props[i].length;
    v.setInt32(p, size);
    v.setInt32(p + 4, 0);
    v.setInt32(p + 8, 0);
    v.setInt32(p + 12, m.flag);
    v.setInt32(p + 16, m.body.length);
    out.set(m.body, p + 20);
    v.setInt16(p + 20 + m.body.length, props[i].length);
    out.set(props[i], p + 22 + m.body.length);
    p += size;
  }
  return out;
}

/** Decodes a batch body; throws RangeError naming the item when the lengths do not add up. */
export function decodeBatch(bytes: Uint8Array): BatchItem[] {
  const v = dataView(bytes);
  const out: BatchItem[] = [];
  let p = 0;
  while (p < bytes.length) {
    const fail = (what: string): never => {
      throw new RangeError(`Cannot decode batch item ${out.length}: ${what}`);
    };
    if (bytes.length - p < 22) fail("truncated");
    const size = v.getInt32(p);
    const bodyLength = v.getInt32(p + 16);
    if (bodyLength < 0 || 22 + bodyLength > size || p + size > bytes.length) {
      fail(`bad size ${size} with body length ${bodyLength}`);
    }
    const propertiesLength = v.getInt16(p + 20 + bodyLength);
    if (propertiesLength < 0 || 22 + bodyLength + propertiesLength !== size) {
      fail(`bad properties length ${propertiesLength}`);
    }
    out.push({
      flag: v.getInt32(p + 12),
      body: bytes.slice(p + 20, p + 20 + bodyLength),
      properties: textDecoder.decode(
        bytes.subarray(p + 22 + bodyLength, p + 22 + bodyLength + propertiesLength),
      ),
    });
    p += size;
  }
  return out;
}
