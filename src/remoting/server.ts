import { errorMessage } from "../common/errors.ts";
import { type Logger, logger } from "../common/log.ts";
import { LogLimiter } from "../common/log_limiter.ts";
import { collectGarbage } from "../common/memory.ts";
import { backgroundInterval, type Timer } from "../common/timer.ts";
import { type ByteStream, Channel } from "./channel.ts";
import { createResponse, type RemotingCommand } from "./command.ts";
import { HeaderError } from "./header_codec.ts";
import { ResponseCode } from "./response_code.ts";
import { acceptConnection } from "./tls/tls_accept.ts";
import type { TlsServerMaterial } from "./tls/tls_settings.ts";

/**
 * Handles one request code. Returns the response (its opaque and flag are set for it), or
 * null/undefined for none. Throwing answers SYSTEM_ERROR with the error's message, as a Java
 * server does.
 */
export type Processor = (
  request: RemotingCommand,
  channel: Channel,
) => Promise<RemotingCommand | null | undefined> | RemotingCommand | null | undefined;

export interface ServerOptions {
  hostname?: string;
  port?: number;
  /** Connections with no traffic for this long are closed (Java: 120 s). */
  idleTimeoutMs?: number;
  /** How often idle connections are looked for. */
  idleScanIntervalMs?: number;
  /** Log category under `rmq` (e.g. "namesrv"). */
  name?: string;
  /**
   * Most connections at once (0: no limit, as RocketMQ's servers have none). A connection past
   * it has its first request answered SYSTEM_BUSY, saying why, and is closed.
   */
  maxConnections?: number;
  /**
   * Checked before every request's processor (the ACL): a command to answer instead, or
   * undefined to go on.
   */
  authorize?: (request: RemotingCommand, channel: Channel) => RemotingCommand | undefined;
  /** TLS (permissive or enforcing); absent: plain TCP only. */
  tls?: TlsServerMaterial;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const ACCEPT_RETRY_MS = 100;
/** A refused connection's answer goes out within this before it is closed anyway. */
const REFUSAL_GRACE_MS = 1000;
/** Refusals, and connections closed for a malformed frame, are logged this often at most. */
const REFUSAL_LOGS_PER_MINUTE = 1;
const MALFORMED_LOGS_PER_MINUTE = 10;
/**
 * After this many connections closed, and a quiet second, the server collects garbage: their
 * buffers leave the process only at a collection, which an idle server never triggers.
 */
const GC_AFTER_CLOSES = 256;
const GC_DELAY_MS = 1000;

/**
 * A remoting server on Deno.listen: one Channel per connection, requests dispatched by code
 * through one processor table, unknown codes answered REQUEST_CODE_NOT_SUPPORTED.
 */
export class RemotingServer implements AsyncDisposable {
  readonly #processors = new Map<number, Processor>();
  readonly #channels = new Set<Channel>();
  readonly #openListeners: ((ch: Channel) => void)[] = [];
  readonly #closeListeners: ((ch: Channel) => void)[] = [];
  readonly #opts: Required<Omit<ServerOptions, "authorize" | "tls">>;
  readonly #authorize: ServerOptions["authorize"];
  readonly #tls: TlsServerMaterial | undefined;
  readonly #log: Logger;
  #listener: Deno.TcpListener | undefined;
  #idleTimer: Timer | undefined;
  #drainWaiters: (() => void)[] = [];
  #accepting = false;
  #closedSinceGc = 0;
  #gcTimer: Timer | undefined;
  readonly #refusalLog = new LogLimiter(REFUSAL_LOGS_PER_MINUTE, 60_000);
  readonly #malformedLog = new LogLimiter(MALFORMED_LOGS_PER_MINUTE, 60_000);
  readonly #tlsRefusalLog = new LogLimiter(MALFORMED_LOGS_PER_MINUTE, 60_000);
  /** Connections whose first bytes are awaited to tell TLS from plain (closed with the server). */
  readonly #undecided = new Set<Deno.Conn>();

  constructor(options: ServerOptions = {}) {
    this.#opts = {
      hostname: options.hostname ?? "0.0.0.0",
      port: options.port ?? 0,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      idleScanIntervalMs: options.idleScanIntervalMs ?? 10_000,
      name: options.name ?? "remoting",
      maxConnections: options.maxConnections ?? 0,
    };
    this.#authorize = options.authorize;
    this.#tls = options.tls;
    this.#log = logger(this.#opts.name);
  }

