import { parseHostPort } from "../common/address.ts";
import { errorMessage } from "../common/errors.ts";
import { type Logger, logger } from "../common/log.ts";
import { backgroundInterval, type Timer } from "../common/timer.ts";
import { Channel } from "./channel.ts";
import { createResponse, type RemotingCommand, SerializeType } from "./command.ts";
import { RemotingConnectError, RemotingTimeoutError } from "./errors.ts";
import { ResponseCode } from "./response_code.ts";
import type { Processor } from "./server.ts";
import { type Credentials, signRequest } from "../acl/signature.ts";
import type { TlsClientSettings } from "./tls/tls_settings.ts";

export interface ClientOptions {
  connectTimeoutMs?: number;
  /** Header encoding for requests this client builds (responses mirror the request). */
  serializeType?: SerializeType;
  /** Connections with no traffic for this long are closed (Java: 120 s). */
  idleTimeoutMs?: number;
  name?: string;
  /** Signs every request with this ACL account, as RocketMQ's AclClientRPCHook does. */
  credentials?: Credentials;
  /** Connects over TLS (absent: plain TCP). */
  tls?: TlsClientSettings;
}

/**
 * A remoting client: one connection per address, made on first use and again on the next call
 * after it drops. Servers may send requests back on the same connection (NOTIFY_CONSUMER_IDS_
 * CHANGED, CHECK_TRANSACTION_STATE …); they go to processors registered here.
 */
export class RemotingClient implements AsyncDisposable {
  readonly #channels = new Map<string, Promise<Channel>>();
  readonly #processors = new Map<number, Processor>();
  readonly #connectTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly serializeType: SerializeType;
  readonly #log: Logger;
  readonly #credentials: Credentials | undefined;
  readonly #tls: TlsClientSettings | undefined;
  #idleTimer: Timer | undefined;
  #closed = false;

  constructor(options: ClientOptions = {}) {
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
    this.serializeType = options.serializeType ?? SerializeType.JSON;
    this.#log = logger(options.name ?? "client");
    this.#credentials = options.credentials;
    this.#tls = options.tls;
  }

  registerProcessor(code: number, processor: Processor): this {
    this.#processors.set(code, processor);
    return this;
  }

  /** The open (or opening) connection to `addr`, connecting if there is none. */
  getChannel(addr: string, timeoutMs: number = this.#connectTimeoutMs): Promise<Channel> {
    if (this.#closed) return Promise.reject(new RemotingConnectError("Client is closed"));
    let p = this.#channels.get(addr);
    if (!p) {
      // A closing channel forgets its entry only if it is still the current one: after
      // closeChannel() a new connection may already stand in its place.
      const forget = () => {
        if (this.#channels.get(addr) === entry) this.#channels.delete(addr);
      };
      const entry = this.#connect(addr, Math.min(timeoutMs, this.#connectTimeoutMs), forget);
      p = entry;
      this.#channels.set(addr, p);
      p.catch(() => {
        // A failed connect is forgotten so the next call tries again; the caller sees the error.
        if (this.#channels.get(addr) === p) this.#channels.delete(addr);
      });
    }
    return p;
  }

  async #connect(addr: string, timeoutMs: number, onClose: () => void): Promise<Channel> {
    const { host, port } = parseHostPort(addr);
    let timer: Timer | undefined;
    const tls = this.#tls;
    // A TLS handshake's failure (an untrusted certificate) surfaces here, not at the first read.
    const connecting: Promise<Deno.Conn> = tls
      ? Deno.connectTls({
        hostname: host,
        port,
        caCerts: tls.caCerts,
        ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      }).then(async (c) => {
        try {
          await c.handshake();
          return c;
        } catch (e) {
          c.close();
          throw e;
        }
      })
      : Deno.connect({ hostname: host, port, transport: "tcp" });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RemotingConnectError(`Cannot connect to ${addr}: timed out after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    });
    let conn: Deno.Conn;
    try {
      conn = await Promise.race([connecting, timeout]);
    } catch (e) {
      // A connect that completes after the timeout must not leak its socket.
      connecting.then((c) => c.close(), () => {});
      if (e instanceof RemotingConnectError) throw e;
      throw new RemotingConnectError(`Cannot connect to ${addr}: ${errorMessage(e)}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    if (this.#closed) {
      conn.close();
      throw new RemotingConnectError("Client is closed");
    }
    const ch = new Channel(conn, {
      onRequest: (c, req) => this.#dispatch(c, req),
      onRequestError: (_c, req, e) => this.#failure(req, e),
      onClose,
      log: this.#log,
    });
    ch.start();
    this.#ensureIdleTimer();
    return ch;
  }

  #dispatch(ch: Channel, req: RemotingCommand): ReturnType<Processor> {
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

  #failure(req: RemotingCommand, e: unknown): RemotingCommand {
    this.#log.error("Client processor for code {code} failed: {error}", {
      code: req.code,
      error: e,
    });
    return createResponse(req, ResponseCode.SYSTEM_ERROR, errorMessage(e));
  }

