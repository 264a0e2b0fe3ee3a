import {
  configureSync,
  getLogger as getLogtapeLogger,
  getTextFormatter,
  jsonLinesFormatter,
  type Logger,
  type LogLevel,
  type LogRecord,
  resetSync,
} from "@logtape/logtape";

export type { Logger, LogLevel };

/** Level names accepted on the command line; `warn` is kept for RocketMQ/log4j habits. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "warning", "error", "fatal"] as const;
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A logger under the `rmq` category, e.g. `logger("remoting")`. */
export function logger(...category: string[]): Logger {
  return getLogtapeLogger(["rmq", ...category]);
}

/**
 * Sends every `rmq` log record to stderr, so stdout stays free for the one-line start-up
 * addresses and command output that scripts parse. Written synchronously so nothing is lost
 * when the process exits right after logging.
 */
export function setupLogging(level: string, format: LogFormat = "text"): void {
  const lowestLevel: LogLevel = level === "warn" ? "warning" : level as LogLevel;
  const formatter = format === "json" ? jsonLinesFormatter : getTextFormatter({
    timestamp: "date-time-tz",
  });
  const encoder = new TextEncoder();
  const sink = (record: LogRecord) => {
    try {
      Deno.stderr.writeSync(encoder.encode(formatter(record)));
    } catch {
      // stderr closed (e.g. piped into a finished process): logging must never crash the server.
    }
  };
  resetSync();
  configureSync({
    sinks: { stderr: sink },
    loggers: [
      { category: ["rmq"], lowestLevel, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}
