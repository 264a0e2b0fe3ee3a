/**
 * The consume path's shared state: consumer groups, committed offsets, connected consumers and
 * producers, queue locks, held pulls and delayed delivery, created once per broker by the
 * consume processor set and added to the broker as services (load, start, answer held pulls
 * before the drain, persist at shutdown).
 *
 * @example
 * ```ts
 * const consume = consumeServicesOf(broker); // after broker.start()
 * consume?.consumerOffsets.queryOffset("g1", "TopicTest", 0);
 * ```
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import type { Channel } from "../remoting/channel.ts";
import { createRequest } from "../remoting/command.ts";
import { encodeHeader } from "../remoting/header.ts";
import { ConsumerGroupRequestHeader } from "../remoting/headers.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { configFilePath } from "../store/config_file.ts";
import { parseDelayLevels } from "../store/store_config.ts";
import type { BrokerContext } from "./broker_context.ts";
import { ConsumerManager } from "./consumer_manager.ts";
import { ConsumerOffsetManager } from "./consumer_offset_manager.ts";
import { ProducerManager } from "./producer_manager.ts";
import { PullRequestHoldService } from "./pull_request_hold_service.ts";
import { RebalanceLockManager } from "./rebalance_lock_manager.ts";
import { ScheduleMessageService } from "./schedule_message_service.ts";
import { SubscriptionCache } from "./subscription.ts";
import { SubscriptionGroupManager } from "./subscription_group_manager.ts";

const log = logger("broker");

/** How often silent clients are looked for: every 10 s, sooner when the timeout is shorter. */
export function clientScanInterval(channelExpiredTimeout: number): number {
  return Math.min(10_000, Math.max(50, Math.floor(channelExpiredTimeout / 2)));
}

export class ConsumeServices {
  readonly subscriptionGroups: SubscriptionGroupManager;
  readonly consumerOffsets: ConsumerOffsetManager;
  readonly consumers: ConsumerManager;
  readonly producers = new ProducerManager();
  readonly locks = new RebalanceLockManager();
  readonly holds: PullRequestHoldService;
  readonly schedule: ScheduleMessageService;
  /** Parsed pull expressions (clients that send their expression with every pull). */
  readonly subscriptions = new SubscriptionCache();
  readonly #ctx: BrokerContext;
  #stopping = false;
  #scanTimer: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
    const c = ctx.config;
    const root = ctx.store.config.storePathRootDir;
    this.subscriptionGroups = new SubscriptionGroupManager(
      configFilePath(root, "subscriptionGroup"),
      () => ctx.config.autoCreateSubscriptionGroup,
    );
    this.consumerOffsets = new ConsumerOffsetManager(configFilePath(root, "consumerOffset"));
    this.consumers = new ConsumerManager((group, channels) =>
      this.notifyConsumerIdsChanged(group, channels)
    );
    this.holds = new PullRequestHoldService(ctx.store);
    this.schedule = new ScheduleMessageService(
      ctx.store,
      configFilePath(root, "delayOffset"),
      parseDelayLevels(c.messageDelayLevel),
      c.flushDelayOffsetInterval,
    );
  }

  /** Adds the services to the broker and listens for closed connections. */
  install(): void {
    const ctx = this.#ctx;
    ctx.addService({
      name: "subscription groups",
      load: () => this.subscriptionGroups.load(),
      shutdown: async () => {
        await this.subscriptionGroups.persist();
        await this.subscriptionGroups.flush();
      },
    });
    ctx.addService({
      name: "consumer offsets",
      load: () => this.consumerOffsets.load(),
      start: () => this.consumerOffsets.start(ctx.config.flushConsumerOffsetInterval),
      shutdown: () => this.consumerOffsets.shutdown(),
    });
    ctx.addService({
      name: "delayed delivery",
      load: () => this.schedule.load(),
      start: () => this.schedule.start(),
      shutdown: () => this.schedule.shutdown(),
    });
    ctx.addService({
      name: "client housekeeping",
      start: () => {
        const timeout = ctx.config.channelExpiredTimeout;
        this.#scanTimer = setInterval(() => {
          this.consumers.scanNotActiveChannel(ctx.config.channelExpiredTimeout);
          this.producers.scanNotActiveChannel(ctx.config.channelExpiredTimeout);
        }, clientScanInterval(timeout));
      },
      shutdown: () => {
        if (this.#scanTimer !== undefined) clearInterval(this.#scanTimer);
        this.#scanTimer = undefined;
        return Promise.resolve();
      },
    });
    ctx.addService({
      name: "long polling",
      start: () => this.holds.start(),
      beforeDrain: () => {
        this.#stopping = true;
        return this.holds.answerAll();
      },
      shutdown: () => {
        this.holds.shutdown();
        return Promise.resolve();
      },
    });
    ctx.onChannelClose((ch) => {
      this.holds.channelClosed(ch);
      this.consumers.channelClosed(ch);
      this.producers.channelClosed(ch);
    });
  }

  /** NOTIFY_CONSUMER_IDS_CHANGED (oneway) to each connection, unless the broker turned it off. */
  notifyConsumerIdsChanged(group: string, channels: readonly Channel[]): void {
    if (!this.#ctx.config.notifyConsumerIdsChangedEnable || this.#stopping) return;
    const header = encodeHeader(ConsumerGroupRequestHeader, { consumerGroup: group });
    for (const ch of channels) {
      if (ch.isClosed) continue;
      try {
        ch.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { ...header }));
      } catch (e) {
        log.warn("Cannot notify {addr} that group {group} changed: {error}", {
          addr: ch.remoteAddr,
          group,
          error: errorMessage(e),
        });
      }
    }
  }
}

const registry = new WeakMap<BrokerContext, ConsumeServices>();

/** Creates the consume path's services for a broker (once) and installs them. */
export function createConsumeServices(ctx: BrokerContext): ConsumeServices {
  let s = registry.get(ctx);
  if (!s) {
    s = new ConsumeServices(ctx);
    s.install();
    registry.set(ctx, s);
  }
  return s;
}

/** The consume path of a started broker (tests, admin tooling), or undefined. */
export function consumeServicesOf(ctx: BrokerContext): ConsumeServices | undefined {
  return registry.get(ctx);
}
