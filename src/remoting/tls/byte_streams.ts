/**
 * Byte-stream adapters a TLS-capable server needs: a connection whose first bytes were already
 * read to tell TLS from plain; a Deno connection as the node Duplex node:tls wraps (Deno's own
 * TLS listener cannot share a port with plain TCP, nor check client certificates); and a node
 * socket as the ByteStream a Channel reads.
 */
import { Duplex } from "node:stream";
import type { Socket } from "node:net";
import type { ByteStream } from "../channel.ts";

/** `conn` with `head` put back in front of what it reads next. */
export class PrefixedStream implements ByteStream {
  #head: Uint8Array | undefined;
  readonly #conn: Deno.Conn;

  constructor(conn: Deno.Conn, head: Uint8Array) {
    this.#conn = conn;
    this.#head = head.length > 0 ? head : undefined;
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  }

  get remoteAddr(): Deno.Addr {
    return this.#conn.remoteAddr;
  }

  get localAddr(): Deno.Addr {
    return this.#conn.localAddr;
  }

  read(p: Uint8Array): Promise<number | null> {
    const head = this.#head;
    if (!head) return this.#conn.read(p);
    const n = Math.min(p.length, head.length);
    p.set(head.subarray(0, n));
    this.#head = n < head.length ? head.subarray(n) : undefined;
    return Promise.resolve(n);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }

  close(): void {
    this.#conn.close();
  }
}

const READ_CHUNK = 64 * 1024;

/** A node Duplex over a Deno connection, `head` first. */
export function duplexOf(conn: Deno.Conn, head: Uint8Array): Duplex {
  let pending: Uint8Array | undefined = head.length > 0 ? head : undefined;
  return new Duplex({
    read() {
      if (pending) {
        const h = pending;
        pending = undefined;
        this.push(h);
        return;
      }
      const buf = new Uint8Array(READ_CHUNK);
      conn.read(buf).then(
        (n) => this.push(n === null ? null : buf.subarray(0, n)),
        (e) => this.destroy(e instanceof Error ? e : new Error(String(e))),
      );
    },
    write(chunk: Uint8Array, _enc, done) {
      (async () => {
        let off = 0;
        while (off < chunk.length) off += await conn.write(chunk.subarray(off));
      })().then(() => done(), (e) => done(e));
    },
    final(done) {
      try {
        conn.closeWrite();
      } catch {
        // Already closed.
      }
      done();
    },
    destroy(_e, done) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      done(null);
    },
  });
}

/** Buffered bytes past which the socket is paused until the channel reads them. */
const HIGH_WATER = 1024 * 1024;

/** A node socket (a TLS session) as a ByteStream; addresses are the underlying connection's. */
export class SocketStream implements ByteStream {
  readonly remoteAddr: Deno.Addr;
  readonly localAddr: Deno.Addr;
  readonly #sock: Socket;
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(sock: Socket, remoteAddr: Deno.Addr, localAddr: Deno.Addr) {
    this.#sock = sock;
    this.remoteAddr = remoteAddr;
    this.localAddr = localAddr;
    sock.on("data", (d: Uint8Array) => {
      this.#chunks.push(d);
      this.#buffered += d.length;
      if (this.#buffered > HIGH_WATER) sock.pause();
      this.#notify();
    });
    sock.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    sock.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
    sock.on("error", (e: Error) => {
      this.#error = e;
      this.#notify();
    });
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((r) => this.#wake = r);
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const c = this.#chunks[0];
      const take = Math.min(c.length, p.length - n);
      p.set(c.subarray(0, take), n);
      n += take;
      if (take === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(take);
    }
    this.#buffered -= n;
    if (this.#buffered <= HIGH_WATER / 2 && this.#sock.isPaused()) this.#sock.resume();
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#error) return Promise.reject(this.#error);
    // The caller reuses its buffer once this resolves; the socket may still hold the chunk.
    const copy = p.slice();
    return new Promise((resolve, reject) => {
      this.#sock.write(copy, (e?: Error | null) => (e ? reject(e) : resolve(copy.length)));
    });
  }

  close(): void {
    this.#sock.destroy();
  }
}
