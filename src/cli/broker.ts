/**
 * `rmq broker`: runs a broker until SIGINT/SIGTERM, then shuts down gracefully (stop accepting,
 * finish in-flight requests, flush the store, persist metadata, unregister, exit 0). Prints one
 * line to stdout once serving (`broker listening on HOST:PORT`) so scripts can pick up a port
 * chosen with -p 0.
 */
import { loadConfig } from "../common/config.ts";
import { logger } from "../common/log.ts";
import { BrokerController } from "../broker/broker.ts";
import { BROKER_CONFIG_SCHEMA, roleProblem } from "../broker/broker_config.ts";
import { UsageError } from "../common/errors.ts";
import { type CommandSpec, intOption, stringOption } from "./args.ts";
import { ShutdownSignals } from "./shutdown_signals.ts";

export const command: CommandSpec = {
  name: "broker",
  summary: "Run a broker: stores messages and serves producers and consumers.",
  usage: "broker [-c FILE] [-n ADDR[;ADDR]] [-p PORT] [--store DIR] [--broker-ip IP] [--host HOST]",
  options: {
    config: {
      type: "string",
      short: "c",
      value: "FILE",
      doc: "Config file (TOML, keys as in config/broker.toml)",
    },
    namesrv: {
      type: "string",
      short: "n",
      value: "ADDR",
      doc: "Name servers, host:port separated by ; (namesrvAddr; default env NAMESRV_ADDR)",
    },
    port: {
      type: "string",
      short: "p",
      value: "PORT",
      doc: "Port for clients, 0 for any free port (listenPort, default 10911)",
    },
    store: {
      type: "string",
      value: "DIR",
      doc: "Store directory (storePathRootDir, default ~/store)",
    },
    "broker-ip": {
      type: "string",
      value: "IP",
      doc: "Address advertised to clients and put in message ids (brokerIP1)",
    },
    host: { type: "string", value: "HOST", doc: "Address to bind (bindAddress, default 0.0.0.0)" },
  },
  details: [
    "Flags override the config file; namesrvAddr falls back to env NAMESRV_ADDR.",
    "Clients connect to the address the broker advertises (brokerIP1), not the one it binds:",
    "by default the first non-loopback IPv4 address. In Docker or behind NAT set --broker-ip",
    "(brokerIP1) to the address clients reach, and publish both listenPort and listenPort - 2.",
    "Logs go to stderr; stdout gets only the start-up line.",
  ].join("\n"),
  async run({ values }) {
    const log = logger("broker");
    const { config, unknownKeys } = await loadConfig(
      BROKER_CONFIG_SCHEMA,
      stringOption(values, "config"),
      {
        namesrvAddr: stringOption(values, "namesrv"),
        listenPort: intOption(values, "port", { min: 0, max: 65535 }),
        storePathRootDir: stringOption(values, "store"),
        brokerIP1: stringOption(values, "broker-ip"),
        bindAddress: stringOption(values, "host"),
      },
    );
    for (const key of unknownKeys) log.warn("Ignoring unknown config key {key}", { key });
    // As RocketMQ's BrokerConfig does, an unset namesrvAddr comes from the environment.
    if (!config.namesrvAddr) config.namesrvAddr = Deno.env.get("NAMESRV_ADDR") ?? "";
    const problem = roleProblem(config);
    if (problem) throw new UsageError(`Invalid config: ${problem}`);
    const broker = new BrokerController(config);
    // Listening before the start-up line: a signal right after it must still stop gracefully.
    using signals = new ShutdownSignals();
    try {
      const addr = await broker.start();
      console.log(`broker listening on ${config.bindAddress}:${addr.port}`);
      const signal = await signals.first;
      log.info("Received {signal}; shutting down", { signal });
    } finally {
      await broker.shutdown();
    }
    return 0;
  },
};
