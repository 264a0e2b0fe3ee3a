/**
 * A name server and a broker in one process: what `rmq dev` runs, and what benchmarks and
 * examples start in process. ASYNC_FLUSH, topics created on first send.
 */
import { errorMessage } from "../common/errors.ts";
import { BrokerController } from "../broker/broker.ts";
import type { BrokerConfig } from "../broker/broker_config.ts";
import { NamesrvController } from "../namesrv/namesrv.ts";

export interface DevServerOptions {
  /** Address to bind and advertise (default 127.0.0.1). */
  host?: string;
  /** Name server port, 0 for any free port. */
  namesrvPort: number;
  /** Broker port, 0 for any free port. */
  brokerPort: number;
  /** Store directory (the name server's KV config goes under it too). */
  store: string;
  /** Further broker settings (tests and benchmarks shorten timers, for instance). */
  broker?: Partial<BrokerConfig>;
}

export class DevServer implements AsyncDisposable {
  readonly namesrv: NamesrvController;
  #broker: BrokerController | undefined;
  #namesrvAddr: string | undefined;
  readonly #opts: DevServerOptions;

  constructor(opts: DevServerOptions) {
    this.#opts = opts;
    this.namesrv = new NamesrvController({
      listenPort: opts.namesrvPort,
      bindAddress: opts.host ?? "127.0.0.1",
      kvConfigPath: `${opts.store}/namesrv/kvConfig.json`,
    });
  }

  /** `host:port` clients use as NAMESRV_ADDR (after start). */
  get namesrvAddr(): string {
    if (!this.#namesrvAddr) throw new Error("Dev server is not started");
    return this.#namesrvAddr;
  }

  get broker(): BrokerController {
    if (!this.#broker) throw new Error("Dev server is not started");
    return this.#broker;
  }

  /** Starts the name server, then the broker registered with it. */
  async start(): Promise<string> {
    const host = this.#opts.host ?? "127.0.0.1";
    const ns = await this.namesrv.start().catch((e) => {
      throw new Error(`Cannot listen on ${host}:${this.#opts.namesrvPort}: ${errorMessage(e)}`, {
        cause: e,
      });
    });
    const advertised = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    this.#namesrvAddr = `${advertised}:${ns.port}`;
    this.#broker = new BrokerController({
      listenPort: this.#opts.brokerPort,
      bindAddress: host,
      brokerName: "broker-a",
      namesrvAddr: this.#namesrvAddr,
      storePathRootDir: this.#opts.store,
      flushDiskType: "ASYNC_FLUSH",
      autoCreateTopicEnable: true,
      ...this.#opts.broker,
    });
    await this.#broker.start();
    return this.#namesrvAddr;
  }

  /** The broker first: it unregisters from the name server that is still up. */
  async shutdown(): Promise<void> {
    await this.#broker?.shutdown();
    await this.namesrv.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}
