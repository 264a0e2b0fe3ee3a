/**
 * ali-ons (npm, a pure-JS RocketMQ 4.x client written by others) as a test producer and push
 * consumer, tamed: its timers run every few ms so they end soon after close, its sleeps after
 * errors are capped, its logging is kept for failure messages, and its hidden process-wide
 * inner producer is closed and forgotten.
 *
 * @example
 * ```ts
 * await using p = await startAliOnsProducer(cluster.namesrvAddr);
 * const r = await p.producer.send(new Message("TopicTest", "TagA", "hello"));
 * await using c = await startAliOnsConsumer(cluster.namesrvAddr, { consumerGroup: "g1" }, (c) =>
 *   c.subscribe("TopicTest", "TagA", async (msg) => void seen.push(msg)));
 * ```
 */
import ons from "ali-ons";
import { delay } from "../../src/common/timer.ts";

/** ali-ons' scheduled tasks sleep this long between runs; short so they end soon after close. */
export const ALI_ONS_TASK_INTERVAL_MS = 20;

export interface AliOnsMessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export interface AliOnsSendResult {
  sendStatus: string;
  msgId: string;
  messageQueue: AliOnsMessageQueue;
  queueOffset: number;
}

export interface AliOnsMessage {
  topic: string;
  body: Uint8Array;
  flag: number;
  tags: string | null;
  keys: string[];
  properties: Record<string, string>;
  /** DELAY: the delay level to deliver it at (0: at once). */
  delayTimeLevel: number;
}

/** The parts of ali-ons' producer (and its MQClient) tests use. */
export interface AliOnsProducer {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: "error", listener: (e: Error) => void): void;
  send(msg: AliOnsMessage): Promise<AliOnsSendResult>;
  _mqClient: {
    _brokerAddrTable: Map<string, unknown>;
  };
}

interface AliOnsProducerClass {
  new (options: Record<string, unknown>): AliOnsProducer;
  /** A process-wide inner producer ali-ons creates next to the first user producer. */
  defaultProducer: AliOnsProducer | null;
}

/** A message as ali-ons' consumer hands it to a handler. */
export interface AliOnsReceivedMessage extends AliOnsMessage {
  /** The offsetMsgId (32 hex chars). */
  msgId: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  reconsumeTimes: number;
  bornTimestamp: number;
  storeTimestamp: number;
  /** RETRY_TOPIC: the original topic of a message redelivered through %RETRY%. */
  retryTopic: string | null;
  /** ORIGIN_MESSAGE_ID. */
  originMessageId: string | null;
}

export type AliOnsHandler = (msg: AliOnsReceivedMessage) => Promise<unknown>;

/** The parts of ali-ons' push consumer tests use. */
export interface AliOnsConsumer {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: "error", listener: (e: Error) => void): void;
  /** `expression`: `*`, `TagA || TagB`. The handler must be an async function; throwing retries. */
  subscribe(topic: string, expression: string, handler: AliOnsHandler): void;
  _sleep(ms: number): Promise<void>;
  _mqClient: {
    clientId: string;
    _brokerAddrTable: Map<string, unknown>;
  };
}

interface AliOnsConsumerClass {
  new (options: Record<string, unknown>): AliOnsConsumer;
}

interface AliOnsMessageClass {
  new (topic: string, tags: string | null, body: string | Uint8Array): AliOnsMessage;
}

const lib = ons as unknown as {
  Producer: AliOnsProducerClass;
  Consumer: AliOnsConsumerClass;
  Message: AliOnsMessageClass;
};
export const Producer = lib.Producer;
export const Consumer = lib.Consumer;
export const Message = lib.Message;

export interface TestAliOnsProducer extends AsyncDisposable {
  producer: AliOnsProducer;
  /** What ali-ons logged at warn and error level. */
  logs: string[];
  /** Errors the producer emitted. */
  errors: Error[];
}

function quietLogger(lines: string[]) {
  const keep = (level: string) => (...args: unknown[]) =>
    lines.push(`${level} ${args.map(String).join(" ")}`);
  return { info() {}, debug() {}, warn: keep("warn"), error: keep("error") };
}

