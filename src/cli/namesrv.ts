/**
 * `rmq namesrv`: runs a name server until SIGINT/SIGTERM. Prints one line to stdout once
 * bound (`namesrv listening on HOST:PORT`) so scripts can pick up a port chosen with -p 0.
 */
import { loadConfig } from "../common/config.ts";
import { logger } from "../common/log.ts";
import { NamesrvController } from "../namesrv/namesrv.ts";
import { NAMESRV_CONFIG_SCHEMA } from "../namesrv/namesrv_config.ts";
import { type CommandSpec, intOption, stringOption } from "./args.ts";
import { ShutdownSignals } from "./shutdown_signals.ts";

export const command: CommandSpec = {
  name: "namesrv",
  summary: "Run a name server: brokers register their topics, clients ask it for routes.",
  usage: "namesrv [-c FILE] [-p PORT] [--host HOST]",
  options: {
    config: {
      type: "string",
      short: "c",
      value: "FILE",
      doc: "Config file (TOML, keys as in config/namesrv.toml)",
    },
    port: {
      type: "string",
      short: "p",
      value: "PORT",
      doc: "Port to listen on, 0 for any free port (listenPort, default 9876)",
    },
    host: { type: "string", value: "HOST", doc: "Address to bind (bindAddress, default 0.0.0.0)" },
  },
  details: "Flags override the config file. Logs go to stderr; stdout gets only the start-up line.",
  async run({ values }) {
    const log = logger("namesrv");
    const { config, unknownKeys } = await loadConfig(
      NAMESRV_CONFIG_SCHEMA,
      stringOption(values, "config"),
      {
        listenPort: intOption(values, "port", { min: 0, max: 65535 }),
        bindAddress: stringOption(values, "host"),
      },
    );
    for (const key of unknownKeys) log.warn("Ignoring unknown config key {key}", { key });
    const namesrv = new NamesrvController(config);
    // Listen for signals before announcing readiness: a script may signal as soon as it reads it.
    using signals = new ShutdownSignals();
    try {
      const addr = await namesrv.start();
      console.log(`namesrv listening on ${config.bindAddress}:${addr.port}`);
      const signal = await signals.first;
      log.info("Received {signal}; shutting down", { signal });
    } finally {
      await namesrv.shutdown();
    }
    return 0;
  },
};
