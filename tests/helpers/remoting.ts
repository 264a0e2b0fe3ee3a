/**
 * Test helpers for the remoting layer: a server on 127.0.0.1 port 0, a raw TCP connection for
 * sending hand-made bytes and reading whole frames back, and a capture of rmq's log records.
 */
import { configureSync, type LogRecord, resetSync } from "@logtape/logtape";
import type { RemotingCommand } from "../../src/remoting/command.ts";
import { FrameReader } from "../../src/remoting/frame_reader.ts";
import { type Processor, RemotingServer, type ServerOptions } from "../../src/remoting/server.ts";

/** A listening server on 127.0.0.1 with an ephemeral port; `addr` is `127.0.0.1:<port>`. */
export function startServer(
  processors: Record<number, Processor> = {},
  options: ServerOptions = {},
): { server: RemotingServer; addr: string; port: number } & AsyncDisposable {
  const server = new RemotingServer({ hostname: "127.0.0.1", port: 0, ...options });
  server.registerProcessors(processors);
  const { port } = server.listen();
  return {
    server,
    addr: `127.0.0.1:${port}`,
    port,
    [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
  };
}

/** Rejects with an Error after `ms` unless `p` settles first; the timer never outlives the race. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a raw connection ended when read to its end. */
export interface ReadToEnd {
  /** Every byte the peer sent before the end. */
  bytes: Uint8Array;
  /** True for a reset (the peer closed with unread data), false for an orderly EOF. */
  reset: boolean;
}

/** A plain TCP connection to a server, for bytes no well-behaved client would send. */
export class RawConn implements Disposable {
  readonly conn: Deno.TcpConn;
  readonly #reader = new FrameReader();
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  static async connect(port: number): Promise<RawConn> {
    return new RawConn(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Takes over an open connection (e.g. the accepted end of a socket pair). */
  static wrap(conn: Deno.TcpConn): RawConn {
    return new RawConn(conn);
  }

  /** Writes every byte (looping over partial writes). */
  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  /** The next whole frame from the peer; rejects on EOF, a bad frame or after `timeoutMs`. */
  readFrame(timeoutMs = 2000): Promise<RemotingCommand> {
    return this.#guard(this.#readFrame(), timeoutMs, "waiting for a frame");
  }

  async #readFrame(): Promise<RemotingCommand> {
    while (true) {
      const cmd = this.#reader.next();
      if (cmd) return cmd;
      const buf = this.#reader.writable();
      const n = await this.conn.read(buf);
      if (n === null) throw new Error("Connection closed by the peer while waiting for a frame");
      this.#reader.commit(n);
    }
  }

  /** Reads until the peer closes; returns what arrived and whether it was a reset. */
  readToEnd(timeoutMs = 2000): Promise<ReadToEnd> {
    return this.#guard(this.#readToEnd(), timeoutMs, "waiting for the peer to close");
  }

  async #readToEnd(): Promise<ReadToEnd> {
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(64 * 1024);
    let reset = false;
    try {
      while (true) {
        const n = await this.conn.read(buf);
        if (n === null) break;
        chunks.push(buf.slice(0, n));
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.ConnectionReset)) throw e;
      reset = true;
    }
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let pos = 0;
    for (const c of chunks) {
      bytes.set(c, pos);
      pos += c.length;
    }
    return { bytes, reset };
  }

  /** Races `p` against a timer; on timeout the connection is closed so the read op ends. */
  async #guard<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    try {
      return await within(p, ms, what);
    } catch (e) {
      this.close();
      // The read rejects once the connection is closed; it has nothing more to say.
      await p.catch((_: unknown) => undefined);
      throw e;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch (e) {
      if (!(e instanceof Deno.errors.BadResource)) throw e;
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Both ends of one real loopback TCP connection; closes whatever is still open when disposed. */
export async function socketPair(): Promise<
  { client: Deno.TcpConn; server: Deno.TcpConn } & Disposable
> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  return {
    client,
    server,
    [Symbol.dispose]() {
      for (const c of [client, server]) {
        try {
          c.close();
        } catch (e) {
          if (!(e instanceof Deno.errors.BadResource)) throw e;
        }
      }
    },
  };
}

/** rmq log records captured while the returned object is alive. */
export interface CapturedLogs extends Disposable {
  readonly records: LogRecord[];
  /** Records at `level` whose message template contains `text`. */
  matching(level: LogRecord["level"], text: string): LogRecord[];
}

/**
 * Sends every `rmq` log record to memory (debug and up) until disposed. LogTape's configuration
 * is global to the isolate, so use one capture at a time (test files run sequentially inside).
 */
export function captureLogs(): CapturedLogs {
  const records: LogRecord[] = [];
  configureSync({
    reset: true,
    sinks: { memory: (r: LogRecord) => records.push(r) },
    loggers: [
      { category: ["rmq"], sinks: ["memory"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "error" },
    ],
  });
  return {
    records,
    matching(level, text) {
      return records.filter((r) =>
        r.level === level && typeof r.rawMessage === "string" && r.rawMessage.includes(text)
      );
    },
    [Symbol.dispose]() {
      resetSync();
    },
  };
}
