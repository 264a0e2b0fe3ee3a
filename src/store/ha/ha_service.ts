/**
 * A master's replication service (RocketMQ's HAService): listens on the HA port, gives each
 * slave that connects an HAConnection, and tracks the highest offset any slave acknowledged,
 * which SYNC_MASTER sends wait for.
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import type { CommitLog } from "../commit_log.ts";
import type { StoreConfig } from "../store_config.ts";
import { OffsetWaiters } from "../waiters.ts";
import { HAConnection } from "./ha_connection.ts";
import type { ByteStream } from "../../remoting/channel.ts";
import { acceptConnection } from "../../remoting/tls/tls_accept.ts";
import type { TlsServerMaterial } from "../../remoting/tls/tls_settings.ts";

const log = logger("store");

/**
 * SYNC_MASTER: how long a send waits for a slave's acknowledgement before FLUSH_SLAVE_TIMEOUT.
 * RocketMQ 4.8 waits up to five one-second rounds, whatever its settings; 4.9.3 made it
 * `slaveTimeout` (3 s). rmq keeps 4.8's five seconds, the release its tests run against.
 */
export const SLAVE_ACK_TIMEOUT_MS = 5000;

export class HAService {
  readonly commitLog: CommitLog;
  readonly config: StoreConfig;
  readonly #connections = new Set<HAConnection>();
  readonly #waiters = new OffsetWaiters<boolean>(false);
  #listener: Deno.TcpListener | undefined;
  #pushedMax = 0;
  #closed = false;
  readonly #tls: TlsServerMaterial | undefined;
  /** Connections still in their TLS handshake (closed with the service). */
  readonly #undecided = new Set<Deno.Conn>();

  /** With `tls`, slaves connect over TLS (permissive: plain ones too). */
  constructor(commitLog: CommitLog, config: StoreConfig, tls?: TlsServerMaterial) {
    this.commitLog = commitLog;
    this.config = config;
    this.#tls = tls;
  }

  /** Slaves connected now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** The highest offset a slave has acknowledged. */
  get pushedMaxOffset(): number {
    return this.#pushedMax;
  }

  /** Each connected slave's address and acknowledged offset. */
  slaves(): { addr: string; ackOffset: number }[] {
    return [...this.#connections].map((c) => ({ addr: c.remoteAddr, ackOffset: c.ackOffset }));
  }

  /** Starts listening for slaves; resolves to the bound port (`port` 0: any free one). */
  listen(hostname: string, port: number): number {
    const l = Deno.listen({ hostname, port, transport: "tcp" });
    this.#listener = l;
    void this.#acceptLoop(l);
    const bound = (l.addr as Deno.NetAddr).port;
    log.info("HA service listening for slaves on {host}:{port}", { host: hostname, port: bound });
    return bound;
  }

  #serve(conn: ByteStream): void {
    const c = new HAConnection(conn, this);
    this.#connections.add(c);
    log.info("Slave connected from {remote}", { remote: c.remoteAddr });
    c.start();
  }

  async #acceptTls(conn: Deno.Conn, tls: TlsServerMaterial): Promise<void> {
    this.#undecided.add(conn);
    try {
      const stream = await acceptConnection(conn, tls);
      if (this.#closed) stream.close();
      else this.#serve(stream);
    } catch (e) {
      if (this.#closed) return;
      try {
        conn.close();
      } catch {
        // Closed already.
      }
      log.warn("Slave connection refused: {why}", { why: errorMessage(e) });
    } finally {
      this.#undecided.delete(conn);
    }
  }

  async #acceptLoop(l: Deno.TcpListener): Promise<void> {
    try {
      const tls = this.#tls;
      for await (const conn of l) {
        if (this.#closed) {
          conn.close();
          break;
        }
        if (tls) void this.#acceptTls(conn, tls);
        else this.#serve(conn);
      }
    } catch (e) {
      if (!this.#closed) log.error("HA accept failed: {error}", { error: errorMessage(e) });
    }
  }

  /** The log grew: wake every connection's writer. */
  notifyWritten(): void {
    for (const c of this.#connections) c.notifyData();
  }

  acked(offset: number): void {
    if (offset > this.#pushedMax) {
      this.#pushedMax = offset;
      this.#waiters.resolveUpTo(offset, true);
    }
  }

  closed(conn: HAConnection): void {
    this.#connections.delete(conn);
  }

  /**
   * Whether a SYNC_MASTER send ending at `end` can wait for a slave: one is connected and
   * the slaves are less than haSlaveFallbehindMax behind it (HAService.isSlaveOK).
   */
  isSlaveOK(end: number): boolean {
    return this.#connections.size > 0 &&
      end - this.#pushedMax < this.config.haSlaveFallbehindMax;
  }

  /** Resolves true once a slave acknowledged `end`, false after SLAVE_ACK_TIMEOUT_MS. */
  waitForSlave(end: number): Promise<boolean> {
    if (this.#pushedMax >= end) return Promise.resolve(true);
    return this.#waiters.wait(end, SLAVE_ACK_TIMEOUT_MS);
  }

  close(): void {
    this.#closed = true;
    try {
      this.#listener?.close();
    } catch {
      // Never listened, or already closed.
    }
    for (const c of [...this.#connections]) c.close("the master is shutting down");
    for (const conn of this.#undecided) {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
    this.#waiters.resolveAll(false);
  }
}
