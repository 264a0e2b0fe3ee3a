/**
 * `rmq admin <command>`: mqadmin's commands, names and short flags, over the remoting protocol,
 * so they work against Java RocketMQ 4.x clusters as well as rmq. Aligned tables by default,
 * `--json` for one JSON document; exit 0 done, 1 refused or unreachable, 2 bad flags.
 */
import { UsageError } from "../common/errors.ts";
import { AdminClient } from "../admin/admin_client.ts";
import { renderResult } from "../admin/admin_output.ts";
import type { AdminCommand } from "../admin/commands/admin_command.ts";
import { brokerStatus, clusterList, getBrokerConfig } from "../admin/commands/cluster_commands.ts";
import { consumerProgress } from "../admin/commands/consumer_commands.ts";
import {
  deleteTopic,
  topicList,
  topicRoute,
  topicStatus,
  updateTopic,
} from "../admin/commands/topic_commands.ts";
import {
  type CommandSpec,
  NAMESRV_OPTION,
  namesrvOption,
  SECURITY_OPTIONS,
  securityOption,
} from "./args.ts";

const COMMANDS: readonly AdminCommand[] = [
  clusterList,
  brokerStatus,
  getBrokerConfig,
  topicList,
  topicRoute,
  topicStatus,
  updateTopic,
  deleteTopic,
  consumerProgress,
];

function commandList(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}\n  ${" ".repeat(w)}${c.usage}`)
    .join("\n");
}

export const command: CommandSpec = {
  name: "admin",
  summary: "Administer a RocketMQ 4.x cluster, rmq or Java (mqadmin's commands and flags)",
  usage: "admin <command> [-n ADDR] [flags] [--json]",
  positionals: true,
  options: {
    namesrv: NAMESRV_OPTION,
    topic: { type: "string", short: "t", value: "TOPIC", doc: "Topic" },
    cluster: { type: "string", short: "c", value: "CLUSTER", doc: "Cluster name" },
    broker: { type: "string", short: "b", value: "ADDR", doc: "Broker address host:port" },
    group: { type: "string", short: "g", value: "GROUP", doc: "Consumer group" },
    "read-queues": { type: "string", short: "r", value: "N", doc: "Read queues (updateTopic, 8)" },
    "write-queues": {
      type: "string",
      short: "w",
      value: "N",
      doc: "Write queues (updateTopic, 8)",
    },
    perm: { type: "string", short: "p", value: "PERM", doc: "Permission 2 W, 4 R, 6 RW (6)" },
    order: { type: "string", short: "o", value: "BOOL", doc: "Ordered topic (false)" },
    json: { type: "boolean", doc: "Print one JSON document instead of a table" },
    ...SECURITY_OPTIONS,
  },
  details: ["Commands:", commandList()].join("\n"),
  async run({ values, positionals }) {
    const [name, ...extra] = positionals;
    if (name === undefined) throw new UsageError(`which command?\n${commandList()}`);
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) {
      throw new UsageError(
        `unknown command ${JSON.stringify(name)} (${COMMANDS.map((c) => c.name).join(", ")})`,
      );
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    const env = (n: string) => Deno.env.get(n);
    await using admin = new AdminClient({
      namesrvAddr: namesrvOption(values, env),
      security: securityOption(values, env),
    });
    const result = await cmd.run(admin, values);
    const out = renderResult(result, values.json === true);
    if (out) console.log(out);
    return 0;
  },
};
