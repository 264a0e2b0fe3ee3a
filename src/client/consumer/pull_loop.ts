/**
 * A push consumer's pulling (Java's PullMessageService and DefaultMQPushConsumerImpl
 * .pullMessage): per assigned queue one loop long-polls the broker (PULL_MESSAGE with SUSPEND,
 * held up to 15 s, REMOTING.md §3.3) and hands what it gets to the consume service. The next
 * pull leaves as soon as the previous answer is in, not when the listener is done, unless the
 * queue holds too much (flow control: more than pullThresholdForQueue messages,
 * pullThresholdSizeForQueue MiB or consumeConcurrentlyMaxSpan offsets unconsumed); then it
 * waits until consumption makes room, with no polling timer. The committed offset travels
 * with each pull (COMMIT_OFFSET).
 *
 * Hot path: records are read in place from the pull body; timers only exist for delayed pulls.
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import { PullSysFlag } from "../../common/message/sys_flag.ts";
import type { SubscriptionData } from "../../remoting/body/heartbeat_data.ts";
import { type MessageQueue, messageQueueKey } from "../../remoting/body/message_queue.ts";
import { isRetryTopic } from "../../remoting/group_topics.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { MQBrokerError } from "../errors.ts";
import { TopicHint } from "../message_ext.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { MessageModel } from "./consumer_types.ts";
import type { OffsetStore } from "./offset_store.ts";
import type { ProcessQueue } from "./process_queue.ts";
import {
  type PullAPIWrapper,
  type PullFilter,
  PullStatus,
  type ReceivedPullResult,
} from "./pull_api.ts";
import type { PushConsumerSettings } from "./push_consumer_options.ts";

const log = logger("client", "consumer");

/** How long a paused consumer waits before looking again (PULL_TIME_DELAY_MILLS_WHEN_SUSPEND). */
const PULL_DELAY_WHEN_SUSPENDED_MS = 1000;
/** A run of pull failures of one queue is logged at warn level once per this many. */
const PULL_FAILURE_LOG_EVERY = 60;
/** The fewest ms between two heartbeats the pull path asks for (broker forgot the group). */
const HEARTBEAT_ON_ERROR_MIN_INTERVAL_MS = 1000;

/** What the pull loops need from their consumer. */
export interface PullHost {
  readonly settings: PushConsumerSettings;
  readonly offsetStore: OffsetStore;
  readonly pullApi: PullAPIWrapper;
  readonly stats: ConsumerStats;
  /** False once the consumer stops: loops end. */
  isRunning(): boolean;
  /** suspend() was called: loops wait. */
  isPaused(): boolean;
  subscription(topic: string): SubscriptionData | undefined;
  /** The exact tags to keep of a topic (undefined: all). */
  tagFilter(topic: string): ReadonlySet<string> | undefined;
  /** New messages are in `pq`: consume them. */
  consume(mq: MessageQueue, pq: ProcessQueue): void;
  /** The broker says the offset is illegal: give the queue up so a rebalance takes it again. */
  releaseQueue(key: string, pq: ProcessQueue): void;
  /** Heartbeat to every broker now (resolves once sent; never rejects). */
  heartbeat(): Promise<void>;
  /** Runs `fn` after `ms` unless the consumer shuts down first. */
  later(fn: () => void, ms: number): void;
}

/** One queue's pull loop (Java's PullRequest). */
interface PullRequest {
  readonly mq: MessageQueue;
  readonly pq: ProcessQueue;
  readonly key: string;
  readonly topicHint: TopicHint;
  nextOffset: number;
  /** Consecutive failed pulls. */
  failures: number;
}

export class PullLoops {
  readonly #host: PullHost;
  #lastHeartbeatOnError = 0;
  /** The heartbeat the pull path last asked for (resolves once sent; never rejects). */
  #heartbeatOnError: Promise<void> | undefined;

  constructor(host: PullHost) {
    this.#host = host;
  }

