/**
 * `rmq produce`: sends messages through rmq's producer. Bodies come from --body, from a file
 * (-f, the whole file is one message) or from stdin (one message per line). Without --count,
 * one result line per message on stdout; with --count N, one summary line. Exit 1 when any
 * send failed, 2 for bad flags.
 */
import { UsageError } from "../common/errors.ts";
import { errorMessage } from "../common/errors.ts";
import type { Message } from "../client/message.ts";
import { encodeMessageProperties, messageBody } from "../client/message.ts";
import { Producer } from "../client/producer/producer.ts";
import type { SendResult } from "../client/producer/send_result.ts";
import { checkBodyLength, checkTopic, DEFAULT_MAX_MESSAGE_SIZE } from "../client/validators.ts";
import {
  choiceOption,
  type ClientSecurity,
  type CommandSpec,
  intOption,
  NAMESRV_OPTION,
  namesrvOption,
  type OptionValues,
  SECURITY_OPTIONS,
  securityOption,
  stringOption,
} from "./args.ts";
import { checkNamesrvReachable } from "./namesrv_reach.ts";

export const MODES = ["sync", "async", "oneway"] as const;
export type ProduceMode = (typeof MODES)[number];

/** Async sends kept in flight at once, so memory stays bounded with a large --count. */
const ASYNC_WINDOW = 1024;
const DEFAULT_GROUP = "rmq_produce";

/** Where bodies come from. */
export type BodySource =
  | { kind: "text"; body: string }
  | { kind: "file"; path: string }
  | { kind: "stdin" }
  | { kind: "generated" };

/** Everything `rmq produce` was asked to do, checked. */
export interface ProduceSettings {
  namesrvAddr: string;
  group: string;
  topic: string;
  tags?: string;
  keys?: string;
  properties: Record<string, string>;
  delayTimeLevel?: number;
  source: BodySource;
  count?: number;
  mode: ProduceMode;
  json: boolean;
  serializeType: "JSON" | "ROCKETMQ";
  security: ClientSecurity;
}

/**
 * Checks the flags; every problem is a UsageError (one line, exit 2). `env` stands in for
 * Deno.env so tests need no environment.
 */
