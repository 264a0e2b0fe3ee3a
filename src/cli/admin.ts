/**
 * `rmq admin <command>`: mqadmin's commands, names and short flags (each command its own, as in
 * mqadmin), over the remoting protocol, so they work against Java RocketMQ 4.x clusters as well
 * as rmq. Aligned tables by default, `--json` for one JSON document; exit 0 done, 1 refused or
 * unreachable, 2 bad flags.
 */
import { UsageError } from "../common/errors.ts";
import { AdminClient } from "../admin/admin_client.ts";
import { renderResult } from "../admin/admin_output.ts";
import { ADMIN_COMMANDS } from "../admin/commands/all_commands.ts";
import type { AdminCommand } from "../admin/commands/admin_command.ts";
import {
  type CommandSpec,
  NAMESRV_OPTION,
  namesrvOption,
  type OptionSpecs,
  SECURITY_OPTIONS,
  securityOption,
} from "./args.ts";

const SHARED_OPTIONS: OptionSpecs = {
  namesrv: NAMESRV_OPTION,
  json: { type: "boolean", doc: "Print one JSON document instead of a table" },
  ...SECURITY_OPTIONS,
};

function commandList(): string {
  const w = Math.max(...ADMIN_COMMANDS.map((c) => c.name.length)) + 2;
  return ADMIN_COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`).join("\n");
}

/** The spec one admin command parses its flags with. */
function specOf(cmd: AdminCommand): CommandSpec {
  return {
    name: `admin ${cmd.name}`,
    summary: cmd.summary,
    usage: `admin ${cmd.name} ${cmd.usage} [-n ADDR] [--json]`.replace(/ +/g, " "),
    options: { ...cmd.options, ...SHARED_OPTIONS },
    async run({ values }) {
      const env = (n: string) => Deno.env.get(n);
      await using admin = new AdminClient({
        namesrvAddr: namesrvOption(values, env),
        security: securityOption(values, env),
      });
      const out = renderResult(await cmd.run(admin, values), values.json === true);
      if (out) console.log(out);
      return 0;
    },
  };
}

export const command: CommandSpec = {
  name: "admin",
  summary: "Administer a RocketMQ 4.x cluster, rmq or Java (mqadmin's commands and flags)",
  usage: "admin <command> [flags] [-n ADDR] [--json]   (rmq admin <command> --help)",
  positionals: true,
  options: {},
  details: ["Commands:", commandList()].join("\n"),
  subcommand(argv) {
    const name = argv[0];
    if (name === undefined || name.startsWith("-")) return undefined;
    const cmd = ADMIN_COMMANDS.find((c) => c.name === name);
    if (!cmd) {
      throw new UsageError(
        `rmq admin: unknown command ${JSON.stringify(name)} (see rmq admin --help)`,
      );
    }
    return { spec: specOf(cmd), argv: argv.slice(1) };
  },
  run() {
    return Promise.reject(new UsageError(`which command?\n${commandList()}`));
  },
};
