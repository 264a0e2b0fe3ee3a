/**
 * A slave's replication client (RocketMQ's HAClient): connects to the master's HA address,
 * reports its commit-log end (where to start, then as acknowledgement after every chunk it
 * has written and every haSendHeartbeatInterval), and appends each chunk the master sends at
 * exactly that end. A chunk that does not continue the log closes the connection; a chunk cut
 * short by a dropped connection is discarded. It reconnects every few seconds for as long as
 * the store is open, to whatever address it was last given.
 */
import type { TlsClientSettings } from "../../remoting/tls/tls_settings.ts";
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import type { CommitLog } from "../commit_log.ts";
import type { StoreConfig } from "../store_config.ts";
import { Signal } from "../waiters.ts";
import { encodeOffsetReport, readTransferHeader, TRANSFER_HEADER_SIZE } from "./ha_protocol.ts";

const log = logger("store");

/** Wait between connection attempts (Java's HAClient: 5 s). */
export const RECONNECT_INTERVAL_MS = 5000;
/** A chunk larger than this is not an HA frame: the peer is not a RocketMQ master. */
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

export class HAClient {
  readonly #log: CommitLog;
  readonly #config: StoreConfig;
  #masterAddr: string;
  #conn: Deno.Conn | undefined;
  readonly #tls: TlsClientSettings | undefined;
  #stopped = false;
  readonly #wake = new Signal();
  #loop: Promise<void> | undefined;
  #lastError = "";
  #connected = false;

  /** With `tls`, the master is reached over TLS. */
  constructor(commitLog: CommitLog, config: StoreConfig, tls?: TlsClientSettings) {
    this.#log = commitLog;
    this.#config = config;
    this.#tls = tls;
    this.#masterAddr = config.haMasterAddress;
  }

  get masterAddress(): string {
    return this.#masterAddr;
  }

  /** Connected to a master now. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Follows `addr` (HOST:PORT) from now on: the current connection closes if it differs. */
  setMasterAddress(addr: string): void {
    if (addr === this.#masterAddr) return;
    log.info("HA master address is now {addr} (was {old})", {
      addr,
      old: this.#masterAddr || "none",
    });
    this.#masterAddr = addr;
    this.#closeConn();
    this.#wake.notify();
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#closeConn();
    this.#wake.notify();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const addr = this.#masterAddr;
      if (addr) {
        try {
          await this.#session(addr);
        } catch (e) {
          this.#problem(`replication from ${addr} stopped: ${errorMessage(e)}`);
        } finally {
          this.#closeConn();
          this.#connected = false;
        }
      }
      if (!this.#stopped) await this.#wake.wait(RECONNECT_INTERVAL_MS);
    }
  }

  /** Logs a problem once while it repeats (a master that is down is tried every 5 s). */
  #problem(what: string): void {
    if (what === this.#lastError) return;
    this.#lastError = what;
    log.warn("{what}", { what });
  }

  async #session(addr: string): Promise<void> {
    const [hostname, port] = splitAddr(addr);
    const tls = this.#tls;
    const conn: Deno.Conn = tls
      ? await Deno.connectTls({ hostname, port, caCerts: tls.caCerts })
      : await Deno.connect({ hostname, port });
    if (tls) {
      try {
        await (conn as Deno.TlsConn).handshake();
      } catch (e) {
        conn.close();
        throw e;
      }
    }
    if (this.#stopped || addr !== this.#masterAddr) {
      conn.close();
      return;
    }
    this.#conn = conn;
    this.#connected = true;
    this.#lastError = "";
    const cl = this.#log;
    log.info("Replicating from master {addr}, from offset {offset}", {
      addr,
      offset: cl.maxOffset,
    });
    let reported = cl.maxOffset;
    await writeAll(conn, encodeOffsetReport(reported));
    let lastReport = Date.now();
    const { haSendHeartbeatInterval: heartbeat, haHousekeepingInterval: housekeeping } =
      this.#config;
    let lastRead = Date.now();
    const silence = setInterval(() => {
      const now = Date.now();
      if (now - lastRead > housekeeping) {
        this.#problem(`nothing from master ${addr} for ${housekeeping} ms`);
        this.#closeConn();
      } else if (now - lastReport >= heartbeat) {
        lastReport = now;
        void writeAll(conn, encodeOffsetReport(cl.writtenOffset)).catch(() => {});
      }
    }, Math.min(1000, heartbeat));
    let buf = new Uint8Array(TRANSFER_HEADER_SIZE + this.#config.haTransferBatchSize);
    let have = 0;
    try {
      while (!this.#stopped) {
        if (have === buf.length) {
          const grown = new Uint8Array(buf.length * 2);
          grown.set(buf);
          buf = grown;
        }
        const n = await conn.read(buf.subarray(have));
        if (n === null) throw new Error("the master closed the connection");
        have += n;
        lastRead = Date.now();
        let pos = 0;
        let end = -1;
        while (have - pos >= TRANSFER_HEADER_SIZE) {
          const { offset, size } = readTransferHeader(buf, pos);
          if (size < 0 || size > MAX_CHUNK_BYTES) {
            throw new Error(`bad HA frame: chunk size ${size} at offset ${offset}`);
          }
          if (have - pos < TRANSFER_HEADER_SIZE + size) {
            if (TRANSFER_HEADER_SIZE + size > buf.length) {
              const grown = new Uint8Array(TRANSFER_HEADER_SIZE + size);
              grown.set(buf.subarray(pos, have));
              buf = grown;
              have -= pos;
              pos = 0;
            }
            break;
          }
          if (size === 0) {
            // A heartbeat names where the master is; a slave with data must be there too.
            const mine = cl.maxOffset;
            if (mine !== 0 && offset !== mine) {
              throw new Error(`the master is at ${offset}, this log ends at ${mine}`);
            }
          } else {
            const body = buf.subarray(
              pos + TRANSFER_HEADER_SIZE,
              pos + TRANSFER_HEADER_SIZE + size,
            );
            const why = cl.appendReplica(offset, body);
            if (why) throw new Error(why);
          }
          if (size > 0) end = offset + size;
          pos += TRANSFER_HEADER_SIZE + size;
        }
        if (pos > 0) {
          buf.copyWithin(0, pos, have);
          have -= pos;
        }
        if (end > reported) {
          // Acknowledge once the chunks are handed to the OS: an ack survives a slave crash.
          await cl.waitWritten(end);
          reported = cl.writtenOffset;
          lastReport = Date.now();
          await writeAll(conn, encodeOffsetReport(reported));
        }
      }
    } finally {
      clearInterval(silence);
    }
  }

  #closeConn(): void {
    const c = this.#conn;
    this.#conn = undefined;
    if (!c) return;
    try {
      c.close();
    } catch {
      // Already closed.
    }
  }
}

function splitAddr(addr: string): [string, number] {
  const i = addr.lastIndexOf(":");
  const port = Number(addr.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RangeError(`bad HA master address ${JSON.stringify(addr)} (expected HOST:PORT)`);
  }
  return [addr.slice(0, i), port];
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let n = 0;
  while (n < bytes.length) n += await conn.write(bytes.subarray(n));
}
