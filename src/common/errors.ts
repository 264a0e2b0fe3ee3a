/**
 * Bad user input on the command line or in a config file. The CLI prints its message as one
 * line and exits with code 2; nothing else catches it.
 */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** Reduces any thrown value to a one-line message for a log line or a response remark. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split("\n")[0];
  return String(e);
}
