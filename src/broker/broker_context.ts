/**
 * What request processors work on: the broker's config and identity, its store and topic
 * table (BrokerContext), and the services broker.ts builds and wires (BrokerServices). Each
 * processor set takes the context and, by argument, only the services it uses.
 */
import type { SocketAddress } from "../common/message/socket_address.ts";
import type { DataVersion } from "../remoting/body/data_version.ts";
import type { HeaderOf } from "../remoting/header_codec.ts";
import type { SendMessageRequestHeader } from "../remoting/headers.ts";
import type { TopicConfig } from "../remoting/body/topic_config.ts";
import type { MessageStore } from "../store/message_store.ts";
import type { TransactionalMessageService } from "./transaction/transaction_service.ts";
import type { BrokerStatsManager } from "./broker_stats.ts";
import type { BrokerConfig } from "./broker_config.ts";
import type { ConsumerManager } from "./consumer_manager.ts";
import type { ConsumerOffsetManager } from "./consumer_offset_manager.ts";
import type { SendFlowControl } from "./flow_control.ts";
import type { ProducerManager } from "./producer_manager.ts";
import type { PullRequestHoldService } from "./pull_request_hold_service.ts";
import type { RebalanceLockManager } from "./rebalance_lock_manager.ts";
import type { ScheduleMessageService } from "./schedule_message_service.ts";
import type { SubscriptionCache } from "./consumer_subscription.ts";
import type { SubscriptionGroupManager } from "./subscription_group_manager.ts";
import type { TopicConfigManager } from "./topic_config_manager.ts";
import type { SystemTopics } from "./topic_validator.ts";

/** A decoded send header (SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE share it). */
export type SendHeader = HeaderOf<typeof SendMessageRequestHeader>;

/** A refusal: the response code and remark a request is answered with. */
export interface Refusal {
  code: number;
  remark: string;
}

/** The services of a broker, built once per start in broker.ts. */
export interface BrokerServices {
  /** Consumer groups' settings (config/subscriptionGroup.json). */
  readonly subscriptionGroups: SubscriptionGroupManager;
  /** Committed offsets (config/consumerOffset.json). */
  readonly consumerOffsets: ConsumerOffsetManager;
  /** Connected consumers by group, from heartbeats. */
  readonly consumers: ConsumerManager;
  /** Connected producers by group, from heartbeats. */
  readonly producers: ProducerManager;
  /** Orderly consumers' queue locks. */
  readonly locks: RebalanceLockManager;
  /** Pulls held until their queue grows (long polling). */
  readonly holds: PullRequestHoldService;
  /** Delivery of delayed messages (config/delayOffset.json). */
  readonly schedule: ScheduleMessageService;
  /** Parsed pull expressions of clients that send theirs with every pull. */
  readonly subscriptions: SubscriptionCache;
  /** Half messages, END_TRANSACTION and the check-back (masters). */
  readonly transactions: TransactionalMessageService;
  /** Put and get statistics by topic and group (VIEW_BROKER_STATS_DATA, consume TPS). */
  readonly stats: BrokerStatsManager;
}

/**
 * Something with a lifecycle broker.ts runs with the broker: loaded before the servers listen,
 * started once they do, told before in-flight requests are drained, shut down before the
 * store closes (in reverse order).
 */
export interface BrokerService {
  readonly name: string;
  /** Loads persisted state; runs after the store and topic table, before the servers listen. */
  load?(): Promise<void>;
  /** Starts timers; runs once the servers listen. */
  start?(): void | Promise<void>;
  /**
   * The broker stopped taking connections and is about to wait for in-flight requests: answer
   * anything held open (suspended long polls) now so the wait is short.
   */
  beforeDrain?(): void | Promise<void>;
  /** Stops timers and persists state; runs after in-flight requests finished. */
  shutdown?(): Promise<void>;
}

export interface BrokerContext {
  /** The live configuration; UPDATE_BROKER_CONFIG changes it through `updateConfig`. */
  readonly config: Readonly<BrokerConfig>;
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  /** The address advertised to clients (brokerIP1). */
  readonly brokerIP1: string;
  /** `brokerIP1:port` with the bound port; valid once the broker listens. */
  readonly brokerAddr: string;
  /** brokerIP1 and the bound port: what stored records and message ids carry. */
  readonly storeHost: SocketAddress;
  readonly store: MessageStore;
  readonly topicConfigManager: TopicConfigManager;
  readonly systemTopics: SystemTopics;
  readonly sendFlowControl: SendFlowControl;
  /** ms since the epoch the broker started accepting sends (0 before). */
  readonly startAcceptSendRequestTimeStamp: number;
  readonly bootTimestamp: number;
  /** Version of the config, bumped by UPDATE_BROKER_CONFIG (GET_BROKER_CONFIG's header). */
  readonly configDataVersion: DataVersion;
  /**
   * Registers with every name server soon: only `changed` topics when given (they were just
   * created or changed), else the whole table. Resolves once a round carrying them is done;
   * never rejects.
   */
  registerSoon(changed?: readonly TopicConfig[]): Promise<void>;
  /** Applies already-parsed config values (UPDATE_BROKER_CONFIG). */
  updateConfig(changes: Partial<BrokerConfig>): void;
}
