/**
 * `rmq dev`: a name server and a broker in one process for development, on 127.0.0.1 with a
 * store under ./data, topics created on first send. Prints `NAMESRV_ADDR=HOST:PORT` once both
 * serve, so `export $(rmq dev | head -1)`-style scripts and humans know where to point clients.
 * `--slave` adds a slave of the broker, replicating it over RocketMQ's HA protocol.
 */
import { logger } from "../common/log.ts";
import { DEFAULT_LISTEN_PORT } from "../broker/broker_config.ts";
import { DevServer, SLAVE_PORT_OFFSET } from "../dev/dev_server.ts";
import { type CommandSpec, intOption, stringOption } from "./args.ts";
import { ShutdownSignals } from "./shutdown_signals.ts";
import { DEFAULT_DASHBOARD_PORT } from "./dashboard.ts";
import { DashboardServer } from "../dashboard/dashboard_server.ts";
import { errorMessage } from "../common/errors.ts";

const DEFAULT_NAMESRV_PORT = 9876;

export const command: CommandSpec = {
  name: "dev",
  summary: "Run a name server and a broker in one process, for development.",
  usage: "dev [-p PORT] [--broker-port PORT] [--store DIR] [--host HOST] [--slave]",
  options: {
    port: {
      type: "string",
      short: "p",
      value: "PORT",
      doc: `Name server port, 0 for any free port (default ${DEFAULT_NAMESRV_PORT})`,
    },
    "broker-port": {
      type: "string",
      value: "PORT",
      doc: `Broker port, 0 for any free port (default ${DEFAULT_LISTEN_PORT})`,
    },
    store: { type: "string", value: "DIR", doc: "Store directory (default ./data)" },
    host: {
      type: "string",
      value: "HOST",
      doc: "Address to bind and advertise (default 127.0.0.1)",
    },
    slave: {
      type: "boolean",
      doc: `Also run a slave of the broker (port + ${SLAVE_PORT_OFFSET}, store DIR/slave)`,
    },
    "dashboard-port": {
      type: "string",
      value: "PORT",
      doc:
        `Dashboard port on the same host, 0 for any free port (default ${DEFAULT_DASHBOARD_PORT})`,
    },
    "no-dashboard": { type: "boolean", doc: "Do not serve the dashboard" },
  },
  details: [
    "The broker flushes asynchronously and creates topics on first send (autoCreateTopicEnable).",
    "For a broker configured in full, run rmq namesrv and rmq broker -c FILE instead.",
    "Logs and a ready line go to stderr; stdout gets only the NAMESRV_ADDR line.",
  ].join("\n"),
  async run({ values }) {
    const log = logger("dev");
    const store = stringOption(values, "store") ?? "./data";
    const host = stringOption(values, "host") ?? "127.0.0.1";
    const dev = new DevServer({
      host,
      namesrvPort: intOption(values, "port", { min: 0, max: 65535 }) ?? DEFAULT_NAMESRV_PORT,
      brokerPort: intOption(values, "broker-port", { min: 0, max: 65535 }) ?? DEFAULT_LISTEN_PORT,
      store,
      slave: values.slave === true,
    });
    // Listening before the NAMESRV_ADDR line: a signal right after it must still stop gracefully.
    using signals = new ShutdownSignals();
    try {
      const namesrvAddr = await dev.start();
      log.info("Broker {name} serving at {addr} (store {store})", {
        name: dev.broker.brokerName,
        addr: dev.broker.brokerAddr,
        store,
      });
      if (dev.slave) {
        log.info("Slave {name} (id 1) serving at {addr}, replicating it", {
          name: dev.slave.brokerName,
          addr: dev.slave.brokerAddr,
        });
      }
      console.log(`NAMESRV_ADDR=${namesrvAddr}`);
      let dashboard: DashboardServer | undefined;
      if (values["no-dashboard"] !== true) {
        const port = intOption(values, "dashboard-port", { min: 0, max: 65535 }) ??
          DEFAULT_DASHBOARD_PORT;
        try {
          dashboard = new DashboardServer({ namesrvAddr }, host, port);
        } catch (e) {
          // A busy port costs the dashboard, not the broker.
          log.warn("No dashboard on {host}:{port}: {error}", {
            host,
            port,
            error: errorMessage(e),
          });
        }
      }
      // For a person at a terminal, on stderr so that stdout stays the one line scripts read.
      console.error(
        `rmq dev ready: name server ${namesrvAddr}, broker ${dev.broker.brokerAddr}, store ` +
          `${store}${dashboard ? `, dashboard ${dashboard.url}` : ""}. Stop with Ctrl-C.`,
      );
      try {
        const signal = await signals.first;
        log.info("Received {signal}; shutting down", { signal });
      } finally {
        await dashboard?.shutdown();
      }
    } finally {
      await dev.shutdown();
    }
    return 0;
  },
};
