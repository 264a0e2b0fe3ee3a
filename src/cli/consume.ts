/**
 * `rmq consume`: reads a topic through rmq's push consumer and prints one line per message on
 * stdout (text, or JSON with --json). --count N stops after N messages (offsets committed
 * first), --timeout stops after a time (exit 1 if --count was not reached), SIGINT/SIGTERM
 * stop cleanly (exit 0). --fail-rate P makes that share of deliveries fail, so redeliveries
 * through the group's retry topic can be watched.
 */
import { errorMessage, UsageError } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { MessageConst } from "../common/message/message_const.ts";
import type { MessageExt } from "../client/message_ext.ts";
import { PushConsumer } from "../client/consumer/push_consumer.ts";
import { ConsumeFromWhere, MessageModel } from "../client/consumer/consumer_types.ts";
import { parseTagExpression } from "../client/consumer/tag_expression.ts";
import { checkGroup, checkTopic } from "../client/validators.ts";
import {
  choiceOption,
  type ClientSecurity,
  type CommandSpec,
  durationOption,
  intOption,
  NAMESRV_OPTION,
  namesrvOption,
  type OptionValues,
  SECURITY_OPTIONS,
  securityOption,
  stringOption,
} from "./args.ts";
import { checkNamesrvReachable } from "./namesrv_reach.ts";
import { ShutdownSignals } from "./shutdown_signals.ts";
import { commitStartOffsets } from "../client/consumer/start_offsets.ts";

const log = logger("cli", "consume");

/** Everything `rmq consume` was asked to do, checked. */
export interface ConsumeSettings {
  namesrvAddr: string;
  group: string;
  topic: string;
  /** TAG expression (`*` by default). */
  expression: string;
  consumeFromWhere: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP, ms since the epoch. */
  consumeTimestamp?: number;
  broadcast: boolean;
  count?: number;
  timeoutMs?: number;
  json: boolean;
  quiet: boolean;
  /** Share of deliveries to fail, 0..1. */
  failRate: number;
  offsetDir?: string;
  serializeType: "JSON" | "ROCKETMQ";
  security: ClientSecurity;
}

/** Reads `--from`: first, last, ms since the epoch, or an ISO date. */
export function parseFrom(v: string | undefined): {
  consumeFromWhere: ConsumeFromWhere;
  consumeTimestamp?: number;
} {
  if (v === undefined || v === "last") {
    return { consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET };
  }
  if (v === "first") return { consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET };
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new UsageError(
      `Invalid value for --from: ${
        JSON.stringify(v)
      } (expected first, last, a ms timestamp or an ISO date)`,
    );
  }
  return { consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_TIMESTAMP, consumeTimestamp: t };
}

/**
 * Checks the flags; every problem is a UsageError (one line, exit 2). `env` stands in for
 * Deno.env so tests need no environment.
 */
