/**
 * What request processors work on: the broker's config and identity, its store and topic
 * table, and the hooks through which later parts of the broker (the consume path: consumer
 * manager, offsets, subscription groups, retries, delayed delivery) plug into what is here.
 */
import type { SocketAddress } from "../common/message/socket_address.ts";
import type { Channel } from "../remoting/channel.ts";
import type { RemotingCommand } from "../remoting/command.ts";
import type { DataVersion } from "../remoting/body/data_version.ts";
import type { HeaderOf } from "../remoting/header.ts";
import type { SendMessageRequestHeader } from "../remoting/headers.ts";
import type { MessageInput, MessageStore } from "../store/message_store.ts";
import type { BrokerConfig } from "./broker_config.ts";
import type { SendFlowControl } from "./flow_control.ts";
import type { TopicConfigManager } from "./topic_config_manager.ts";
import type { SystemTopics } from "./topic_validator.ts";

/** A decoded send header (SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE share it). */
export type SendHeader = HeaderOf<typeof SendMessageRequestHeader>;

/** A refusal: the response code and remark a request is answered with. */
export interface Refusal {
  code: number;
  remark: string;
}

/**
 * §3.2 step 4, for a send to a `%RETRY%<group>` topic (the consume path installs it): may
 * refuse the send (SUBSCRIPTION_GROUP_NOT_EXIST, NO_PERMISSION …) or redirect the message in
 * place (topic `%DLQ%<group>`, queue 0, once reconsumeTimes reaches maxReconsumeTimes).
 * `request.version` decides whether header `maxReconsumeTimes` counts (≥ V3_4_9).
 */
export type RetrySendHook = (
  msg: MessageInput,
  header: SendHeader,
  request: RemotingCommand,
) => Refusal | undefined | Promise<Refusal | undefined>;

/** Points in the send path other parts of the broker hook into. */
export interface SendHooks {
  retryTopic?: RetrySendHook;
}

/**
 * Something with a lifecycle that a processor set adds with `addService` (a consumer
 * manager's expiry scan, an offset table flushed every 5 s, a long-poll hold service …).
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
  /**
   * Stops timers and persists state; runs after in-flight requests finished and before the
   * store closes. Services stop in the reverse order of their adding.
   */
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
  readonly sendHooks: SendHooks;
  readonly sendFlowControl: SendFlowControl;
  /** ms since the epoch the broker started accepting sends (0 before). */
  readonly startAcceptSendRequestTimeStamp: number;
  readonly bootTimestamp: number;
  /** Version of the config, bumped by UPDATE_BROKER_CONFIG (GET_BROKER_CONFIG's header). */
  readonly configDataVersion: DataVersion;
  /**
   * Adds a service; it is loaded, started and shut down with the broker. Call it from a
   * processor-set factory (those run at start, before services load).
   */
  addService(service: BrokerService): void;
  /**
   * Calls `listener` whenever a client connection (on any of the broker's ports) closes, for
   * whatever reason: consumer and producer tables drop it, held pulls for it are forgotten.
   */
  onChannelClose(listener: (channel: Channel) => void): void;
  /** Registers with every name server now (after a topic change); never rejects. */
  registerBrokerAll(): Promise<void>;
  /** Applies already-parsed config values (UPDATE_BROKER_CONFIG). */
  updateConfig(changes: Partial<BrokerConfig>): void;
}