export function parseProduceSettings(
  values: OptionValues,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): ProduceSettings {
  const topic = stringOption(values, "topic");
  if (topic === undefined) throw new UsageError("--topic is required");
  const namesrvAddr = namesrvOption(values, env);
  const properties: Record<string, string> = {};
  const props = values.property;
  for (const p of Array.isArray(props) ? props : []) {
    const eq = p.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Invalid value for --property: ${JSON.stringify(p)} (expected k=v)`);
    }
    properties[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const body = stringOption(values, "body");
  const file = stringOption(values, "file");
  if (body !== undefined && file !== undefined) {
    throw new UsageError("--body and --file cannot be used together");
  }
  const count = intOption(values, "count", { min: 1 });
  const source: BodySource = body !== undefined
    ? { kind: "text", body }
    : file !== undefined
    ? { kind: "file", path: file }
    : count !== undefined
    ? { kind: "generated" }
    : { kind: "stdin" };
  const serialize = choiceOption(values, "serialize", ["json", "rocketmq"] as const) ?? "json";
  const settings: ProduceSettings = {
    namesrvAddr,
    group: stringOption(values, "group") ?? DEFAULT_GROUP,
    topic,
    tags: stringOption(values, "tag"),
    keys: stringOption(values, "keys"),
    properties,
    delayTimeLevel: intOption(values, "delay", { min: 0, max: 18 }),
    source,
    count,
    mode: choiceOption(values, "mode", MODES) ?? "sync",
    json: values.json === true,
    serializeType: serialize === "rocketmq" ? "ROCKETMQ" : "JSON",
    security: securityOption(values, env),
  };
  try {
    // The same checks a send makes, up front, so a bad topic or property is a usage error.
    checkTopic(topic);
    encodeMessageProperties(messageTemplate(settings, "x"), "0");
    if (source.kind === "text") {
      checkBodyLength(messageBody(source.body).length, DEFAULT_MAX_MESSAGE_SIZE);
    }
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  return settings;
}

function messageTemplate(s: ProduceSettings, body: Uint8Array | string): Message {
  const msg: Message = { topic: s.topic, body };
  if (s.tags !== undefined) msg.tags = s.tags;
  if (s.keys !== undefined) msg.keys = s.keys;
  if (Object.keys(s.properties).length > 0) msg.properties = s.properties;
  if (s.delayTimeLevel !== undefined) msg.delayTimeLevel = s.delayTimeLevel;
  return msg;
}

/** One result line: `SEND_OK msgId=… offsetMsgId=… queue=broker-a:1 queueOffset=42`. */
export function formatResult(r: SendResult, json: boolean): string {
  if (json) {
    return JSON.stringify({
      status: r.sendStatus,
      msgId: r.msgId,
      offsetMsgId: r.offsetMsgId,
      brokerName: r.messageQueue.brokerName,
      queueId: r.messageQueue.queueId,
      queueOffset: r.queueOffset,
    });
  }
  return `${r.sendStatus} msgId=${r.msgId} offsetMsgId=${r.offsetMsgId} queue=${r.messageQueue.brokerName}:${r.messageQueue.queueId} queueOffset=${r.queueOffset}`;
}

function formatOneway(msgId: string, json: boolean): string {
  return json ? JSON.stringify({ status: "ONEWAY", msgId }) : `ONEWAY msgId=${msgId}`;
}

function formatFailure(error: unknown, json: boolean): string {
  const message = errorMessage(error);
  return json ? JSON.stringify({ status: "FAILED", error: message }) : `FAILED ${message}`;
}

/** Lines of a byte stream, without their `\n` / `\r\n`; blank lines are skipped. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      const line = rest.slice(0, nl).replace(/\r$/, "");
      rest = rest.slice(nl + 1);
      if (line.length > 0) yield line;
    }
  }
  const last = rest.replace(/\r$/, "");
  if (last.length > 0) yield last;
}

interface Tally {
  sent: number;
  failed: number;
  firstError: unknown;
}

/**
 * Sends one message per call in the chosen mode and prints its line (unless a summary was
 * asked for). In async mode a window of sends stays in flight, with one waiter for a free
 * slot rather than a race over every pending send, so each send costs O(1).
 */
class Sender {
  readonly #producer: Producer;
  readonly #s: ProduceSettings;
  readonly #tally: Tally;
  readonly #perMessage: boolean;
  #inflight = 0;
  #slotFree: (() => void) | undefined;

  constructor(producer: Producer, s: ProduceSettings, tally: Tally) {
    this.#producer = producer;
    this.#s = s;
    this.#tally = tally;
    this.#perMessage = s.count === undefined;
  }

  /** Sends `body`; a promise only when the caller must wait before the next send. */
  send(body: Uint8Array | string): Promise<void> | undefined {
    const msg = messageTemplate(this.#s, body);
    switch (this.#s.mode) {
      case "sync":
        return this.#producer.send(msg).then(this.#onResult, this.#onError);
      case "oneway":
        return this.#producer.sendOneway(msg).then(this.#onOneway, this.#onError);
      case "async":
        this.#inflight++;
        this.#producer.sendAsync(msg).then(this.#onResult, this.#onError).finally(
          this.#settled,
        );
        return this.#inflight >= ASYNC_WINDOW ? this.#waitBelow(ASYNC_WINDOW) : undefined;
    }
  }

  /** Resolves once every async send has settled. */
  drain(): Promise<void> {
    return this.#waitBelow(1);
  }

  async #waitBelow(limit: number): Promise<void> {
    while (this.#inflight >= limit) await new Promise<void>((r) => this.#slotFree = r);
  }

  readonly #settled = () => {
    this.#inflight--;
    const wake = this.#slotFree;
    this.#slotFree = undefined;
    wake?.();
  };

  readonly #onResult = (r: SendResult) => {
    this.#tally.sent++;
    if (this.#perMessage) console.log(formatResult(r, this.#s.json));
  };

  readonly #onOneway = (msgId: string) => {
    this.#tally.sent++;
    if (this.#perMessage) console.log(formatOneway(msgId, this.#s.json));
  };

  readonly #onError = (e: unknown) => {
    this.#tally.failed++;
    this.#tally.firstError ??= e;
    if (this.#perMessage) console.log(formatFailure(e, this.#s.json));
  };
}

/** Sends every body: stdin lines as they arrive, else --count copies (default one). */
async function produce(producer: Producer, s: ProduceSettings, tally: Tally): Promise<void> {
  const sender = new Sender(producer, s, tally);
  if (s.source.kind === "stdin") {
    for await (const line of readLines(Deno.stdin.readable)) await sender.send(line);
  } else {
    const source = s.source;
    const fixed = source.kind === "text"
      ? source.body
      : source.kind === "file"
      ? await Deno.readFile(source.path)
      : undefined;
    const n = s.count ?? 1;
    for (let i = 0; i < n; i++) {
      const wait = sender.send(fixed ?? `Hello RocketMQ ${i}`);
      if (wait) await wait;
    }
  }
  await sender.drain();
}

export const command: CommandSpec = {
  name: "produce",
  summary: "Send messages to a topic through the name server's routes.",
  usage:
    "produce --topic TOPIC [--tag T] [--keys K] [--property k=v]... [--body TEXT | -f FILE] [--count N] [--mode sync|async|oneway] [--namesrv ADDR] [--json]",
  options: {
    topic: { type: "string", short: "t", value: "TOPIC", doc: "Topic to send to (required)" },
    tag: { type: "string", value: "TAG", doc: "Message tag (property TAGS)" },
    keys: { type: "string", short: "k", value: "KEYS", doc: "Message keys, space-separated" },
    property: {
      type: "string",
      short: "p",
      multiple: true,
      value: "K=V",
      doc: "A user property",
    },
    body: { type: "string", short: "b", value: "TEXT", doc: "Message body" },
    file: { type: "string", short: "f", value: "FILE", doc: "Send the whole file as the body" },
    count: {
      type: "string",
      short: "c",
      value: "N",
      doc: "Send N messages and print one summary line",
    },
    mode: {
      type: "string",
      short: "m",
      value: "MODE",
      doc: "sync (one at a time), async (many in flight) or oneway (default sync)",
    },
    delay: { type: "string", value: "LEVEL", doc: "Delay level 1-18 (1s 5s 10s 30s 1m … 2h)" },
    namesrv: NAMESRV_OPTION,
    ...SECURITY_OPTIONS,
    group: {
      type: "string",
      short: "g",
      value: "GROUP",
      doc: `Producer group (default ${DEFAULT_GROUP})`,
    },
    serialize: {
      type: "string",
      value: "TYPE",
      doc: "Request header encoding: json or rocketmq (default json)",
    },
    json: { type: "boolean", doc: "Print results as JSON lines" },
  },
  details: [
    "Bodies: --body TEXT, or -f FILE (the whole file is one message), else each non-empty",
    "line of stdin is one message. With --count N, the --body or file is sent N times (or, with",
    "neither, N bodies `Hello RocketMQ <i>`) and one summary line is printed.",
    "",
    "Per message: SEND_OK msgId=<UNIQ_KEY> offsetMsgId=<id> queue=<broker>:<queueId>",
    "queueOffset=<n> (ONEWAY msgId=… in oneway mode; FAILED <error> on failure).",
    "Exit status: 0 all sent, 1 any send failed, 2 bad flags.",
  ].join("\n"),
  async run({ values }) {
    const s = parseProduceSettings(values);
    await checkNamesrvReachable(s.namesrvAddr, s.topic, s.security);
    const producer = new Producer({
      namesrvAddr: s.namesrvAddr,
      producerGroup: s.group,
      serializeType: s.serializeType,
      ...s.security,
    });
    const tally: Tally = { sent: 0, failed: 0, firstError: undefined };
    let elapsedMs = 0;
    await producer.start();
    try {
      const begin = performance.now();
      await produce(producer, s, tally);
      elapsedMs = performance.now() - begin;
    } finally {
      await producer.shutdown();
    }
    if (s.count !== undefined) {
      if (tally.firstError !== undefined) {
        console.error(`rmq produce: first failure: ${errorMessage(tally.firstError)}`);
      }
      const rate = elapsedMs > 0 ? tally.sent / (elapsedMs / 1000) : 0;
      console.log(
        s.json
          ? JSON.stringify({
            sent: tally.sent,
            failed: tally.failed,
            elapsedMs: Math.round(elapsedMs),
            msgPerSec: Math.round(rate),
          })
          : `sent=${tally.sent} failed=${tally.failed} elapsed=${
            (elapsedMs / 1000).toFixed(3)
          }s rate=${Math.round(rate)} msg/s`,
      );
    }
    return tally.failed > 0 ? 1 : 0;
  },
};
