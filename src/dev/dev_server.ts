/**
 * A name server and a broker in one process: what `rmq dev` runs, and what benchmarks and
 * examples start in process. ASYNC_FLUSH, topics created on first send. With `slave`, a slave
 * of that broker too (store under <store>/slave), to try replication on one machine.
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
  /** Also run a slave of the broker, on brokerPort + SLAVE_PORT_OFFSET (any free port with 0). */
  slave?: boolean;
}

/** Where the slave listens relative to the master (10911 → 11911, as in RocketMQ's examples). */
export const SLAVE_PORT_OFFSET = 1000;

export class DevServer implements AsyncDisposable {
  readonly namesrv: NamesrvController;
  #broker: BrokerController | undefined;
  #slave: BrokerController | undefined;
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

  /** The slave, when asked for (after start). */
  get slave(): BrokerController | undefined {
    return this.#slave;
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
    const common: Partial<BrokerConfig> = {
      bindAddress: host,
      brokerName: "broker-a",
      namesrvAddr: this.#namesrvAddr,
      flushDiskType: "ASYNC_FLUSH",
      autoCreateTopicEnable: true,
      ...this.#opts.broker,
    };
    this.#broker = new BrokerController({
      ...common,
      listenPort: this.#opts.brokerPort,
      storePathRootDir: this.#opts.store,
    });
    await this.#broker.start();
    if (this.#opts.slave) {
      const port = this.#opts.brokerPort;
      this.#slave = new BrokerController({
        ...common,
        brokerRole: "SLAVE",
        brokerId: 1,
        listenPort: port === 0 ? 0 : port + SLAVE_PORT_OFFSET,
        storePathRootDir: `${this.#opts.store}/slave`,
      });
      await this.#slave.start();
    }
    return this.#namesrvAddr;
  }

  /** The brokers first: they unregister from the name server that is still up. */
  async shutdown(): Promise<void> {
    await this.#slave?.shutdown();
    await this.#broker?.shutdown();
    await this.namesrv.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}
