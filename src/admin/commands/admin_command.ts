/** One `rmq admin` command: mqadmin's name and short flags, and what it does. */
import type { OptionSpec, OptionSpecs, OptionValues } from "../../cli/args.ts";
import type { AdminClient } from "../admin_client.ts";
import type { AdminResult } from "../admin_output.ts";

export interface AdminCommand {
  /** mqadmin's name, e.g. `topicStatus`. */
  name: string;
  summary: string;
  /** Usage after `rmq admin <name> `, with mqadmin's short flags. */
  usage: string;
  /** The command's own flags, named and lettered as mqadmin's. */
  options: OptionSpecs;
  /** Changes nothing and reveals no secret: the dashboard may run it on a GET. */
  readOnly?: boolean;
  run(admin: AdminClient, values: OptionValues): Promise<AdminResult>;
}

/** mqadmin's flags, by the letter most commands give them. */
export const Flag = {
  topic: { type: "string", short: "t", value: "TOPIC", doc: "Topic" },
  cluster: { type: "string", short: "c", value: "CLUSTER", doc: "Cluster name" },
  brokerAddr: { type: "string", short: "b", value: "ADDR", doc: "Broker address host:port" },
  group: { type: "string", short: "g", value: "GROUP", doc: "Group" },
} as const satisfies Record<string, OptionSpec>;