  registerProcessor(code: number, processor: Processor): this {
    this.#processors.set(code, processor);
    return this;
  }

  /** Registers a table of processors keyed by request code. */
  registerProcessors(table: ReadonlyMap<number, Processor> | Record<number, Processor>): this {
    const entries = table instanceof Map ? table.entries() : Object.entries(table);
    for (const [code, p] of entries) this.registerProcessor(Number(code), p as Processor);
    return this;
  }

  onChannelOpen(listener: (ch: Channel) => void): void {
    this.#openListeners.push(listener);
  }

  /** Called when any connection closes, for whatever reason. */
  onChannelClose(listener: (ch: Channel) => void): void {
    this.#closeListeners.push(listener);
  }

  get channels(): ReadonlySet<Channel> {
    return this.#channels;
  }

  /** Requests being processed right now. */
  get inflight(): number {
    let n = 0;
    for (const ch of this.#channels) n += ch.inflightRequests;
    return n;
  }

  /** The bound address (after listen). */
  get addr(): Deno.NetAddr {
    if (!this.#listener) throw new Error("Server is not listening");
    return this.#listener.addr;
  }

  /** Binds and starts accepting; port 0 picks a free port (see `addr`). */
  listen(): Deno.NetAddr {
    this.#listener = Deno.listen({
      hostname: this.#opts.hostname,
      port: this.#opts.port,
      transport: "tcp",
    });
    this.#accepting = true;
    this.#acceptLoop(this.#listener);
    this.#idleTimer = backgroundInterval(() => this.#closeIdle(), this.#opts.idleScanIntervalMs);
    return this.#listener.addr;
  }

