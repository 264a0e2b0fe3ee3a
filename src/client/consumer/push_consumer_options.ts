/**
 * A push consumer's options (DefaultMQPushConsumer's setters) and their resolution: every
 * option checked once, every default filled in (Java's unless noted), so the pull loop and the
 * consume service read plain settings.
 */
import {
  allocateMessageQueueAveragely,
  type AllocateMessageQueueStrategy,
} from "./allocate_strategy.ts";
import {
  type ClientConfig,
  type ClientOptions,
  intOption,
  resolveClientConfig,
} from "../client_config.ts";
import { ConsumeFromWhere, MessageModel, parseConsumeTimestamp } from "./consumer_types.ts";
import { defaultLocalOffsetStoreDir } from "./offset_store.ts";
import { checkGroup } from "../validators.ts";

/**
 * Push consumer settings: ClientOptions plus the consumer's own; every default is Java's
 * unless noted.
 *
 * @example
 * ```ts
 * const options: PushConsumerOptions = {
 *   namesrvAddr: "127.0.0.1:9876",
 *   consumerGroup: "order_service",
 *   consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
 *   consumeMessageBatchMaxSize: 32,
 * };
 * ```
 */
export interface PushConsumerOptions extends ClientOptions {
  /** Consumer group: letters, digits, `%|_-`. */
  consumerGroup: string;
  /** CLUSTERING (default) or BROADCASTING. */
  messageModel?: MessageModel;
  /** Where a queue without a committed offset starts (CONSUME_FROM_LAST_OFFSET). */
  consumeFromWhere?: ConsumeFromWhere;
  /**
   * Start time for CONSUME_FROM_TIMESTAMP: ms since the epoch, a Date, or Java's
   * `yyyyMMddHHmmss` (default 30 minutes before start).
   */
  consumeTimestamp?: number | Date | string;
  /** How the group splits queues (allocateMessageQueueAveragely). */
  allocateMessageQueueStrategy?: AllocateMessageQueueStrategy;
  /** Most messages per listener call (consumeMessageBatchMaxSize, 1). */
  consumeMessageBatchMaxSize?: number;
  /** Most messages per pull (pullBatchSize, 32; brokers cap it, 32 by default). */
  pullBatchSize?: number;
  /** Pause between pulls of one queue, ms (pullInterval, 0). */
  pullInterval?: number;
  /** Unconsumed messages per queue above which pulling that queue pauses (1000). */
  pullThresholdForQueue?: number;
  /** Unconsumed body MiB per queue above which pulling that queue pauses (100). */
  pullThresholdSizeForQueue?: number;
  /** Offset span of unconsumed messages per queue above which pulling pauses (2000). */
  consumeConcurrentlyMaxSpan?: number;
  /** Deliveries before a failing message goes to the DLQ (maxReconsumeTimes, 16). */
  maxReconsumeTimes?: number;
  /** How long the broker may hold a pull that finds nothing, ms (15000). */
  brokerSuspendMaxTimeMillis?: number;
  /** Timeout of a held pull, ms (consumerTimeoutMillisWhenSuspend, 30000). */
  consumerTimeoutMillisWhenSuspend?: number;
  /** Pause before pulling a queue again after a failed pull, ms (1000). */
  pullTimeDelayMillsWhenException?: number;
  /** How often offsets are persisted, ms (persistConsumerOffsetInterval, 5000). */
  persistConsumerOffsetInterval?: number;
  /** Send the subscription with every pull (postSubscriptionWhenPull, false). */
  postSubscriptionWhenPull?: boolean;
  /**
   * BROADCASTING only: directory of the local offset files (Java's
   * `rocketmq.client.localOffsetStoreDir`, default `~/.rocketmq_offsets`).
   */
  localOffsetStoreDir?: string;
  /**
   * How long shutdown() waits for listener calls in flight before it persists offsets, ms
   * (rmq: 30000; messages of calls still running then are delivered again later).
   */
  awaitTerminationMillisWhenShutdown?: number;
}

