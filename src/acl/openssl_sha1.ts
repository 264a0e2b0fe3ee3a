/**
 * HMAC-SHA1 by the system's OpenSSL through Deno's FFI, where there is one: its SHA-1 uses the
 * CPU's SHA instructions, a block in a fraction of the JS compression's time, which is what the
 * ACL's cost on every send comes down to (hmac_sha1.ts is the fallback, and the reference it is
 * tested against).
 *
 * Only SHA1_Init/Update/Final are used: the key's inner and outer states are hashed once, and
 * each request copies them and hashes its content and body (no copy of the body, any size). Used
 * only on Linux (loading libcrypto by name is unsafe on macOS) with the FFI permission already
 * granted (never prompts), and only after it agrees with the JS implementation.
 */
import { HmacSha1, INNER_PAD, keyBlock, type KeyedSha1Mac, OUTER_PAD } from "./hmac_sha1.ts";

/** sizeof(SHA_CTX) is 96 on every 64-bit OpenSSL; the states here have room to spare. */
const CTX_BYTES = 256;
const BLOCK = 64;
const LIBRARIES = ["libcrypto.so.3", "libcrypto.so.1.1"];

/** Lengths are size_t: passed as bigint, which keeps the call on Deno's fast path (a number
 * argument for a usize costs twice as much per call). */
const SYMBOLS = {
  SHA1_Init: { parameters: ["buffer"], result: "i32" },
  SHA1_Update: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  SHA1_Final: { parameters: ["buffer", "buffer"], result: "i32" },
} as const;

type Sha1Symbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Keys HMACs with OpenSSL's SHA-1; made by `openSslSha1()`. */
export class OpenSslSha1 {
  readonly library: string;
  readonly #sha: Sha1Symbols;
  /** The working state, shared: nothing here awaits, so no two MACs interleave. */
  readonly #ctx = new Uint8Array(CTX_BYTES);
  readonly #inner = new Uint8Array(20);

  constructor(library: string, sha: Sha1Symbols) {
    this.library = library;
    this.#sha = sha;
  }

  keyed(key: Uint8Array): KeyedSha1Mac {
    const sha = this.#sha;
    const state = (padByte: number) => {
      const s = new Uint8Array(CTX_BYTES);
      sha.SHA1_Init(s);
      sha.SHA1_Update(s, keyBlock(key, padByte), BigInt(BLOCK));
      return s;
    };
    const innerState = state(INNER_PAD);
    const outerState = state(OUTER_PAD);
    const ctx = this.#ctx;
    const inner = this.#inner;
    return {
      mac(content, len, body, out) {
        ctx.set(innerState);
        sha.SHA1_Update(ctx, content, BigInt(len));
        if (body !== undefined && body.length > 0) sha.SHA1_Update(ctx, body, BigInt(body.length));
        sha.SHA1_Final(inner, ctx);
        ctx.set(outerState);
        sha.SHA1_Update(ctx, inner, 20n);
        sha.SHA1_Final(out, ctx);
      },
    };
  }
}

/** The loaded library, once looked for: null when there is none to use. */
let loaded: OpenSslSha1 | null | undefined;

/** OpenSSL's SHA-1 when this process can and may load it, else undefined (use HmacSha1). */
export function openSslSha1(): OpenSslSha1 | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

function load(): OpenSslSha1 | null {
  if (Deno.build.os !== "linux") return null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  } catch {
    return null;
  }
  for (const library of LIBRARIES) {
    let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
    try {
      lib = Deno.dlopen(library, SYMBOLS);
    } catch {
      continue; // Not installed, or without the SHA1_* symbols.
    }
    const candidate = new OpenSslSha1(library, lib.symbols);
    if (agreesWithReference(candidate)) return candidate;
    lib.close();
  }
  return null;
}

/**
 * Against HmacSha1 (itself tested against node:crypto and RFC 2202): a key longer than a block
 * and a short one, a message in two parts across block edges and a short one whole.
 */
function agreesWithReference(sha: OpenSslSha1): boolean {
  const data = new Uint8Array(300).map((_, i) => i * 13);
  const want = new Uint8Array(20);
  const out = new Uint8Array(20);
  for (const key of [new Uint8Array(100).map((_, i) => i * 7), new Uint8Array([1, 2, 3, 4])]) {
    for (const [len, cut] of [[300, 70], [28, 28]]) {
      new HmacSha1(key).mac(data, len, undefined, want);
      sha.keyed(key).mac(data, cut, data.subarray(cut, len), out);
      if (!out.every((b, i) => b === want[i])) return false;
    }
  }
  return true;
}
