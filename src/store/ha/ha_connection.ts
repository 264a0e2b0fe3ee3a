/**
 * The master's side of one slave (RocketMQ's HAConnection): reads the slave's offset reports
 * (the first says where to start, every one acknowledges) and streams the commit log to it in
 * chunks of at most haTransferBatchSize, never crossing a segment, with a heartbeat header
 * when there is nothing to send for haSendHeartbeatInterval. Silence from the slave for
 * haHousekeepingInterval closes the connection.
 *
 * Unlike Java's, a start the log cannot serve is refused with an ERROR line instead of waiting
 * forever or sending from the middle of a record: an offset below what the master still has,
 * or beyond what it ever had (the slave followed another master, or this one lost data).
 */
import type { ByteStream } from "../../remoting/channel.ts";
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import type { CommitLog } from "../commit_log.ts";
import type { StoreConfig } from "../store_config.ts";
import { Signal } from "../waiters.ts";
import { lastOffsetReport, TRANSFER_HEADER_SIZE, writeTransferHeader } from "./ha_protocol.ts";

const log = logger("store");

const READ_BUFFER_BYTES = 4096;

/** What a connection needs from the HA service that owns it. */
export interface HAConnectionHost {
  readonly commitLog: CommitLog;
  readonly config: StoreConfig;
  /** A slave acknowledged everything below `offset`. */
  acked(offset: number): void;
  closed(conn: HAConnection): void;
}

export class HAConnection {
  readonly remoteAddr: string;
  readonly #conn: ByteStream;
  readonly #host: HAConnectionHost;
  readonly #data = new Signal();
  #requestOffset = -1;
  #ackOffset = -1;
  #lastRead = Date.now();
  #closed = false;
  readonly #started = Promise.withResolvers<void>();
  #housekeeping: ReturnType<typeof setInterval> | undefined;

  constructor(conn: ByteStream, host: HAConnectionHost) {
    this.#conn = conn;
    this.#host = host;
    const a = conn.remoteAddr as Deno.NetAddr;
    this.remoteAddr = `${a.hostname}:${a.port}`;
  }

  /** The slave's latest acknowledged offset, -1 before its first report. */
  get ackOffset(): number {
    return this.#ackOffset;
  }

  start(): void {
    const interval = this.#host.config.haHousekeepingInterval;
    this.#housekeeping = setInterval(() => {
      if (Date.now() - this.#lastRead > interval) {
        this.close(`nothing from the slave for ${interval} ms`);
      }
    }, Math.min(1000, interval));
    void this.#readLoop();
    void this.#writeLoop();
  }

  /** New bytes were written to the log: the writer may have something to send. */
  notifyData(): void {
    this.#data.notify();
  }

  close(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#housekeeping);
    this.#started.resolve();
    this.#data.notify();
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer.
    }
    log.info("HA connection from slave {remote} closed: {why}", { remote: this.remoteAddr, why });
    this.#host.closed(this);
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(READ_BUFFER_BYTES);
    let have = 0;
    try {
      while (!this.#closed) {
        const n = await this.#conn.read(buf.subarray(have));
        if (n === null) return this.close("the slave closed the connection");
        have += n;
        this.#lastRead = Date.now();
        const report = lastOffsetReport(buf, have);
        if (!report) continue;
        buf.copyWithin(0, report.consumed, have);
        have -= report.consumed;
        this.#ackOffset = report.offset;
        if (this.#requestOffset < 0) {
          this.#requestOffset = report.offset;
          this.#started.resolve();
        }
        this.#host.acked(report.offset);
      }
    } catch (e) {
      this.close(errorMessage(e));
    }
  }

  async #writeLoop(): Promise<void> {
    await this.#started.promise;
    if (this.#closed) return;
    const cl = this.#host.commitLog;
    const { haTransferBatchSize: batch, haSendHeartbeatInterval: heartbeat } = this.#host.config;
    let next = this.#firstOffset(cl);
    if (next === undefined) return;
    log.info("Slave {remote} replicates from offset {next} (it asked for {asked})", {
      remote: this.remoteAddr,
      next,
      asked: this.#requestOffset,
    });
    let lastWrite = 0;
    try {
      while (!this.#closed) {
        if (next < cl.writtenOffset) {
          const chunk = cl.readWritten(next, batch);
          if (!chunk) {
            return this.close(
              `offset ${next} is no longer in the commit log (from ${cl.minOffset})`,
            );
          }
          const frame = new Uint8Array(TRANSFER_HEADER_SIZE + chunk.length);
          writeTransferHeader(frame, 0, next, chunk.length);
          frame.set(chunk, TRANSFER_HEADER_SIZE);
          await writeAll(this.#conn, frame);
          next += chunk.length;
          lastWrite = Date.now();
          continue;
        }
        const idle = Date.now() - lastWrite;
        if (idle >= heartbeat) {
          const frame = new Uint8Array(TRANSFER_HEADER_SIZE);
          writeTransferHeader(frame, 0, next, 0);
          await writeAll(this.#conn, frame);
          lastWrite = Date.now();
          continue;
        }
        await this.#data.wait(heartbeat - idle);
      }
    } catch (e) {
      this.close(errorMessage(e));
    }
  }

  /** Where to start for the slave's first report; undefined (and closed) when it cannot be. */
  #firstOffset(cl: CommitLog): number | undefined {
    const asked = this.#requestOffset;
    if (asked === 0) {
      // A new slave starts at the master's last segment, as with Java.
      const max = cl.maxOffset;
      return Math.max(cl.minOffset, max - (max % cl.segmentSize));
    }
    if (asked > cl.maxOffset) {
      log.error(
        "Slave {remote} has the commit log up to {asked}, past this master's end {max}: it " +
          "followed another master or this one lost data. Not replicating to it",
        { remote: this.remoteAddr, asked, max: cl.maxOffset },
      );
      this.close("the slave is ahead of the master");
      return undefined;
    }
    if (asked < cl.minOffset) {
      log.error(
        "Slave {remote} asks for offset {asked}, but this master's commit log starts at {min} " +
          "(older files were deleted). Empty the slave's store to start it over",
        { remote: this.remoteAddr, asked, min: cl.minOffset },
      );
      this.close("the slave is behind what the master keeps");
      return undefined;
    }
    return asked;
  }
}

async function writeAll(conn: ByteStream, bytes: Uint8Array): Promise<void> {
  let n = 0;
  while (n < bytes.length) n += await conn.write(bytes.subarray(n));
}
