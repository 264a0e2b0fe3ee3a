/**
 * Which queues a push consumer reads (Java's RebalanceImpl / RebalancePushImpl).
 *
 * CLUSTERING: every member of the group sorts the topic's queues and the group's client ids
 * (GET_CONSUMER_LIST_BY_GROUP) and applies the same allocation strategy, so the queues are
 * split without coordination. BROADCASTING: every consumer reads every queue. Run every 20 s
 * and when a broker says the group changed (NOTIFY_CONSUMER_IDS_CHANGED).
 *
 * A queue that stops being ours is dropped (its pulls stop, its offset is persisted and
 * forgotten); a new one gets a ProcessQueue and a start offset (computePullFromWhere) and is
 * handed to the consumer to pull.
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import type { SubscriptionData } from "../../remoting/body/heartbeat_data.ts";
import {
  compareMessageQueues,
  type MessageQueue,
  messageQueueKey,
} from "../../remoting/body/message_queue.ts";
import { isRetryTopic } from "../../remoting/group_topics.ts";
import type { AllocateMessageQueueStrategy } from "./allocate_strategy.ts";
import type { ClientInstance } from "../client_instance.ts";
import { ProcessQueue } from "./process_queue.ts";

const log = logger("client", "rebalance");

/** What the rebalancer needs from its consumer. */
export interface RebalanceHooks {
  /** Where to start pulling a newly assigned queue; a negative value skips it for now. */
  computePullFromWhere(mq: MessageQueue): Promise<number>;
  /** A newly assigned queue: start pulling it at `offset`. */
  dispatchPullRequest(mq: MessageQueue, pq: ProcessQueue, offset: number): void;
  /**
   * A queue given up (already marked dropped): persist and forget its offset. False keeps it
   * in the table for the next round.
   */
  removeUnnecessaryMessageQueue(mq: MessageQueue, pq: ProcessQueue): Promise<boolean>;
  /**
   * Whether the consumer still runs: one that began shutting down mid-round (it unregisters
   * from the brokers, which then answer "no consumer for this group") stops the round quietly.
   */
  running(): boolean;
}

/** One assigned queue. */
export interface AssignedQueue {
  readonly mq: MessageQueue;
  readonly pq: ProcessQueue;
}

export class Rebalancer {
  readonly #group: string;
  readonly #broadcasting: boolean;
  readonly #strategy: AllocateMessageQueueStrategy;
  readonly #instance: ClientInstance;
  readonly #hooks: RebalanceHooks;
  /** topic → subscription, the retry topic's included (subscriptionInner; the consumer's). */
  readonly subscriptions: ReadonlyMap<string, SubscriptionData>;
  /** topic → every readable queue of it (topicSubscribeInfoTable). */
  readonly topicSubscribeInfo = new Map<string, MessageQueue[]>();
  /** queue key → the queue and its messages (processQueueTable). */
  readonly processQueues = new Map<string, AssignedQueue>();

  constructor(
    group: string,
    broadcasting: boolean,
    strategy: AllocateMessageQueueStrategy,
    instance: ClientInstance,
    subscriptions: ReadonlyMap<string, SubscriptionData>,
    hooks: RebalanceHooks,
  ) {
    this.subscriptions = subscriptions;
    this.#group = group;
    this.#broadcasting = broadcasting;
    this.#strategy = strategy;
    this.#instance = instance;
    this.#hooks = hooks;
  }

