/**
 * `rmq dev`: a name server and a broker in one process for development, on 127.0.0.1 with a
 * store under ./data, topics created on first send. Prints `NAMESRV_ADDR=HOST:PORT` once both
 * serve, so `export $(rmq dev | head -1)`-style scripts and humans know where to point clients.
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { BrokerController } from "../broker/broker.ts";
import { DEFAULT_LISTEN_PORT } from "../broker/broker_config.ts";
import { NamesrvController } from "../namesrv/namesrv.ts";
import { type CommandSpec, intOption, stringOption } from "./args.ts";
import { waitForShutdownSignal } from "./run.ts";

const DEFAULT_NAMESRV_PORT = 9876;

export const command: CommandSpec = {
  name: "dev",
  summary: "Run a name server and a broker in one process, for development.",
  usage: "dev [-p PORT] [--broker-port PORT] [--store DIR] [--host HOST]",
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
  },
  details: [
    "The broker flushes asynchronously and creates topics on first send (autoCreateTopicEnable).",
    "For a broker configured in full, run rmq namesrv and rmq broker -c FILE instead.",
    "Logs go to stderr; stdout gets only the NAMESRV_ADDR line.",
  ].join("\n"),
  async run({ values }) {
    const log = logger("dev");
    const host = stringOption(values, "host") ?? "127.0.0.1";
    const store = stringOption(values, "store") ?? "./data";
    const namesrvPort = intOption(values, "port", { min: 0, max: 65535 }) ?? DEFAULT_NAMESRV_PORT;
    const namesrv = new NamesrvController({
      listenPort: namesrvPort,
      bindAddress: host,
      kvConfigPath: `${store}/namesrv/kvConfig.json`,
    });
    let broker: BrokerController | undefined;
    // Listening before the NAMESRV_ADDR line: a signal right after it must still stop gracefully.
    const stopped = waitForShutdownSignal();
    try {
      const ns = await namesrv.start().catch((e) => {
        throw new Error(`Cannot listen on ${host}:${namesrvPort}: ${errorMessage(e)}`, {
          cause: e,
        });
      });
      const advertised = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
      const namesrvAddr = `${advertised}:${ns.port}`;
      broker = new BrokerController({
        listenPort: intOption(values, "broker-port", { min: 0, max: 65535 }) ??
          DEFAULT_LISTEN_PORT,
        bindAddress: host,
        brokerName: "broker-a",
        namesrvAddr,
        storePathRootDir: store,
        flushDiskType: "ASYNC_FLUSH",
        autoCreateTopicEnable: true,
      });
      await broker.start();
      log.info("Broker {name} serving at {addr} (store {store})", {
        name: broker.brokerName,
        addr: broker.brokerAddr,
        store,
      });
      console.log(`NAMESRV_ADDR=${namesrvAddr}`);
      const signal = await stopped;
      log.info("Received {signal}; shutting down", { signal });
    } finally {
      // The broker first: it unregisters from the name server that is still up.
      await broker?.shutdown();
      await namesrv.shutdown();
    }
    return 0;
  },
};
