/**
 * ali-ons (npm, a pure-JS RocketMQ 4.x client written by others) as a test producer, tamed:
 * its timers run every few ms so they end soon after close, its console logging is kept for
 * failure messages, and its hidden process-wide inner producer is closed and forgotten.
 *
 * @example
 * ```ts
 * await using p = await startAliOnsProducer(cluster.namesrvAddr);
 * const r = await p.producer.send(new Message("TopicTest", "TagA", "hello"));
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

interface AliOnsMessageClass {
  new (topic: string, tags: string | null, body: string | Uint8Array): AliOnsMessage;
}

const lib = ons as unknown as { Producer: AliOnsProducerClass; Message: AliOnsMessageClass };
export const Producer = lib.Producer;
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
      // On close ali-ons sends UNREGISTER_CLIENT to every broker it knows and fails the close on
      // any answer but 0. Client management (HEART_BEAT, UNREGISTER_CLIENT) belongs to the
      // broker's consume path; until a broker answers it, ali-ons is made to forget its brokers.
      producer._mqClient._brokerAddrTable.clear();
      await producer.close();
      await Producer.defaultProducer?.close();
      Producer.defaultProducer = null;
      // ali-ons' task loops check for close after each sleep; let the last sleeps run out.
      await delay(ALI_ONS_TASK_INTERVAL_MS * 10);
    },
  };
}