  /** Starts pulling a newly assigned queue from `offset`. */
  start(mq: MessageQueue, pq: ProcessQueue, offset: number): void {
    this.#pull({
      mq,
      pq,
      key: messageQueueKey(mq),
      topicHint: new TopicHint(mq.topic),
      nextOffset: offset,
      failures: 0,
    });
  }

  /** Lets a pull parked by flow control go on once the queue is below the limits. */
  resume(pq: ProcessQueue): void {
    const waiting = pq.waitingPull;
    if (waiting && !this.#overLimits(pq)) {
      pq.waitingPull = undefined;
      waiting();
    }
  }

  #overLimits(pq: ProcessQueue): boolean {
    const c = this.#host.settings;
    return pq.msgCount > c.thresholdCount || pq.msgSize > c.thresholdBytes ||
      pq.maxSpan > c.maxSpan;
  }

  #pull(pr: PullRequest): void {
    const host = this.#host;
    const c = host.settings;
    const pq = pr.pq;
    if (pq.dropped || !host.isRunning()) return;
    pq.lastPullTimestamp = Date.now();
    if (host.isPaused()) {
      host.later(() => this.#pull(pr), PULL_DELAY_WHEN_SUSPENDED_MS);
      return;
    }
    if (this.#overLimits(pq)) {
      // Consumption calls this back once it has made room (no polling timer).
      pq.waitingPull = () => this.#pull(pr);
      return;
    }
    const mq = pr.mq;
    const sub = host.subscription(mq.topic);
    if (!sub) {
      host.later(() => this.#pull(pr), c.pullDelayOnErrorMs);
      return;
    }
    const clustering = c.model === MessageModel.CLUSTERING;
    let sysFlag = PullSysFlag.SUSPEND;
    let commitOffset = 0;
    if (clustering) {
      commitOffset = host.offsetStore.readOffsetFromMemory(mq);
      if (commitOffset > 0) sysFlag |= PullSysFlag.COMMIT_OFFSET;
      else commitOffset = 0;
    }
    if (c.postSubscription) sysFlag |= PullSysFlag.SUBSCRIPTION;
    const filter: PullFilter = {
      tags: host.tagFilter(mq.topic),
      topicHint: pr.topicHint,
      restoreRetryTopic: clustering && isRetryTopic(mq.topic) ? mq.topic : undefined,
    };
    const begin = Date.now();
    host.pullApi.pull(mq, {
      consumerGroup: c.group,
      subExpression: sub.subString,
      expressionType: sub.expressionType,
      subVersion: sub.subVersion,
      queueOffset: pr.nextOffset,
      maxMsgNums: c.pullBatchSize,
      sysFlag,
      commitOffset,
      suspendTimeoutMillis: c.suspendMs,
      timeoutMs: c.pullTimeoutMs,
    }, filter).then(
      (r) => this.#onPullResult(pr, r, begin),
      (e) => this.#onPullError(pr, e),
    );
  }

  #onPullResult(pr: PullRequest, r: ReceivedPullResult, begin: number): void {
    const host = this.#host;
    const pq = pr.pq;
    if (pq.dropped || !host.isRunning()) return;
    pr.failures = 0;
    const mq = pr.mq;
    host.stats.pulled(mq.topic, Date.now() - begin);
    switch (r.pullStatus) {
      case PullStatus.FOUND: {
        pr.nextOffset = r.nextBeginOffset;
        const msgs = r.msgFoundList;
        if (msgs.length > 0) {
          pq.putMessages(msgs);
          host.consume(mq, pq);
        } else if (pq.msgCount === 0) {
          // Everything was filtered out client-side: nothing pending, so the offset moves on.
          host.offsetStore.updateOffset(mq, pr.nextOffset, true);
        }
        const interval = host.settings.pullInterval;
        if (interval > 0 && msgs.length > 0) host.later(() => this.#pull(pr), interval);
        else this.#pull(pr);
        return;
      }
      case PullStatus.NO_NEW_MSG:
      case PullStatus.NO_MATCHED_MSG:
        pr.nextOffset = r.nextBeginOffset;
        // correctTagsOffset: nothing pending, so the offset may follow the pull.
        if (pq.msgCount === 0) host.offsetStore.updateOffset(mq, pr.nextOffset, true);
        this.#pull(pr);
        return;
      case PullStatus.OFFSET_ILLEGAL:
        log.warn("Offset {offset} of {mq} is illegal; continuing from {next}", {
          offset: pr.nextOffset,
          mq: pr.key,
          next: r.nextBeginOffset,
        });
        void this.#correctIllegalOffset(pr, r.nextBeginOffset);
        return;
    }
  }

  /** Drops the queue, stores the broker's offset and lets a rebalance take the queue again. */
  async #correctIllegalOffset(pr: PullRequest, next: number): Promise<void> {
    const store = this.#host.offsetStore;
    pr.pq.dropped = true;
    store.updateOffset(pr.mq, next, false);
    await store.persist(pr.mq);
    this.#host.releaseQueue(pr.key, pr.pq);
  }

  #onPullError(pr: PullRequest, e: unknown): void {
    const host = this.#host;
    if (pr.pq.dropped || !host.isRunning()) return;
    pr.failures++;
    const level = pr.failures === 1 || pr.failures % PULL_FAILURE_LOG_EVERY === 0
      ? "warn"
      : "debug";
    log[level]("Pull of {mq} failed ({n} in a row): {error}", {
      mq: pr.key,
      n: pr.failures,
      error: errorMessage(e),
    });
    if (
      e instanceof MQBrokerError &&
      (e.code === ResponseCode.SUBSCRIPTION_NOT_EXIST ||
        e.code === ResponseCode.SUBSCRIPTION_NOT_LATEST ||
        e.code === ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST)
    ) {
      // The broker lost the group (it restarted): tell it again now, not in 30 s, and pull
      // again as soon as it knows.
      // Queues failing in the same instant share that heartbeat; later failures wait as usual.
      const now = Date.now();
      if (now - this.#lastHeartbeatOnError >= HEARTBEAT_ON_ERROR_MIN_INTERVAL_MS) {
        this.#lastHeartbeatOnError = now;
        this.#heartbeatOnError = host.heartbeat();
      }
      if (now === this.#lastHeartbeatOnError && this.#heartbeatOnError) {
        void this.#heartbeatOnError.then(() => this.#pull(pr));
        return;
      }
    }
    host.later(() => this.#pull(pr), host.settings.pullDelayOnErrorMs);
  }
}
