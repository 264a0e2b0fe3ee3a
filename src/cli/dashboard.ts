/** `rmq dashboard`: the web UI for any RocketMQ 4.x cluster, rmq or Java. */
import { DashboardServer } from "../dashboard/dashboard_server.ts";
import {
  type CommandSpec,
  intOption,
  NAMESRV_OPTION,
  namesrvOption,
  SECURITY_OPTIONS,
  securityOption,
  stringOption,
} from "./args.ts";
import { ShutdownSignals } from "./shutdown_signals.ts";

export const DEFAULT_DASHBOARD_PORT = 8080;

export const command: CommandSpec = {
  name: "dashboard",
  summary: "Serve a web UI for a cluster (topics, groups, lag, messages) over its name server",
  usage: "dashboard -n ADDR [-p 8080] [--host 127.0.0.1]",
  options: {
    namesrv: NAMESRV_OPTION,
    port: { type: "string", short: "p", value: "PORT", doc: "HTTP port (default 8080)" },
    host: {
      type: "string",
      value: "HOST",
      doc: "Address to bind (default 127.0.0.1: the UI can change the cluster)",
    },
    ...SECURITY_OPTIONS,
  },
  details: "Prints DASHBOARD_URL=http://HOST:PORT/ once listening; Ctrl-C stops it.",
  async run({ values }) {
    const env = (n: string) => Deno.env.get(n);
    using signals = new ShutdownSignals();
    await using server = new DashboardServer(
      { namesrvAddr: namesrvOption(values, env), security: securityOption(values, env) },
      stringOption(values, "host") ?? "127.0.0.1",
      intOption(values, "port", { min: 0, max: 65535 }) ?? DEFAULT_DASHBOARD_PORT,
    );
    console.log(`DASHBOARD_URL=${server.url}`);
    await signals.first;
    return 0;
  },
};
