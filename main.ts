/**
 * rmq: a RocketMQ 4.x-compatible name server and broker. This file only dispatches a
 * subcommand to its module under src/cli/; modules load lazily so start-up stays fast.
 */
import { RMQ_VERSION, ROCKETMQ_VERSION_NAME } from "./src/version.ts";
import type { CommandSpec } from "./src/cli/args.ts";

type Loader = () => Promise<{ command: CommandSpec }>;

const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  namesrv: {
    summary: "Run a name server (route registry)",
    load: () => import("./src/cli/namesrv.ts"),
  },
  broker: {
    summary: "Run a broker (stores and serves messages)",
    load: () => import("./src/cli/broker.ts"),
  },
  dev: {
    summary: "Run a name server and a broker in one process",
    load: () => import("./src/cli/dev.ts"),
  },
  produce: {
    summary: "Send messages to a topic",
    load: () => import("./src/cli/produce.ts"),
  },
  consume: {
    summary: "Read and print messages of a topic as a consumer group",
    load: () => import("./src/cli/consume.ts"),
  },
  bench: {
    summary: "Measure throughput and latency: produce, consume or end to end",
    load: () => import("./src/cli/bench.ts"),
  },
  admin: {
    summary: "Administer a cluster, rmq or Java: mqadmin's commands (rmq admin --help)",
    load: () => import("./src/cli/admin.ts"),
  },
  dashboard: {
    summary: "Serve a web UI for a cluster, rmq or Java",
    load: () => import("./src/cli/dashboard.ts"),
  },
};

function usage(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    "Usage: rmq <command> [options]",
    "",
    "A RocketMQ 4.x-compatible message broker: RocketMQ clients work against it unchanged.",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(w)}${c.summary}`),
    "",
    "Options:",
    "  -h, --help     Show this help (rmq <command> --help for a command's options)",
    "  -V, --version  Show the version",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(usage());
    return 0;
  }
  if (cmd === "--version" || cmd === "-V" || cmd === "version") {
    console.log(
      `rmq ${RMQ_VERSION} (RocketMQ protocol ${ROCKETMQ_VERSION_NAME}, Deno ${Deno.version.deno})`,
    );
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!entry) {
    console.error(`rmq: unknown command ${JSON.stringify(cmd)} (see rmq --help)`);
    return 2;
  }
  const { runCommand } = await import("./src/cli/run.ts");
  return await runCommand((await entry.load()).command, rest);
}

Deno.exit(await main(Deno.args));
