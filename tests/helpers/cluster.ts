/**
 * An in-process RocketMQ cluster for tests: one name server and N brokers on 127.0.0.1, every
 * port ephemeral, every store in its own temp dir. Brokers are registered (routes exist for
 * their system topics) by the time startCluster() resolves. Every time a broker stops, the
 * store it leaves is checked for consistency (verify_store.ts).
 *
 * @example
 * ```ts
 * await using cluster = await startCluster({ brokers: 2 });
 * // give producers cluster.namesrvAddr; reach a broker as cluster.brokers[0].addr
 * await cluster.brokers[1].stop();     // graceful: unregisters, keeps its store
 * await cluster.brokers[1].restart();  // same store dir, same port
 * ```
 */
import { BrokerController } from "../../src/broker/broker.ts";
import type { BrokerConfig } from "../../src/broker/broker_config.ts";
import type { NamesrvConfig } from "../../src/namesrv/namesrv_config.ts";
import type { TopicRouteData } from "../../src/remoting/body/topic_route_data.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import { CreateTopicRequestHeader } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startNamesrv, type TestNamesrv } from "./namesrv.ts";
import { verifyStore } from "./verify_store.ts";

/**
 * Store settings small enough for tests: 64 MiB commit-log files (bigger than a 4 MiB body),
 * small index files. Files are sparse, so this costs little disk.
 */
export const TEST_STORE_CONFIG: Partial<BrokerConfig> = {
  mappedFileSizeCommitLog: 64 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 10_000 * 20,
  maxHashSlotNum: 1024,
  maxIndexNum: 10_000,
  commitLogCacheSize: 16 * 1024 * 1024,
};

export interface ClusterBroker {
  /** `broker-a`, `broker-b`, … unless the config names it. */
  readonly name: string;
  /** The running controller (a new one after restart()); throws while stopped. */
  readonly controller: BrokerController;
  /** `127.0.0.1:PORT`, what the name server hands out. Stays the same across restarts. */
  readonly addr: string;
  readonly port: number;
  /** The broker's store root (kept across stop/restart, removed with the cluster). */
  readonly storeDir: string;
  /** Its config overrides (brokerRole, brokerId …). */
  readonly config: Partial<BrokerConfig>;
  readonly running: boolean;
  /** Graceful shutdown (unregisters from the name server); the store dir is kept. */
  stop(): Promise<void>;
  /** Starts again on the same store dir and port (stopping first if running). */
  restart(): Promise<void>;
}

export interface TestCluster extends AsyncDisposable {
  readonly namesrv: TestNamesrv;
  /** `127.0.0.1:PORT` of the name server, for producers and consumers. */
  readonly namesrvAddr: string;
  readonly clusterName: string;
  readonly brokers: ClusterBroker[];
  /** The broker with this name (the master, when a slave shares it); throws when there is none. */
  broker(name: string): ClusterBroker;
  /** Starts one more broker in the cluster. */
  addBroker(config?: Partial<BrokerConfig>): Promise<ClusterBroker>;
  /**
   * Creates (or changes) a topic on the running brokers, or those named, with
   * UPDATE_AND_CREATE_TOPIC over the wire as mqadmin updateTopic does (8 queues unless told),
   * and waits until the name server's route lists them.
   */
  createTopic(
    topic: string,
    options?: { queues?: number; perm?: number; order?: boolean; brokers?: string[] },
  ): Promise<TopicRouteData>;
  /**
   * Polls the name server until the topic's route lists exactly `brokerNames` (default: every
   * running broker) and returns it; rejects after `timeoutMs`.
   */
  waitForRoute(topic: string, brokerNames?: string[], timeoutMs?: number): Promise<TopicRouteData>;
}

export interface ClusterOptions {
  /** Number of brokers (default 1), or one config override per broker. */
  brokers?: number | Partial<BrokerConfig>[];
  /** Overrides for every broker (each broker's own entry wins). */
  broker?: Partial<BrokerConfig>;
  clusterName?: string;
  namesrv?: Partial<NamesrvConfig>;
}

class Broker implements ClusterBroker {
  readonly name: string;
  readonly storeDir: string;
  readonly config: Partial<BrokerConfig>;
  #controller: BrokerController | undefined;
  #port = 0;

  constructor(name: string, storeDir: string, config: Partial<BrokerConfig>) {
    this.name = name;
    this.storeDir = storeDir;
    this.config = config;
    this.#port = config.listenPort ?? 0;
  }

