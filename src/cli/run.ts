import { errorMessage, UsageError } from "../common/errors.ts";
import { type LogFormat, logger, setupLogging } from "../common/log.ts";
import { type CommandSpec, formatHelp, parseCommandArgs } from "./args.ts";

/**
 * Runs one subcommand: parse, --help, logging set-up, run. Usage errors become one line on
 * stderr and exit code 2; other failures one line and exit code 1.
 */
export async function runCommand(top: CommandSpec, argv: string[]): Promise<number> {
  let spec = top;
  try {
    const sub = top.subcommand?.(argv);
    if (sub) {
      spec = sub.spec;
      argv = sub.argv;
    }
    const args = parseCommandArgs(spec, argv);
    if (args.values.help) {
      console.log(formatHelp(spec));
      return 0;
    }
    setupLogging(
      (args.values["log-level"] as string | undefined) ?? "info",
      (args.values["log-format"] as LogFormat | undefined) ?? "text",
    );
    return (await spec.run(args)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message.startsWith("rmq ") ? e.message : `rmq ${spec.name}: ${e.message}`);
      return 2;
    }
    logger("cli").debug("{error}", { error: e });
    console.error(`rmq ${spec.name}: ${errorMessage(e)}`);
    return 1;
  }
}
