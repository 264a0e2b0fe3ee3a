/**
 * A push consumer's figures (Java's ConsumerStatsManager) per topic: pulls and their round
 * trip, messages consumed and failed and the listener's time; and the running info
 * GET_CONSUMER_RUNNING_INFO answers (`mqadmin consumerStatus`), assembled from them and from
 * the consumer's queues.
 */
import { ConsumeType, type SubscriptionData } from "../../remoting/body/heartbeat_data.ts";
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import { ROCKETMQ_VERSION_NAME } from "../../version.ts";
import {
  type ConsumeStatus,
  encodeConsumerRunningInfo,
  type ProcessQueueInfo,
  RunningInfoProp,
} from "./consumer_running_info.ts";
import type { ProcessQueue } from "./process_queue.ts";
import type { PushConsumerSettings } from "./push_consumer_options.ts";

interface TopicStats {
  pulls: number;
  pullRtMs: number;
  consumeOk: number;
  consumeFailed: number;
  consumeRtMs: number;
  consumeCalls: number;
}

const MIB = 1024 * 1024;

export class ConsumerStats {
  readonly #byTopic = new Map<string, TopicStats>();

  /** A pull of `topic` answered after `rtMs`. */
  pulled(topic: string, rtMs: number): void {
    const s = this.#of(topic);
    s.pulls++;
    s.pullRtMs += rtMs;
  }

  /** A listener call on `topic` took `rtMs`: `ok` messages succeeded, `failed` did not. */
  consumed(topic: string, ok: number, failed: number, rtMs: number): void {
    const s = this.#of(topic);
    s.consumeCalls++;
    s.consumeRtMs += rtMs;
    s.consumeOk += ok;
    s.consumeFailed += failed;
  }

  /** Per topic: average round trips and rates since start (`upSeconds` ago). */
  statusTable(upSeconds: number): Record<string, ConsumeStatus> {
    const out: Record<string, ConsumeStatus> = {};
    for (const [topic, s] of this.#byTopic) {
      out[topic] = {
        pullRT: s.pulls > 0 ? s.pullRtMs / s.pulls : 0,
        pullTPS: s.pulls / upSeconds,
        consumeRT: s.consumeCalls > 0 ? s.consumeRtMs / s.consumeCalls : 0,
        consumeOKTPS: s.consumeOk / upSeconds,
        consumeFailedTPS: s.consumeFailed / upSeconds,
        consumeFailedMsgs: s.consumeFailed,
      };
    }
    return out;
  }

  #of(topic: string): TopicStats {
    let s = this.#byTopic.get(topic);
    if (!s) {
      s = {
        pulls: 0,
        pullRtMs: 0,
        consumeOk: 0,
        consumeFailed: 0,
        consumeRtMs: 0,
        consumeCalls: 0,
      };
      this.#byTopic.set(topic, s);
    }
    return s;
  }
}

/** What the running info is made of. */
export interface RunningInfoSource {
  settings: PushConsumerSettings;
  startTimestamp: number;
  subscriptions: Iterable<SubscriptionData>;
  queues: Iterable<{ mq: MessageQueue; pq: ProcessQueue }>;
  /** The committed offset in memory of a queue, -1 when none. */
  commitOffset(mq: MessageQueue): number;
  stats: ConsumerStats;
}

/** The ConsumerRunningInfo body of a push consumer (concurrent listener). */
export function pushConsumerRunningInfo(src: RunningInfoSource, now = Date.now()): Uint8Array {
  const c = src.settings;
  const up = Math.max(1, (now - src.startTimestamp) / 1000);
  const properties: Record<string, string> = {
    [RunningInfoProp.NAMESERVER_ADDR]: c.clientConfig.namesrvAddrs.join(";"),
    [RunningInfoProp.THREADPOOL_CORE_SIZE]: "1",
    [RunningInfoProp.CONSUME_ORDERLY]: "false",
    [RunningInfoProp.CONSUME_TYPE]: ConsumeType.CONSUME_PASSIVELY,
    [RunningInfoProp.CLIENT_VERSION]: ROCKETMQ_VERSION_NAME,
    [RunningInfoProp.CONSUMER_START_TIMESTAMP]: String(src.startTimestamp),
    consumerGroup: c.group,
    messageModel: c.model,
    consumeFromWhere: c.fromWhere,
    consumeMessageBatchMaxSize: String(c.batchMax),
    pullBatchSize: String(c.pullBatchSize),
    pullThresholdForQueue: String(c.thresholdCount),
    maxReconsumeTimes: String(c.maxReconsumeTimes),
  };
  const mqTable: [MessageQueue, ProcessQueueInfo][] = [];
  for (const { mq, pq } of src.queues) {
    mqTable.push([mq, {
      commitOffset: src.commitOffset(mq),
      cachedMsgMinOffset: pq.minUnfinishedOffset,
      cachedMsgMaxOffset: pq.msgCount > 0 ? pq.maxOffset : -1,
      cachedMsgCount: pq.msgCount,
      cachedMsgSizeInMiB: Math.floor(pq.msgSize / MIB),
      transactionMsgMinOffset: 0,
      transactionMsgMaxOffset: 0,
      transactionMsgCount: 0,
      locked: false,
      tryUnlockTimes: 0,
      lastLockTimestamp: 0,
      droped: pq.dropped,
      lastPullTimestamp: pq.lastPullTimestamp,
      lastConsumeTimestamp: pq.lastConsumeTimestamp,
    }]);
  }
  return encodeConsumerRunningInfo({
    properties,
    subscriptionSet: [...src.subscriptions],
    mqTable,
    statusTable: src.stats.statusTable(up),
  });
}
