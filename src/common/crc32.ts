import { crc32 } from "node:zlib";

/**
 * CRC32 masked to 31 bits, as RocketMQ stores BODYCRC and checks REGISTER_BROKER `bodyCrc32`
 * (Java's `UtilAll.crc32` returns `crc & 0x7FFFFFFF`).
 */
export function maskedCrc32(data: Uint8Array): number {
  return crc32(data) & 0x7fffffff;
}