  /** Rebalances every subscribed topic, then drops queues of topics no longer subscribed. */
  async doRebalance(): Promise<void> {
    for (const topic of this.subscriptions.keys()) {
      if (!this.#hooks.running()) return;
      try {
        await this.#rebalanceByTopic(topic);
      } catch (e) {
        if (!this.#hooks.running()) return;
        log.warn("Rebalance of {topic} for {group} failed: {error}", {
          topic,
          group: this.#group,
          error: errorMessage(e),
        });
      }
    }
    for (const [key, { mq, pq }] of this.processQueues) {
      if (!this.subscriptions.has(mq.topic)) {
        pq.dropped = true;
        this.processQueues.delete(key);
        log.info("Dropped {mq}: {group} no longer subscribes its topic", {
          mq: key,
          group: this.#group,
        });
      }
    }
  }

  async #rebalanceByTopic(topic: string): Promise<void> {
    let mqAll = this.topicSubscribeInfo.get(topic);
    if (!mqAll || mqAll.length === 0) {
      // The route may have appeared since the last poll (a retry topic made by our heartbeat).
      await this.#instance.updateTopicRouteInfoFromNameServer(topic);
      mqAll = this.topicSubscribeInfo.get(topic);
    }
    if (!mqAll || mqAll.length === 0) {
      if (!isRetryTopic(topic)) {
        log.warn("Rebalance of {group}: topic {topic} has no route (does it exist?)", {
          group: this.#group,
          topic,
        });
      }
      return;
    }
    if (this.#broadcasting) {
      await this.#updateProcessQueueTable(topic, mqAll);
      return;
    }
    const cidAll = await this.#findConsumerIdList(topic);
    if (cidAll.length === 0) {
      log.warn("Rebalance of {group} on {topic}: no consumer ids from the broker", {
        group: this.#group,
        topic,
      });
      return;
    }
    const sortedQueues = [...mqAll].sort(compareMessageQueues);
    const sortedIds = [...cidAll].sort();
    let allocated: MessageQueue[];
    try {
      allocated = this.#strategy(this.#group, this.#instance.clientId, sortedQueues, sortedIds);
    } catch (e) {
      log.error("Allocation strategy of {group} threw: {error}", {
        group: this.#group,
        error: errorMessage(e),
      });
      return;
    }
    const changed = await this.#updateProcessQueueTable(topic, allocated);
    if (changed) {
      log.info("Rebalanced {group} on {topic}: {count} of {total} queues, {clients} clients", {
        group: this.#group,
        topic,
        count: allocated.length,
        total: sortedQueues.length,
        clients: sortedIds.length,
      });
    }
  }

  /** The group's client ids, from a broker serving the topic. */
  async #findConsumerIdList(topic: string): Promise<string[]> {
    const instance = this.#instance;
    let addr = instance.findBrokerAddrByTopic(topic);
    if (addr === undefined) {
      await instance.updateTopicRouteInfoFromNameServer(topic);
      addr = instance.findBrokerAddrByTopic(topic);
    }
    if (addr === undefined) return [];
    return await instance.api.getConsumerIdListByGroup(
      addr,
      this.#group,
      instance.config.mqClientApiTimeoutMs,
    );
  }

  /** Drops queues no longer ours, adds new ones; true when anything changed. */
  async #updateProcessQueueTable(topic: string, mqSet: readonly MessageQueue[]): Promise<boolean> {
    const wanted = new Set(mqSet.map(messageQueueKey));
    let changed = false;
    for (const [key, { mq, pq }] of this.processQueues) {
      if (mq.topic !== topic || wanted.has(key)) continue;
      pq.dropped = true;
      if (await this.#hooks.removeUnnecessaryMessageQueue(mq, pq)) {
        this.processQueues.delete(key);
        changed = true;
        log.debug("Dropped {mq} of {group}", { mq: key, group: this.#group });
      }
    }
    for (const mq of mqSet) {
      const key = messageQueueKey(mq);
      if (this.processQueues.has(key)) continue;
      const offset = await this.#hooks.computePullFromWhere(mq);
      if (offset < 0) {
        log.warn("Cannot add {mq} to {group} yet: no start offset", {
          mq: key,
          group: this.#group,
        });
        continue;
      }
      // The table may have changed while the offset was read (a second round, a shutdown).
      if (this.processQueues.has(key)) continue;
      const pq = new ProcessQueue();
      this.processQueues.set(key, { mq, pq });
      changed = true;
      log.debug("Added {mq} to {group} at offset {offset}", {
        mq: key,
        group: this.#group,
        offset,
      });
      this.#hooks.dispatchPullRequest(mq, pq, offset);
    }
    return changed;
  }

  /** Every assigned queue. */
  assignedQueues(): MessageQueue[] {
    return [...this.processQueues.values()].map((a) => a.mq);
  }
}