/** A started ali-ons producer against `namesrvAddr`; dispose closes it and its inner producer. */
export async function startAliOnsProducer(
  namesrvAddr: string,
  options: Record<string, unknown> = {},
): Promise<TestAliOnsProducer> {
  const logs: string[] = [];
  const errors: Error[] = [];
  const producer = new Producer({
    nameSrv: namesrvAddr,
    producerGroup: "rmq_interop_pg",
    // Required by ali-ons' constructor, used only to look name servers up over HTTP (onsAddr).
    httpclient: {},
    logger: quietLogger(logs),
    pollNameServerInteval: ALI_ONS_TASK_INTERVAL_MS,
    heartbeatBrokerInterval: ALI_ONS_TASK_INTERVAL_MS,
    persistConsumerOffsetInterval: ALI_ONS_TASK_INTERVAL_MS,
    rebalanceInterval: ALI_ONS_TASK_INTERVAL_MS,
    ...options,
  });
  producer.on("error", (e) => errors.push(e));
  await producer.ready();
  return {
    producer,
    logs,
    errors,
    async [Symbol.asyncDispose]() {
      await closeForgiving(producer);
      await closeInnerProducer();
    },
  };
}

/**
 * Closes a producer or consumer. On close ali-ons sends UNREGISTER_CLIENT to every broker it
 * knows and gives up at the first that does not answer (a broker a test stopped); then it is
 * made to forget its brokers and closed again, which finishes the close.
 */
async function closeForgiving(
  c: { close(): Promise<void>; _mqClient: { _brokerAddrTable: Map<string, unknown> } },
): Promise<void> {
  try {
    await c.close();
  } catch {
    c._mqClient._brokerAddrTable.clear();
    await c.close();
  }
}

/**
 * Closes ali-ons' process-wide inner producer (CLIENT_INNER_PRODUCER, made with the first
 * producer's or consumer's options and sharing its client) and lets its task loops end.
 */
async function closeInnerProducer(): Promise<void> {
  if (Producer.defaultProducer) await closeForgiving(Producer.defaultProducer);
  Producer.defaultProducer = null;
  // ali-ons' task loops check for close after each sleep; let the last sleeps run out.
  await delay(ALI_ONS_TASK_INTERVAL_MS * 10);
}

export interface TestAliOnsConsumer extends AsyncDisposable {
  consumer: AliOnsConsumer;
  /** What ali-ons logged at warn and error level. */
  logs: string[];
  /** Errors the consumer emitted (a handler that throws emits one per failure). */
  errors: Error[];
  /** Closes the consumer (offsets persisted, UNREGISTER_CLIENT sent) and its inner producer. */
  close(): Promise<void>;
}

/** ali-ons' sleeps (after errors, flow control, local retries) are capped at this in tests. */
export const ALI_ONS_MAX_SLEEP_MS = 50;

/**
 * A started ali-ons push consumer against `namesrvAddr`; `subscribe` calls
 * `consumer.subscribe(...)` before it starts. Options are ali-ons' (`consumerGroup` required;
 * `instanceName` to run two consumers of one group in this process, `isBroadcast`,
 * `maxReconsumeTimes`, `consumeFromWhere` …). Dispose (or close()) closes it.
 */
export async function startAliOnsConsumer(
  namesrvAddr: string,
  options: Record<string, unknown> & { consumerGroup: string },
  subscribe: (consumer: AliOnsConsumer) => void,
): Promise<TestAliOnsConsumer> {
  const logs: string[] = [];
  const errors: Error[] = [];
  const consumer = new Consumer({
    nameSrv: namesrvAddr,
    httpclient: {},
    logger: quietLogger(logs),
    pollNameServerInteval: ALI_ONS_TASK_INTERVAL_MS,
    heartbeatBrokerInterval: ALI_ONS_TASK_INTERVAL_MS,
    persistConsumerOffsetInterval: ALI_ONS_TASK_INTERVAL_MS,
    rebalanceInterval: ALI_ONS_TASK_INTERVAL_MS,
    pullTimeDelayMillsWhenException: ALI_ONS_MAX_SLEEP_MS,
    pullTimeDelayMillsWhenFlowControl: ALI_ONS_MAX_SLEEP_MS,
    ...options,
  });
  // A failed send-back makes ali-ons sleep 5 s before retrying locally; keep every sleep short.
  const sleep = consumer._sleep.bind(consumer);
  consumer._sleep = (ms) => sleep(Math.min(ms, ALI_ONS_MAX_SLEEP_MS));
  consumer.on("error", (e) => errors.push(e));
  subscribe(consumer);
  await consumer.ready();
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await closeForgiving(consumer);
      await closeInnerProducer();
    })();
  return { consumer, logs, errors, close, [Symbol.asyncDispose]: close };
}