  #withDefaults(req: RemotingCommand): RemotingCommand {
    req.serializeType = this.serializeType;
    if (this.#credentials) signRequest(req, this.#credentials);
    return req;
  }

  /**
   * Sends a request and waits for its response. The timeout covers connecting too.
   * Rejects with RemotingConnectError, RemotingTimeoutError or RemotingClosedError.
   */
  async invokeSync(
    addr: string,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    const start = Date.now();
    const ch = await this.getChannel(addr, timeoutMs);
    const left = timeoutMs - (Date.now() - start);
    if (left <= 0) {
      throw new RemotingTimeoutError(
        `Call to ${addr} timed out after ${timeoutMs} ms (connecting)`,
      );
    }
    return ch.invoke(this.#withDefaults(request), left);
  }

  /**
   * Like invokeSync, for callers that prefer a callback (Java's invokeAsync); the callback runs
   * exactly once with the response or the error.
   */
  invokeAsync(
    addr: string,
    request: RemotingCommand,
    timeoutMs: number,
    callback: (error: Error | undefined, response?: RemotingCommand) => void,
  ): void {
    const run = (error: Error | undefined, response?: RemotingCommand) => {
      try {
        callback(error, response);
      } catch (e) {
        // A throwing callback must not become an unhandled rejection that ends the process.
        this.#log.error("Callback for {code} to {addr} threw: {error}", {
          code: request.code,
          addr,
          error: e,
        });
      }
    };
    this.invokeSync(addr, request, timeoutMs).then(
      (r) => run(undefined, r),
      (e) => run(e instanceof Error ? e : new Error(String(e))),
    );
  }

  /** Sends a request marked oneway; resolves once it is queued on the connection. */
  async invokeOneway(
    addr: string,
    request: RemotingCommand,
    timeoutMs: number = this.#connectTimeoutMs,
  ): Promise<void> {
    const ch = await this.getChannel(addr, timeoutMs);
    ch.invokeOneway(this.#withDefaults(request));
  }

  /** Closes the connection to one address (e.g. a broker that went away). */
  async closeChannel(addr: string): Promise<void> {
    const p = this.#channels.get(addr);
    if (!p) return;
    this.#channels.delete(addr);
    try {
      (await p).close();
    } catch {
      // It never connected; nothing to close.
    }
  }

  #ensureIdleTimer(): void {
    if (this.#idleTimer !== undefined) return;
    this.#idleTimer = backgroundInterval(
      () => this.#closeIdle(),
      Math.min(10_000, this.#idleTimeoutMs),
    );
  }

  async #closeIdle(): Promise<void> {
    const cutoff = Date.now() - this.#idleTimeoutMs;
    for (const [addr, p] of this.#channels) {
      const ch = await p.catch(() => undefined);
      if (ch && ch.lastActive < cutoff && ch.pendingCalls === 0) {
        this.#log.debug("Closing idle connection to {addr}", { addr });
        ch.close("idle");
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#idleTimer !== undefined) clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
    const all = [...this.#channels.values()];
    this.#channels.clear();
    for (const p of all) {
      try {
        (await p).close("client closing");
      } catch {
        // Never connected.
      }
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
