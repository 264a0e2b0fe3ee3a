import { errorMessage } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import type { LogLimiter } from "../common/log_limiter.ts";
import { isOneway, isResponse, type RemotingCommand, RemotingFlag } from "./command.ts";
import { MAX_FRAME_SIZE, prepareFrame, writeFrame } from "./frame_codec.ts";
import { FrameReader } from "./frame_reader.ts";
import { RemotingClosedError, RemotingTimeoutError } from "./errors.ts";
import { requestCodeName } from "./request_code.ts";
import { ResponseCode } from "./response_code.ts";

/** Answers a request that arrived on a channel; null/undefined means "no answer". */
export type RequestHandler = (
  channel: Channel,
  request: RemotingCommand,
) => Promise<RemotingCommand | null | undefined> | RemotingCommand | null | undefined;

export interface ChannelOptions {
  onRequest: RequestHandler;
  /** The answer to a request whose handler threw or rejected (none when absent). */
  onRequestError?: (
    channel: Channel,
    request: RemotingCommand,
    error: unknown,
  ) => RemotingCommand | null | undefined;
  /** Called when a request whose handler returned a promise has settled. */
  onRequestSettled?: (channel: Channel) => void;
  onClose?: (channel: Channel) => void;
  log: Logger;
  /**
   * Limits the "malformed frame" lines (one per connection, as each such connection closes):
   * shared by a server's channels, so a stream of bad connections costs a few lines a minute.
   */
  malformedLog?: LogLimiter;
  /**
   * Requests from the peer being processed at once before the channel stops reading from the
   * socket (TCP backpressure then slows the peer down instead of memory growing).
   */
  maxInflightRequests?: number;
}

export const DEFAULT_MAX_INFLIGHT_REQUESTS = 8192;

/**
 * The byte stream a channel runs over: a Deno.Conn (plain TCP or client TLS), or a server-side
 * TLS session (remoting/tls/), or a connection whose first bytes were already read.
 */
export interface ByteStream {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  readonly remoteAddr: Deno.Addr;
  readonly localAddr: Deno.Addr;
}

interface Pending {
  resolve(cmd: RemotingCommand): void;
  reject(e: Error): void;
  /** Date.now() after which the call fails with RemotingTimeoutError. */
  deadline: number;
  code: number;
  timeoutMs: number;
}

/**
 * Call timeouts are enforced by one sweep per channel rather than a timer per call: at 100k
 * calls/s a setTimeout/clearTimeout pair per call is a measurable share of client CPU. A call
 * therefore fails up to this much after its deadline.
 */
const SWEEP_INTERVAL_MS = 10;
/** Sweeps with nothing pending before the sweep timer stops (restarting it per call is waste). */
const IDLE_SWEEPS_BEFORE_STOP = 100;

/** The smallest write buffer; a channel that has nothing to write holds none. */
const OUT_MIN = 4 * 1024;
/**
 * After a write of less than this the channel is taken to be quiet: its buffers go (a busy one
 * keeps them for the next batch).
 */
const OUT_QUIET_BATCH = 4 * 1024;
/** A write buffer grown past this is dropped after use rather than kept. */
const OUT_KEEP_MAX = 4 * 1024 * 1024;
const EMPTY = new Uint8Array(0);
/**
 * Queued output beyond this means the peer stopped reading; the connection is closed rather
 * than letting memory grow without bound.
 */
const OUT_MAX_QUEUED = 64 * 1024 * 1024;

let channelIds = 0;

/**
 * One TCP connection speaking the remoting protocol, used by both server and client: a read
 * loop over a reused buffer, requests handled concurrently and answered as each completes,
 * calls matched to responses by opaque, and a writer that coalesces every frame queued while
 * the previous write was in flight into one write.
 */
export class Channel {
  readonly id = ++channelIds;
  readonly remoteAddr: string;
  readonly localAddr: string;
  /** Last time a byte was read or written (ms). */
  lastActive: number = Date.now();

  readonly #conn: ByteStream;
  readonly #opts: ChannelOptions;
  readonly #reader = new FrameReader();
  readonly #pending = new Map<number, Pending>();
  #out: Uint8Array = EMPTY;
  #outLen = 0;
  #spare: Uint8Array | undefined;
  #writing = false;
  #closed = false;
  #closing = false;
  #closeReason: string | undefined;
  #inflight = 0;
  readonly #maxInflight: number;
  #resumeReading: (() => void) | undefined;
  #drainWaiters: (() => void)[] = [];
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #idleSweeps = 0;
  readonly #closedPromise: Promise<void>;
  #resolveClosed!: () => void;

