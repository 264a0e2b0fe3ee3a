/**
 * Hands pulled messages to a concurrent listener (Java's ConsumeMessageConcurrentlyService):
 * each queue's messages in order, one batch at a time; different queues concurrently. A
 * queue's offset only moves past messages that are done (the lowest unfinished offset), so
 * every message is delivered at least once. Failed messages go back to the broker
 * (CONSUMER_SEND_MSG_BACK) and come again through the group's retry topic; one that cannot be
 * sent back is redelivered here later. Broadcasting drops failed messages, as Java does.
 *
 * Hot path: a synchronous listener is called in a loop with no promise or timer per message.
 * (An orderly service, with queue locks, would be a file of its own beside this one.)
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { type MessageQueue, messageQueueKey } from "../../remoting/body/message_queue.ts";
import { retryTopic } from "../../remoting/group_topics.ts";
import type { ClientInstance } from "../client_instance.ts";
import type { ReceivedMessage } from "../message_ext.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { CMResult, encodeConsumeMessageDirectlyResult } from "./consumer_running_info.ts";
import {
  ACK_ALL,
  type ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  type MessageListener,
  MessageModel,
} from "./consumer_types.ts";
import type { OffsetStore } from "./offset_store.ts";
import type { ProcessQueue } from "./process_queue.ts";
import type { PushConsumerSettings } from "./push_consumer_options.ts";
import { sendMessageBack } from "./send_back.ts";

const log = logger("client", "consumer");

/** A batch whose send-back failed is redelivered locally after this long (Java: 5 s). */
const LOCAL_REDELIVERY_DELAY_MS = 5000;

/** What the consume service needs from its consumer. */
export interface ConsumeHost {
  readonly settings: PushConsumerSettings;
  readonly listener: MessageListener;
  readonly instance: ClientInstance;
  readonly offsetStore: OffsetStore;
  readonly stats: ConsumerStats;
  /** False once the consumer stops: no more batches are handed out. */
  isRunning(): boolean;
  /** Runs `fn` after `ms` unless the consumer shuts down first. */
  later(fn: () => void, ms: number): void;
  /** Consumption made room in the queue: a pull parked by flow control may go on. */
  resumePull(pq: ProcessQueue): void;
}

export class ConsumeMessageConcurrentlyService {
  readonly #host: ConsumeHost;
  readonly #idleWaiters: (() => void)[] = [];
  #inflight = 0;

  constructor(host: ConsumeHost) {
    this.#host = host;
  }

  /** Listener calls in flight. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Hands the queue's waiting messages to the listener, batch by batch, in order. */
  submit(mq: MessageQueue, pq: ProcessQueue): void {
    const host = this.#host;
    const listener = host.listener;
    while (!pq.consuming && host.isRunning() && !pq.dropped) {
      const batch = pq.takeBatch(host.settings.batchMax);
      if (batch === undefined) break;
      pq.consuming = true;
      this.#inflight++;
      const ctx: ConsumeConcurrentlyContext = {
        messageQueue: mq,
        delayLevelWhenNextConsume: 0,
        ackIndex: ACK_ALL,
      };
      const begin = Date.now();
      let result: unknown;
      let failed = false;
      try {
        result = listener(batch, ctx);
      } catch (e) {
        failed = true;
        this.#logListenerError(mq, e);
      }
      if (!failed && isThenable(result)) {
        result.then(
          (status) => this.#afterListener(mq, pq, batch, ctx, isFailure(status), begin, true),
          (e) => {
            this.#logListenerError(mq, e);
            this.#afterListener(mq, pq, batch, ctx, true, begin, true);
          },
        );
        return;
      }
      if (!this.#afterListener(mq, pq, batch, ctx, failed || isFailure(result), begin, false)) {
        return;
      }
    }
    host.resumePull(pq);
  }