  get controller(): BrokerController {
    if (!this.#controller) throw new Error(`Broker ${this.name} is stopped`);
    return this.#controller;
  }

  get running(): boolean {
    return this.#controller !== undefined;
  }

  get port(): number {
    return this.#port;
  }

  get addr(): string {
    return `127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    const controller = new BrokerController({
      ...this.config,
      brokerName: this.name,
      listenPort: this.#port,
      storePathRootDir: this.storeDir,
    });
    const { port } = await controller.start();
    this.#port = port;
    this.#controller = controller;
  }

  async stop(): Promise<void> {
    const c = this.#controller;
    this.#controller = undefined;
    if (!c) return;
    const storeConfig = c.store.config;
    await c.shutdown(1000);
    verifyStore(storeConfig);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** Starts a name server and the brokers, all on 127.0.0.1 port 0; dispose to stop and clean up. */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const clusterName = options.clusterName ?? "DefaultCluster";
  const namesrv = await startNamesrv(options.namesrv);
  const root = await Deno.makeTempDir({ prefix: "rmq-cluster-" });
  const brokers: Broker[] = [];
  const common: Partial<BrokerConfig> = {
    ...TEST_STORE_CONFIG,
    bindAddress: "127.0.0.1",
    brokerIP1: "127.0.0.1",
    vipChannelEnable: false,
    brokerClusterName: clusterName,
    namesrvAddr: namesrv.addr,
    ...options.broker,
  };

  const addBroker = async (config: Partial<BrokerConfig> = {}) => {
    const name = config.brokerName || `broker-${String.fromCharCode(97 + brokers.length)}`;
    // A slave shares its master's name: its store is named after its id too.
    const dir = config.brokerRole === "SLAVE"
      ? `${root}/${name}-${config.brokerId}`
      : `${root}/${name}`;
    const b = new Broker(name, dir, { ...common, ...config });
    await b.start();
    brokers.push(b);
    return b;
  };

  /** Running masters' names: topics are created on masters, and slaves share their names. */
  const masterNames = () =>
    brokers.filter((b) => b.running && b.config.brokerRole !== "SLAVE").map((b) => b.name);

  const cluster: TestCluster = {
    namesrv,
    namesrvAddr: namesrv.addr,
    clusterName,
    brokers,
    broker(name) {
      const b = brokers.find((x) => x.name === name && x.config.brokerRole !== "SLAVE") ??
        brokers.find((x) => x.name === name);
      if (!b) throw new Error(`No broker named ${name}`);
      return b;
    },
    addBroker,
    async createTopic(topic, options = {}) {
      const names = options.brokers ?? masterNames();
      const queues = options.queues ?? 8;
      // With the ACL on, topics are created with the brokers' own (admin) account.
      await using client = new RemotingClient({
        credentials: common.accessKey
          ? { accessKey: common.accessKey, secretKey: common.secretKey ?? "" }
          : undefined,
      });
      for (const name of names) {
        const header = encodeHeader(CreateTopicRequestHeader, {
          topic,
          defaultTopic: "TBW102",
          readQueueNums: queues,
          writeQueueNums: queues,
          perm: options.perm ?? 6,
          topicFilterType: "SINGLE_TAG",
          topicSysFlag: 0,
          order: options.order ?? false,
        });
        const res = await client.invokeSync(
          cluster.broker(name).addr,
          createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, header),
          3000,
        );
        if (res.code !== ResponseCode.SUCCESS) {
          throw new Error(`Cannot create ${topic} on ${name}: ${res.code} ${res.remark ?? ""}`);
        }
      }
      return await cluster.waitForRoute(topic, names);
    },
    async waitForRoute(topic, brokerNames, timeoutMs = 3000) {
      const want = (brokerNames ?? masterNames()).sort();
      const deadline = Date.now() + timeoutMs;
      let last = "no route";
      while (true) {
        const route = namesrv.controller.routes.pickupTopicRouteData(topic);
        const names = route?.queueDatas.map((q) => q.brokerName).sort() ?? [];
        if (route && JSON.stringify(names) === JSON.stringify(want)) return route;
        if (route) last = `brokers ${names.join(", ")}`;
        if (Date.now() > deadline) {
          throw new Error(
            `Timed out after ${timeoutMs} ms waiting for route of ${topic} on ${
              want.join(", ")
            }: ${last}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async [Symbol.asyncDispose]() {
      // Every step runs even when one fails, so nothing is left behind; the first error wins.
      const errors: unknown[] = [];
      const step = async (f: () => Promise<void> | PromiseLike<void>) => {
        try {
          await f();
        } catch (e) {
          errors.push(e);
        }
      };
      for (const b of brokers) await step(() => b.stop());
      await step(() => namesrv[Symbol.asyncDispose]());
      await step(() => Deno.remove(root, { recursive: true }));
      if (errors.length > 0) throw errors[0];
    },
  };

  try {
    const list = typeof options.brokers === "number" || options.brokers === undefined
      ? Array.from({ length: options.brokers ?? 1 }, () => ({}))
      : options.brokers;
    for (const config of list) await addBroker(config);
  } catch (e) {
    try {
      await cluster[Symbol.asyncDispose]();
    } catch {
      // The start-up failure is the error worth reporting.
    }
    throw e;
  }
  return cluster;
}