  constructor(conn: ByteStream, opts: ChannelOptions) {
    this.#conn = conn;
    this.#opts = opts;
    this.#maxInflight = opts.maxInflightRequests ?? DEFAULT_MAX_INFLIGHT_REQUESTS;
    this.remoteAddr = netAddrText(conn.remoteAddr);
    this.localAddr = netAddrText(conn.localAddr);
    this.#closedPromise = new Promise((r) => this.#resolveClosed = r);
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Resolves once the channel is closed, for any reason. */
  get closed(): Promise<void> {
    return this.#closedPromise;
  }

  /** Calls awaiting a response. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Bytes of buffer this channel holds (read and write), for memory accounting and tests. */
  get bufferBytes(): number {
    return this.#reader.capacity + this.#out.length + (this.#spare?.length ?? 0);
  }

  /** Requests from the peer still being processed. */
  get inflightRequests(): number {
    return this.#inflight;
  }

  /** Starts the read loop; returns at once. */
  start(): void {
    this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    try {
      while (!this.#closed && !this.#closing) {
        if (this.#inflight >= this.#maxInflight) {
          await new Promise<void>((r) => this.#resumeReading = r);
          continue;
        }
        const n = await this.#conn.read(this.#reader.writable());
        if (n === null) break;
        this.#reader.commit(n);
        this.lastActive = Date.now();
        let cmd: RemotingCommand | undefined;
        while (!this.#closed && !this.#closing && (cmd = this.#reader.next()) !== undefined) {
          this.#onFrame(cmd);
        }
      }
      if (!this.#closing) this.close("peer closed the connection");
    } catch (e) {
      if (!this.#closed && !this.#closing) {
        const why = errorMessage(e);
        if (e instanceof RangeError || e instanceof SyntaxError) {
          const held = this.#opts.malformedLog ? this.#opts.malformedLog.take() : 0;
          if (held !== undefined) {
            this.#opts.log.warn(
              held > 0
                ? "Closing connection {remote}: {why} ({held} more such connections not logged)"
                : "Closing connection {remote}: {why}",
              { remote: this.remoteAddr, why, held },
            );
          }
          // Answers already queued for earlier, well-formed requests still go out.
          this.closeGracefully(why, 1000);
        } else this.close(why);
      }
    }
  }

  #onFrame(cmd: RemotingCommand): void {
    if (isResponse(cmd)) {
      const p = this.#pending.get(cmd.opaque);
      if (!p) {
        this.#opts.log.debug("Response {opaque} from {remote} matches no call (late?)", {
          opaque: cmd.opaque,
          remote: this.remoteAddr,
        });
        return;
      }
      this.#pending.delete(cmd.opaque);
      p.resolve(cmd);
      return;
    }
    let result: ReturnType<RequestHandler>;
    try {
      result = this.#opts.onRequest(this, cmd);
    } catch (e) {
      result = this.#requestFailed(cmd, e);
    }
    if (result instanceof Promise) {
      this.#inflight++;
      result.then(
        (r) => {
          this.#requestDone();
          this.#answer(cmd, r);
        },
        (e) => {
          this.#requestDone();
          this.#answer(cmd, this.#requestFailed(cmd, e));
        },
      );
    } else this.#answer(cmd, result);
  }

  #requestFailed(request: RemotingCommand, e: unknown): RemotingCommand | null | undefined {
    const handler = this.#opts.onRequestError;
    if (handler) return handler(this, request, e);
    this.#opts.log.error("Request handler failed: {error}", { error: e });
    return undefined;
  }

  #requestDone(): void {
    this.#inflight--;
    this.#opts.onRequestSettled?.(this);
    if (this.#resumeReading && this.#inflight < this.#maxInflight / 2) {
      const resume = this.#resumeReading;
      this.#resumeReading = undefined;
      resume();
    }
  }

  #answer(request: RemotingCommand, response: RemotingCommand | null | undefined): void {
    if (!response || isOneway(request) || this.#closed) return;
    response.opaque = request.opaque;
    response.flag |= RemotingFlag.RESPONSE;
    try {
      this.send(response);
    } catch (e) {
      // Over the 16 MiB cap: answer the error rather than drop the connection (sync handlers)
      // or reject with nobody listening (async handlers), so the caller learns why at once.
      this.#opts.log.error("Cannot answer {code} from {remote}: {error}", {
        code: requestCodeName(request.code),
        remote: this.remoteAddr,
        error: errorMessage(e),
      });
      this.send({
        ...response,
        code: ResponseCode.SYSTEM_ERROR,
        remark: errorMessage(e),
        extFields: {},
        body: undefined,
      });
    }
  }

  /**
   * Queues one frame. Returns false if the channel is closed. Throws RangeError when the frame
   * exceeds the 16 MiB cap (nothing is queued then).
   */
  send(cmd: RemotingCommand): boolean {
    if (this.#closed) return false;
    const prepared = prepareFrame(cmd);
    const bound = prepared.maxSize;
    if (bound - prepared.headerBound > MAX_FRAME_SIZE) {
      throw new RangeError(`Cannot send frame: more than ${MAX_FRAME_SIZE} bytes`);
    }
    if (this.#outLen + bound > this.#out.length) {
      if (this.#outLen + bound > OUT_MAX_QUEUED) {
        this.#opts.log.warn("Closing connection {remote}: peer is not reading", {
          remote: this.remoteAddr,
        });
        this.close("peer is not reading");
        return false;
      }
      let cap = Math.max(OUT_MIN, this.#out.length * 2);
      while (cap < this.#outLen + bound) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.#out.subarray(0, this.#outLen));
      this.#out = grown;
    }
    const size = writeFrame(prepared, this.#out, this.#outLen);
    if (size > MAX_FRAME_SIZE) {
      // Written past the queued bytes only; dropping it leaves the queue as it was.
      throw new RangeError(`Cannot send frame: ${size} bytes exceeds ${MAX_FRAME_SIZE}`);
    }
    this.#outLen += size;
    if (!this.#writing) {
      this.#writing = true;
      // A microtask lets every response made in this turn join one write.
      queueMicrotask(() => this.#pump());
    }
    return true;
  }

  async #pump(): Promise<void> {
    try {
      while (this.#outLen > 0 && !this.#closed) {
        const buf = this.#out;
        const len = this.#outLen;
        this.#out = this.#spare ?? EMPTY;
        this.#spare = undefined;
        this.#outLen = 0;
        let off = 0;
        while (off < len) off += await this.#conn.write(buf.subarray(off, len));
        this.lastActive = Date.now();
        if (buf.length <= OUT_KEEP_MAX) this.#spare = buf;
        if (this.#outLen === 0 && len < OUT_QUIET_BATCH) {
          // Quiet: an idle connection keeps no write buffers.
          this.#out = EMPTY;
          this.#spare = undefined;
        }
      }
    } catch (e) {
      this.close(`write failed: ${errorMessage(e)}`);
    } finally {
      this.#writing = false;
      if (this.#drainWaiters.length > 0) { for (const w of this.#drainWaiters.splice(0)) w(); }
    }
  }

  /**
   * Stops reading, lets queued output reach the socket (up to `timeoutMs`), then closes: for a
   * server shutting down, or a peer that sent a malformed frame after good requests.
   */
  async closeGracefully(reason: string, timeoutMs = 1000): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    this.#resumeReading?.();
    if (this.#writing || this.#outLen > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((r) => this.#drainWaiters.push(r)),
        new Promise<void>((r) => timer = setTimeout(r, timeoutMs)),
      ]);
      clearTimeout(timer);
    }
    this.close(reason);
  }

  /** Sends a request and resolves with its response; rejects on timeout or close. */
  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (this.#closed) {
      return Promise.reject(
        new RemotingClosedError(`Cannot call ${this.remoteAddr}: connection closed`),
      );
    }
    return new Promise<RemotingCommand>((resolve, reject) => {
      const opaque = request.opaque;
      this.#pending.set(opaque, {
        resolve,
        reject,
        deadline: Date.now() + Math.max(0, timeoutMs),
        code: request.code,
        timeoutMs,
      });
      if (this.#sweepTimer === undefined) this.#startSweep();
      try {
        if (!this.send(request)) {
          throw new RemotingClosedError(`Cannot call ${this.remoteAddr}: connection closed`);
        }
      } catch (e) {
        this.#pending.delete(opaque);
        reject(e);
      }
    });
  }

  #startSweep(): void {
    this.#idleSweeps = 0;
    this.#sweepTimer = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS);
    // The socket read keeps the process alive while calls are pending; the sweep need not.
    Deno.unrefTimer(this.#sweepTimer as unknown as number);
  }

  #stopSweep(): void {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  #sweep(): void {
    if (this.#pending.size === 0) {
      if (++this.#idleSweeps >= IDLE_SWEEPS_BEFORE_STOP) this.#stopSweep();
      return;
    }
    this.#idleSweeps = 0;
    const now = Date.now();
    for (const [opaque, p] of this.#pending) {
      if (p.deadline > now) continue;
      this.#pending.delete(opaque);
      p.reject(
        new RemotingTimeoutError(
          `Call ${requestCodeName(p.code)} to ${this.remoteAddr} timed out after ${p.timeoutMs} ms`,
        ),
      );
    }
  }

  /** Sends a request marked oneway; no answer is expected. */
  invokeOneway(request: RemotingCommand): void {
    request.flag |= RemotingFlag.ONEWAY;
    if (!this.send(request)) {
      throw new RemotingClosedError(`Cannot call ${this.remoteAddr}: connection closed`);
    }
  }

  /** Closes the connection; pending calls fail at once. Safe to call more than once. */
  close(reason = "closed locally"): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer or the runtime; nothing left to release.
    }
    const err = new RemotingClosedError(`Connection to ${this.remoteAddr} closed: ${reason}`);
    this.#stopSweep();
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#resumeReading?.();
    for (const w of this.#drainWaiters.splice(0)) w();
    this.#out = EMPTY;
    this.#spare = undefined;
    this.#outLen = 0;
    this.#resolveClosed();
    this.#opts.onClose?.(this);
  }

  get closeReason(): string | undefined {
    return this.#closeReason;
  }
}

function netAddrText(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    const host = addr.hostname.toLowerCase().startsWith("::ffff:") && addr.hostname.includes(".")
      ? addr.hostname.slice(7)
      : addr.hostname;
    return `${host}:${addr.port}`;
  }
  return "unix";
}