/** PushConsumerOptions resolved: what the consumer, its pull loop and consume service read. */
export interface PushConsumerSettings {
  readonly clientConfig: ClientConfig;
  readonly group: string;
  readonly model: MessageModel;
  readonly fromWhere: ConsumeFromWhere;
  /** CONSUME_FROM_TIMESTAMP's start, ms since the epoch. */
  readonly consumeTimestamp: number;
  readonly strategy: AllocateMessageQueueStrategy;
  /** Most messages per listener call. */
  readonly batchMax: number;
  readonly pullBatchSize: number;
  readonly pullInterval: number;
  /** Flow control per queue: unconsumed messages, their body bytes, their offset span. */
  readonly thresholdCount: number;
  readonly thresholdBytes: number;
  readonly maxSpan: number;
  readonly maxReconsumeTimes: number;
  readonly suspendMs: number;
  readonly pullTimeoutMs: number;
  readonly pullDelayOnErrorMs: number;
  readonly persistIntervalMs: number;
  readonly postSubscription: boolean;
  readonly offsetDir: string;
  readonly awaitTerminationMs: number;
}

/** Checks the options and fills in defaults; TypeError or RangeError for an invalid option. */
export function resolvePushConsumerOptions(options: PushConsumerOptions): PushConsumerSettings {
  const what = "push consumer";
  const group = options.consumerGroup;
  checkGroup(group, `create ${what}`);
  const model = options.messageModel ?? MessageModel.CLUSTERING;
  if (model !== MessageModel.CLUSTERING && model !== MessageModel.BROADCASTING) {
    throw new TypeError(`Cannot create ${what}: messageModel ${String(model)} is unknown`);
  }
  const clientConfig = resolveClientConfig(options);
  // Java keeps a broadcasting consumer's instance name (default DEFAULT), so its local
  // offset file path is the same on every run.
  if (
    model === MessageModel.BROADCASTING &&
    (options.instanceName === undefined || options.instanceName === "DEFAULT")
  ) {
    clientConfig.instanceName = "DEFAULT";
  }
  const fromWhere = options.consumeFromWhere ?? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET;
  if (!Object.values(ConsumeFromWhere).includes(fromWhere)) {
    throw new TypeError(
      `Cannot create ${what}: consumeFromWhere ${String(fromWhere)} is unknown`,
    );
  }
  const consumeTimestamp = parseConsumeTimestamp(options.consumeTimestamp, Date.now());
  const strategy = options.allocateMessageQueueStrategy ?? allocateMessageQueueAveragely;
  const batchMax = intOption(options, "consumeMessageBatchMaxSize", 1, 1, what);
  const pullBatchSize = intOption(options, "pullBatchSize", 32, 1, what);
  const pullInterval = intOption(options, "pullInterval", 0, 0, what);
  const thresholdCount = intOption(options, "pullThresholdForQueue", 1000, 1, what);
  const thresholdBytes = intOption(options, "pullThresholdSizeForQueue", 100, 1, what) *
    1024 * 1024;
  const maxSpan = intOption(options, "consumeConcurrentlyMaxSpan", 2000, 1, what);
  const maxRe = intOption(options, "maxReconsumeTimes", 16, -1, what);
  const suspendMs = intOption(options, "brokerSuspendMaxTimeMillis", 15_000, 0, what);
  const pullTimeoutMs = intOption(options, "consumerTimeoutMillisWhenSuspend", 30_000, 1, what);
  if (pullTimeoutMs <= suspendMs) {
    throw new RangeError(
      `Cannot create ${what}: consumerTimeoutMillisWhenSuspend must exceed brokerSuspendMaxTimeMillis`,
    );
  }
  return {
    clientConfig,
    group,
    model,
    fromWhere,
    consumeTimestamp,
    strategy,
    batchMax,
    pullBatchSize,
    pullInterval,
    thresholdCount,
    thresholdBytes,
    maxSpan,
    maxReconsumeTimes: maxRe === -1 ? 16 : maxRe,
    suspendMs,
    pullTimeoutMs,
    pullDelayOnErrorMs: intOption(options, "pullTimeDelayMillsWhenException", 1000, 0, what),
    persistIntervalMs: intOption(options, "persistConsumerOffsetInterval", 5000, 1, what),
    awaitTerminationMs: intOption(options, "awaitTerminationMillisWhenShutdown", 30_000, 0, what),
    postSubscription: options.postSubscriptionWhenPull ?? false,
    offsetDir: options.localOffsetStoreDir ?? defaultLocalOffsetStoreDir(),
  };
}