export function parseConsumeSettings(
  values: OptionValues,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): ConsumeSettings {
  const topic = stringOption(values, "topic");
  if (topic === undefined) throw new UsageError("--topic is required");
  const group = stringOption(values, "group");
  if (group === undefined) throw new UsageError("--group is required");
  const namesrvAddr = namesrvOption(values, env);
  const expression = stringOption(values, "tag") ?? "*";
  const failText = stringOption(values, "fail-rate");
  const failRate = failText === undefined ? 0 : Number(failText);
  if (failText !== undefined && (failText.trim() === "" || !(failRate >= 0 && failRate <= 1))) {
    throw new UsageError(
      `Invalid value for --fail-rate: ${JSON.stringify(failText)} (expected a number from 0 to 1)`,
    );
  }
  const serialize = choiceOption(values, "serialize", ["json", "rocketmq"] as const) ?? "json";
  try {
    checkTopic(topic, "consume");
    checkGroup(group, "consume");
    parseTagExpression(expression);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) {
      throw new UsageError(e.message);
    }
    throw e;
  }
  const timeoutMs = durationOption(values, "timeout");
  if (timeoutMs !== undefined && timeoutMs <= 0) {
    throw new UsageError("Invalid value for --timeout: it must be more than 0");
  }
  return {
    namesrvAddr,
    group,
    topic,
    expression,
    ...parseFrom(stringOption(values, "from")),
    broadcast: values.broadcast === true,
    count: intOption(values, "count", { min: 1 }),
    timeoutMs,
    json: values.json === true,
    quiet: values.quiet === true,
    failRate,
    offsetDir: stringOption(values, "offset-dir"),
    serializeType: serialize === "rocketmq" ? "ROCKETMQ" : "JSON",
    security: securityOption(values, env),
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * `--from last` / `--from TIME` for a group with no offsets yet: its offsets are committed at the
 * end of each queue, or at the time, before it starts (RocketMQ 4.x would start a new group at
 * offset 0 while the queue's first message is still in memory). A topic with no route yet is
 * left to the consumer, which waits for it.
 */
async function startNewGroupWhereAsked(s: ConsumeSettings): Promise<void> {
  try {
    const done = await commitStartOffsets({
      namesrvAddr: s.namesrvAddr,
      consumerGroup: s.group,
      serializeType: s.serializeType,
      ...s.security,
      topic: s.topic,
      from: s.consumeTimestamp ?? "end",
      onlyNewGroup: true,
    });
    if (done) {
      log.info("New group {group} starts at {where} of {topic}", {
        group: s.group,
        where: s.consumeTimestamp === undefined
          ? "the end"
          : new Date(s.consumeTimestamp).toISOString(),
        topic: s.topic,
      });
    }
  } catch (e) {
    log.debug("Start offsets of {group} not set: {error}", {
      group: s.group,
      error: errorMessage(e),
    });
  }
}

/** The body as text when it is valid UTF-8. */
function bodyText(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined; // Not UTF-8: shown as base64 only.
  }
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Properties shown in their own fields, left out of `props`. */
const SHOWN = new Set<string>([MessageConst.KEYS, MessageConst.TAGS, MessageConst.UNIQ_KEY]);

/**
 * One output line for a message. Text:
 * `topic=T queue=broker-a:1 offset=42 msgId=… keys=k1,k2 tags=TagA reconsumeTimes=0
 * props={"a":"1"} body="…"` (body JSON-quoted, or `base64:…` when not UTF-8). JSON: one
 * object with every field, properties, body base64 and bodyText when UTF-8.
 */
export function formatMessage(m: MessageExt, json: boolean): string {
  const text = bodyText(m.body);
  if (json) {
    const o: Record<string, unknown> = {
      topic: m.topic,
      brokerName: m.brokerName,
      queueId: m.queueId,
      queueOffset: m.queueOffset,
      msgId: m.msgId,
      offsetMsgId: m.offsetMsgId,
      keys: m.keys,
      tags: m.tags ?? null,
      reconsumeTimes: m.reconsumeTimes,
      bornTimestamp: m.bornTimestamp,
      storeTimestamp: m.storeTimestamp,
      bornHost: m.bornHost,
      properties: { ...m.properties },
      body: base64(m.body),
    };
    if (text !== undefined) o.bodyText = text;
    return JSON.stringify(o);
  }
  const props: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.properties)) if (!SHOWN.has(k)) props[k] = v;
  return `topic=${m.topic} queue=${m.brokerName}:${m.queueId} offset=${m.queueOffset} msgId=${m.msgId} keys=${
    m.keys.join(",")
  } tags=${m.tags ?? ""} reconsumeTimes=${m.reconsumeTimes} props=${JSON.stringify(props)} body=${
    text !== undefined ? JSON.stringify(text) : `base64:${base64(m.body)}`
  }`;
}

/**
 * Lines to stdout, gathered and written once per turn of the event loop: a pull's worth of
 * messages costs one write, not one per line.
 */
class LineWriter {
  #buf: string[] = [];
  #scheduled = false;
  #broken = false;
  readonly #enc = new TextEncoder();
  readonly #onBroken: () => void;

  constructor(onBroken: () => void) {
    this.#onBroken = onBroken;
  }