  async #acceptLoop(listener: Deno.TcpListener): Promise<void> {
    while (this.#accepting) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (!this.#accepting || e instanceof Deno.errors.BadResource) return;
        // Transient (e.g. out of file descriptors): keep serving once it passes.
        this.#log.error("Accept failed, retrying: {why}", { why: errorMessage(e) });
        await new Promise((r) => setTimeout(r, ACCEPT_RETRY_MS));
        continue;
      }
      const max = this.#opts.maxConnections;
      if (max > 0 && this.#channels.size >= max) {
        this.#refuse(conn, max);
        continue;
      }
      if (this.#tls) void this.#openTls(conn, this.#tls);
      else this.#open(conn);
    }
  }

  /** Tells TLS from plain on the connection's first bytes, then serves it (or refuses it). */
  async #openTls(conn: Deno.TcpConn, tls: TlsServerMaterial): Promise<void> {
    let stream: ByteStream;
    this.#undecided.add(conn);
    try {
      stream = await acceptConnection(conn, tls);
    } catch (e) {
      if (!this.#accepting) return;
      try {
        conn.close();
      } catch {
        // Closed already.
      }
      const held = this.#tlsRefusalLog.take();
      if (held !== undefined) {
        this.#log.warn("Closed connection {remote}: {why}", {
          remote: `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`,
          why: errorMessage(e),
        });
      }
      return;
    } finally {
      this.#undecided.delete(conn);
    }
    if (!this.#accepting) {
      stream.close();
      return;
    }
    this.#open(stream);
  }

  #open(conn: ByteStream): void {
    const ch = new Channel(conn, {
      onRequest: (c, req) => this.#dispatch(c, req),
      onRequestError: (c, req, e) => this.#failure(req, c, e),
      onRequestSettled: () => this.#settled(),
      onClose: (c) => this.#onClose(c),
      log: this.#log,
      malformedLog: this.#malformedLog,
    });
    this.#channels.add(ch);
    for (const l of this.#openListeners) {
      try {
        l(ch);
      } catch (e) {
        // A throwing listener must not end the accept loop (or the process).
        this.#log.error("Channel-open listener failed: {error}", { error: e });
      }
    }
    ch.start();
  }

  /** A connection past maxConnections: its first request is answered why, then it closes. */
  #refuse(conn: Deno.TcpConn, max: number): void {
    const held = this.#refusalLog.take();
    if (held !== undefined) {
      this.#log.warn(
        "Refused {count} connection(s) (latest from {remote}): maxConnections {max} reached",
        { count: held + 1, remote: conn.remoteAddr, max },
      );
    }
    const ch: Channel = new Channel(conn, {
      onRequest: (_c, req) => {
        // Once the answer below is queued: a graceful close lets it reach the peer first.
        setTimeout(() => void ch.closeGracefully("too many connections", REFUSAL_GRACE_MS));
        return createResponse(
          req,
          ResponseCode.SYSTEM_BUSY,
          `too many connections: maxConnections ${max} reached, try again later`,
        );
      },
      log: this.#log,
    });
    ch.start();
    // A peer that sends nothing is not kept waiting for.
    const timer = setTimeout(() => ch.close("too many connections"), REFUSAL_GRACE_MS);
    void ch.closed.then(() => clearTimeout(timer));
  }

  #onClose(ch: Channel): void {
    this.#channels.delete(ch);
    if (++this.#closedSinceGc >= GC_AFTER_CLOSES) {
      if (this.#gcTimer !== undefined) clearTimeout(this.#gcTimer);
      this.#gcTimer = setTimeout(() => {
        this.#gcTimer = undefined;
        this.#closedSinceGc = 0;
        void collectGarbage();
      }, GC_DELAY_MS);
      Deno.unrefTimer(this.#gcTimer as unknown as number);
    }
    for (const l of this.#closeListeners) {
      try {
        l(ch);
      } catch (e) {
        this.#log.error("Channel-close listener failed: {error}", { error: e });
      }
    }
  }

  /** Errors and settlement come back through the channel (no promise added per request). */
  #dispatch(ch: Channel, req: RemotingCommand): ReturnType<Processor> {
    if (this.#authorize) {
      const refused = this.#authorize(req, ch);
      if (refused) return refused;
    }
    const p = this.#processors.get(req.code);
    if (!p) {
      return createResponse(
        req,
        ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
        ` request type ${req.code} not supported`,
      );
    }
    return p(req, ch);
  }

  #failure(req: RemotingCommand, ch: Channel, e: unknown): RemotingCommand {
    if (!(e instanceof HeaderError)) {
      this.#log.error("Processor for code {code} from {remote} failed: {error}", {
        code: req.code,
        remote: ch.remoteAddr,
        error: e,
      });
    }
    return createResponse(req, ResponseCode.SYSTEM_ERROR, errorMessage(e));
  }

  #settled(): void {
    if (this.#drainWaiters.length > 0 && this.inflight === 0) {
      for (const w of this.#drainWaiters.splice(0)) w();
    }
  }

  #closeIdle(): void {
    const cutoff = Date.now() - this.#opts.idleTimeoutMs;
    for (const ch of this.#channels) {
      if (ch.lastActive < cutoff && ch.pendingCalls === 0) {
        this.#log.info("Closing idle connection {remote}", { remote: ch.remoteAddr });
        ch.close("idle");
      }
    }
  }

  /** Stops accepting new connections; existing ones keep working. */
  stopAccepting(): void {
    if (!this.#accepting) return;
    this.#accepting = false;
    for (const conn of this.#undecided) {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
    try {
      this.#listener?.close();
    } catch {
      // Already closed.
    }
  }

  /** Resolves when no request is being processed, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return true;
    let timer: Timer | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((r) => this.#drainWaiters.push(() => r(true))),
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), timeoutMs)),
    ]);
    clearTimeout(timer);
    return drained;
  }

  /**
   * Graceful stop: no new connections, in-flight requests finish (up to `graceMs`), their
   * answers are written, then every connection closes.
   */
  async shutdown(graceMs = 5000): Promise<void> {
    this.stopAccepting();
    const start = Date.now();
    await this.drain(graceMs);
    const left = Math.max(100, graceMs - (Date.now() - start));
    await Promise.all(
      [...this.#channels].map((ch) => ch.closeGracefully("server shutting down", left)),
    );
    this.close();
  }

  /** Stops at once: closes the listener and every connection. */
  close(): void {
    this.stopAccepting();
    if (this.#idleTimer !== undefined) clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#gcTimer !== undefined) clearTimeout(this.#gcTimer);
    this.#gcTimer = undefined;
    for (const ch of [...this.#channels]) ch.close("server closing");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await Promise.resolve();
  }
}
