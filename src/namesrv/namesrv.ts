/**
 * The name server: route tables and KV config behind a remoting server, a scan that drops
 * brokers that stopped registering, and routes dropped when a broker's connection closes.
 *
 * @example
 * ```ts
 * await using ns = new NamesrvController({ listenPort: 0, bindAddress: "127.0.0.1" });
 * const { port } = await ns.start();
 * ```
 */
import { isLoopbackBind } from "../common/address.ts";
import { logger } from "../common/log.ts";
import { backgroundInterval, type Timer } from "../common/timer.ts";
import { RemotingServer } from "../remoting/server.ts";
import { KVConfigStore } from "./kv_config.ts";
import { expandHome } from "../common/home.ts";
import { defaultNamesrvConfig, namesrvAclFile, type NamesrvConfig } from "./namesrv_config.ts";
import { namesrvAccess } from "../acl/access_validator.ts";
import { AclConfigStore } from "../acl/acl_config_store.ts";
import { AclGuard } from "../acl/acl_guard.ts";
import { loadTlsServer, type TlsServerMaterial } from "../remoting/tls/tls_settings.ts";
import type { NamesrvContext } from "./namesrv_context.ts";
import { brokerProcessors } from "./processors/broker_processor.ts";
import { configProcessors } from "./processors/config_processor.ts";
import { kvConfigProcessors } from "./processors/kv_config_processor.ts";
import { routeProcessors } from "./processors/route_processor.ts";
import { topicProcessors } from "./processors/topic_processor.ts";
import { RouteTable } from "./route_table.ts";

const log = logger("namesrv");

export class NamesrvController implements NamesrvContext, AsyncDisposable {
  readonly config: NamesrvConfig;
  readonly routes = new RouteTable();
  readonly kvConfig: KVConfigStore;
  #server: RemotingServer;
  #aclStore: AclConfigStore | undefined;
  #scanTimer: Timer | undefined;
  #stopping: Promise<void> | undefined;

  /** `config` overrides the defaults key by key (see namesrv_config.ts). */
  constructor(config: Partial<NamesrvConfig> = {}) {
    this.config = { ...defaultNamesrvConfig(), ...config };
    this.kvConfig = new KVConfigStore(expandHome(this.config.kvConfigPath));
    this.#server = this.#newServer();
  }

  /** The server, with the ACL at its door and TLS when given (read at start). */
  #newServer(acl?: AclGuard, tls?: TlsServerMaterial): RemotingServer {
    const server = new RemotingServer({
      hostname: this.config.bindAddress,
      port: this.config.listenPort,
      idleTimeoutMs: this.config.serverChannelMaxIdleTimeSeconds * 1000,
      maxConnections: this.config.maxConnections,
      name: "namesrv",
      authorize: acl ? (req, ch) => acl.authorize(req, ch) : undefined,
      tls,
    });
    server
      .registerProcessors(brokerProcessors(this))
      .registerProcessors(routeProcessors(this))
      .registerProcessors(topicProcessors(this))
      .registerProcessors(kvConfigProcessors(this))
      .registerProcessors(configProcessors(this));
    server.onChannelClose((ch) => this.routes.onChannelDestroy(ch));
    return server;
  }

  /** Loads the KV config, binds and starts serving; resolves with the bound address. */
  async start(): Promise<Deno.NetAddr> {
    const c = this.config;
    const tls = await loadTlsServer(c);
    if (c.aclEnable) {
      this.#aclStore = await AclConfigStore.open(namesrvAclFile(c));
      this.#server = this.#newServer(new AclGuard(this.#aclStore, namesrvAccess, "namesrv"), tls);
    } else if (tls) this.#server = this.#newServer(undefined, tls);
    await this.kvConfig.load();
    let addr: Deno.NetAddr;
    try {
      addr = this.#server.listen();
    } catch (e) {
      this.#aclStore?.close();
      throw e;
    }
    this.#startScan();
    if (!c.aclEnable && !isLoopbackBind(c.bindAddress)) {
      log.warn(
        "Listening on {addr} beyond loopback with the ACL off: anyone who can reach this port " +
          "can register brokers and rewrite routes (set aclEnable; README: Securing a cluster)",
        { addr: c.bindAddress },
      );
    }
    log.info("Name server listening on {host}:{port}", {
      host: this.config.bindAddress,
      port: addr.port,
    });
    return addr;
  }

  /** The bound address (after start). */
  get addr(): Deno.NetAddr {
    return this.#server.addr;
  }

  /** `host:port` for clients on this machine: 127.0.0.1 when bound to every interface. */
  get address(): string {
    const { hostname, port } = this.#server.addr;
    const host = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
    return `${host}:${port}`;
  }

  updateConfig(changes: Partial<NamesrvConfig>): void {
    const before = this.config.scanNotActiveBrokerInterval;
    Object.assign(this.config, changes);
    if (this.#scanTimer !== undefined && this.config.scanNotActiveBrokerInterval !== before) {
      this.#startScan();
    }
  }

  #startScan(): void {
    if (this.#scanTimer !== undefined) clearInterval(this.#scanTimer);
    this.#scanTimer = backgroundInterval(
      () => this.scanNotActiveBroker(),
      this.config.scanNotActiveBrokerInterval,
    );
  }

  /** One pass of the expiry scan (normally run by the timer): drops and disconnects silent brokers. */
  scanNotActiveBroker(now = Date.now()): string[] {
    const expired = this.routes.scanNotActiveBroker(this.config.brokerChannelExpiredTime, now);
    for (const [, live] of expired) live.channel?.close("broker registration expired");
    return expired.map(([addr]) => addr);
  }

  /**
   * Stops: no new connections, in-flight requests answered (up to `graceMs`), connections
   * closed, pending KV config writes finished. Safe to call more than once.
   */
  shutdown(graceMs = 5000): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#scanTimer !== undefined) clearInterval(this.#scanTimer);
      this.#scanTimer = undefined;
      await this.#server.shutdown(graceMs);
      this.#aclStore?.close();
      await this.kvConfig.flush();
      log.info("Name server stopped");
    })();
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(1000);
  }
}