  /**
   * Settles one listener call (processConsumeResult). Returns true when done synchronously;
   * otherwise (send-backs in flight, or called from a promise) it continues the queue itself.
   */
  #afterListener(
    mq: MessageQueue,
    pq: ProcessQueue,
    batch: ReceivedMessage[],
    ctx: ConsumeConcurrentlyContext,
    failed: boolean,
    begin: number,
    async: boolean,
  ): boolean {
    const clustering = this.#host.settings.model === MessageModel.CLUSTERING;
    const ackIndex = failed ? -1 : Math.min(Math.max(ctx.ackIndex, -1), batch.length - 1);
    this.#host.stats.consumed(
      mq.topic,
      ackIndex + 1,
      batch.length - ackIndex - 1,
      Date.now() - begin,
    );
    if (ackIndex < batch.length - 1 && clustering && !pq.dropped) {
      void this.#sendBack(mq, pq, batch, ackIndex, ctx.delayLevelWhenNextConsume);
      return false;
    }
    // A dropped queue's failures need no send-back: its offset stays before them.
    if (ackIndex < batch.length - 1 && !pq.dropped) {
      // Broadcasting: a failed message is dropped, as in Java.
      log.warn("Consumer {group} dropped {n} failed broadcast message(s) of {mq}", {
        group: this.#host.settings.group,
        n: batch.length - ackIndex - 1,
        mq: messageQueueKey(mq),
      });
    }
    this.#finish(mq, pq, batch);
    if (async) this.submit(mq, pq);
    return true;
  }

  /** Sends failed messages back; those that cannot be are redelivered here later. */
  async #sendBack(
    mq: MessageQueue,
    pq: ProcessQueue,
    batch: ReceivedMessage[],
    ackIndex: number,
    delayLevel: number,
  ): Promise<void> {
    const { settings, instance } = this.#host;
    const failed = batch.slice(ackIndex + 1);
    const results = await Promise.allSettled(failed.map((m) =>
      sendMessageBack(instance, m, {
        group: settings.group,
        delayLevel,
        maxReconsumeTimes: settings.maxReconsumeTimes,
      })
    ));
    const local: ReceivedMessage[] = [];
    results.forEach((r, i) => {
      if (r.status === "rejected") {
        const m = failed[i];
        m.reconsumeTimes++;
        local.push(m);
        log.warn("Cannot send {msgId} back; redelivering it locally: {error}", {
          msgId: m.msgId,
          error: errorMessage(r.reason),
        });
      }
    });
    const done = local.length === 0 ? batch : batch.filter((m) => !local.includes(m));
    this.#finish(mq, pq, done);
    if (local.length > 0) {
      this.#host.later(() => {
        if (pq.dropped) return;
        pq.requeue(local);
        this.submit(mq, pq);
      }, LOCAL_REDELIVERY_DELAY_MS);
    }
    this.submit(mq, pq);
  }

  /** Marks messages done, moves the offset, and lets shutdown or a paused pull go on. */
  #finish(mq: MessageQueue, pq: ProcessQueue, done: readonly ReceivedMessage[]): void {
    const offset = pq.removeMessages(done);
    if (offset >= 0 && !pq.dropped) this.#host.offsetStore.updateOffset(mq, offset, true);
    pq.lastConsumeTimestamp = Date.now();
    pq.consuming = false;
    if (--this.#inflight === 0 && this.#idleWaiters.length > 0) {
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when no listener call is in flight, or after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        log.warn("Consumer {group}: {n} listener call(s) still running at shutdown", {
          group: this.#host.settings.group,
          n: this.#inflight,
        });
        resolve();
      }, timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * CONSUME_MESSAGE_DIRECTLY (`mqadmin consumeMessage`): one stored message to the listener,
   * outside any queue; the ConsumeMessageDirectlyResult body.
   */
  async consumeMessageDirectly(msg: ReceivedMessage): Promise<Uint8Array> {
    if (msg.topic === retryTopic(this.#host.settings.group)) {
      const original = msg.getProperty(MessageConst.RETRY_TOPIC);
      if (original !== undefined) msg.topic = original;
    }
    const begin = Date.now();
    const ctx: ConsumeConcurrentlyContext = {
      messageQueue: { topic: msg.topic, brokerName: msg.brokerName, queueId: msg.queueId },
      delayLevelWhenNextConsume: 0,
      ackIndex: ACK_ALL,
    };
    let consumeResult: string = CMResult.CR_SUCCESS;
    let remark = "";
    try {
      const status = await this.#host.listener([msg], ctx);
      if (isFailure(status)) consumeResult = CMResult.CR_LATER;
    } catch (e) {
      consumeResult = CMResult.CR_THROW_EXCEPTION;
      remark = errorMessage(e);
    }
    return encodeConsumeMessageDirectlyResult({
      order: false,
      autoCommit: true,
      consumeResult,
      remark,
      spentTimeMills: Date.now() - begin,
    });
  }

  #logListenerError(mq: MessageQueue, e: unknown): void {
    log.warn("Listener of {group} failed on {mq}; the messages go back for retry: {error}", {
      group: this.#host.settings.group,
      mq: messageQueueKey(mq),
      error: errorMessage(e),
    });
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" &&
    typeof (v as { then?: unknown }).then === "function";
}

function isFailure(status: unknown): boolean {
  return status === ConsumeConcurrentlyStatus.RECONSUME_LATER;
}
