/** One `rmq admin` command: mqadmin's name, what it needs, and what it does. */
import type { OptionValues } from "../../cli/args.ts";
import type { AdminClient } from "../admin_client.ts";
import type { AdminResult } from "../admin_output.ts";

export interface AdminCommand {
  /** mqadmin's name, e.g. `topicStatus`. */
  name: string;
  summary: string;
  /** Usage after `rmq admin <name> `, with mqadmin's short flags. */
  usage: string;
  run(admin: AdminClient, values: OptionValues): Promise<AdminResult>;
}