  line(s: string): void {
    if (this.#broken) return;
    this.#buf.push(s);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#buf.length === 0 || this.#broken) return;
    const bytes = this.#enc.encode(this.#buf.join("\n") + "\n");
    this.#buf = [];
    try {
      let off = 0;
      while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    } catch (e) {
      // stdout closed (e.g. `| head`): nobody reads any more; stop consuming.
      this.#broken = true;
      log.debug("stdout closed: {error}", { error: errorMessage(e) });
      this.#onBroken();
    }
  }
}

export const command: CommandSpec = {
  name: "consume",
  summary: "Read messages of a topic as a consumer group and print them.",
  usage:
    "consume --group GROUP --topic TOPIC [--tag 'A || B'] [--from first|last|TIME] [--broadcast] [--count N] [--timeout DUR] [--json] [--quiet] [--fail-rate P] [--namesrv ADDR]",
  options: {
    group: { type: "string", short: "g", value: "GROUP", doc: "Consumer group (required)" },
    topic: { type: "string", short: "t", value: "TOPIC", doc: "Topic to read (required)" },
    tag: {
      type: "string",
      value: "EXPR",
      doc: "Tags to receive, e.g. 'TagA || TagB' (default * = all)",
    },
    from: {
      type: "string",
      value: "WHERE",
      doc: "Start of a group without offsets: first, last (the end of each queue), or a time " +
        "(ms timestamp or ISO date: the first message stored since) (default last)",
    },
    broadcast: {
      type: "boolean",
      doc: "Broadcasting: read every queue, offsets in a local file (default clustering)",
    },
    count: { type: "string", short: "c", value: "N", doc: "Exit 0 after N messages" },
    timeout: {
      type: "string",
      value: "DUR",
      doc: "Stop after this long (30s, 2m); exit 1 if --count was not reached",
    },
    json: { type: "boolean", doc: "One JSON object per message (body base64 + bodyText)" },
    quiet: {
      type: "boolean",
      short: "q",
      doc: "No message lines; print one summary line (count, rate) at the end",
    },
    "fail-rate": {
      type: "string",
      value: "P",
      doc: "Fail this share (0..1) of deliveries, so redeliveries can be seen",
    },
    "offset-dir": {
      type: "string",
      value: "DIR",
      doc: "With --broadcast: offsets directory (default ~/.rocketmq_offsets)",
    },
    namesrv: NAMESRV_OPTION,
    ...SECURITY_OPTIONS,
    serialize: {
      type: "string",
      value: "TYPE",
      doc: "Request header encoding: json or rocketmq (default json)",
    },
  },
  details: [
    "Per message (text): topic=<t> queue=<broker>:<queueId> offset=<n> msgId=<id> keys=<k1,k2>",
    'tags=<tag> reconsumeTimes=<n> props={...} body="<text>" (body=base64:... when not UTF-8).',
    "--from applies only to queues the group has no committed offset for (RocketMQ's",
    "consumeFromWhere); a group always resumes where it stopped.",
    "A failed delivery (--fail-rate) is reported on stderr and comes again later through the",
    "group's retry topic (%RETRY%<group>) with reconsumeTimes + 1; only successful deliveries",
    "are printed and counted.",
    "Exit status: 0 done (--count reached, signal, or --timeout without --count), 1 --timeout",
    "before --count, 2 bad flags.",
  ].join("\n"),
  async run({ values }) {
    const s = parseConsumeSettings(values);
    await checkNamesrvReachable(s.namesrvAddr, s.topic, s.security);
    if (!s.broadcast && s.consumeFromWhere !== ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET) {
      await startNewGroupWhereAsked(s);
    }
    const consumer = new PushConsumer({
      namesrvAddr: s.namesrvAddr,
      consumerGroup: s.group,
      messageModel: s.broadcast ? MessageModel.BROADCASTING : MessageModel.CLUSTERING,
      consumeFromWhere: s.consumeFromWhere,
      consumeTimestamp: s.consumeTimestamp,
      localOffsetStoreDir: s.offsetDir,
      serializeType: s.serializeType,
      ...s.security,
    });
    consumer.subscribe(s.topic, s.expression);
    let consumed = 0;
    let firstAt = 0;
    let lastAt = 0;
    let exitCode = 0;
    let stopped = false;
    let finish!: () => void;
    const finished = new Promise<void>((r) => finish = r);
    const stop = (code: number) => {
      if (stopped) return;
      stopped = true;
      exitCode = code;
      // Synchronously stops handing out messages, so nothing past --count is delivered.
      void consumer.shutdown();
      finish();
    };
    const out = new LineWriter(() => stop(0));
    consumer.registerMessageListener((msgs) => {
      for (const m of msgs) {
        if (s.failRate > 0 && Math.random() < s.failRate) {
          console.error(
            `rmq consume: failing delivery of msgId=${m.msgId} reconsumeTimes=${m.reconsumeTimes} (--fail-rate)`,
          );
          throw new Error("delivery failed on purpose (--fail-rate)");
        }
        if (!s.quiet) out.line(formatMessage(m, s.json));
        lastAt = performance.now();
        if (consumed++ === 0) firstAt = lastAt;
        if (s.count !== undefined && consumed >= s.count) stop(0);
      }
    });
    using signals = new ShutdownSignals();
    void signals.first.then(() => stop(0));
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (s.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        if (s.count !== undefined) {
          console.error(
            `rmq consume: timed out after ${s.timeoutMs} ms with ${consumed} of ${s.count} messages`,
          );
        }
        stop(s.count !== undefined ? 1 : 0);
      }, s.timeoutMs);
    }
    const begin = performance.now();
    try {
      await consumer.start();
      await finished;
    } finally {
      clearTimeout(timer);
      await consumer.shutdown();
      out.flush();
    }
    if (s.quiet) {
      const elapsedMs = performance.now() - begin;
      const spanMs = lastAt - firstAt;
      const rate = consumed > 1 && spanMs > 0 ? (consumed - 1) / (spanMs / 1000) : 0;
      console.log(
        s.json
          ? JSON.stringify({
            consumed,
            elapsedMs: Math.round(elapsedMs),
            msgPerSec: Math.round(rate),
          })
          : `consumed=${consumed} elapsed=${(elapsedMs / 1000).toFixed(3)}s rate=${
            Math.round(rate)
          } msg/s`,
      );
    }
    return exitCode;
  },
};
