/**
 * Golden byte vectors live in tests/fixtures/*.hex: `#` lines are comments (what produced the
 * bytes), everything else is hex with any whitespace.
 */
import { hexToBytes } from "../../src/common/hex.ts";

export function fixturePath(name: string): URL {
  return new URL(`../fixtures/${name}`, import.meta.url);
}

export function loadHexFixture(name: string): Uint8Array {
  const text = Deno.readTextFileSync(fixturePath(name));
  const hex = text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("").replace(
    /\s+/g,
    "",
  );
  return hexToBytes(hex);
}
