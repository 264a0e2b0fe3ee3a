/**
 * What a client instance needs from the producers and consumers registered with it (Java's
 * MQProducerInner and MQConsumerInner): the instance calls them back when routes change,
 * when it heartbeats and rebalances, and when a broker sends a consumer a request.
 */
import type { ConsumerData } from "../remoting/body/heartbeat_data.ts";
import type { MessageQueue } from "../remoting/body/message_queue.ts";
import type { ReceivedMessage } from "./message_ext.ts";
import type { TopicPublishInfo } from "./producer/topic_publish_info.ts";

/** CHECK_TRANSACTION_STATE's header: which half message the broker asks about. */
export interface TransactionCheck {
  tranStateTableOffset: number;
  commitLogOffset: number;
  msgId?: string;
  transactionId?: string;
  offsetMsgId?: string;
}

/** What a client instance needs from a producer (MQProducerInner). */
export interface ProducerInner {
  readonly groupName: string;
  /** Topics whose routes the instance keeps fresh for this producer. */
  publishTopics(): Iterable<string>;
  /** The producer has no usable queues for the topic yet. */
  isPublishTopicNeedUpdate(topic: string): boolean;
  updateTopicPublishInfo(topic: string, info: TopicPublishInfo): void;
  /**
   * CHECK_TRANSACTION_STATE from the broker at `brokerAddr`: ask the local transaction's state
   * and answer with END_TRANSACTION (transaction producers only).
   */
  checkTransactionState?(brokerAddr: string, msg: ReceivedMessage, check: TransactionCheck): void;
}

/** What a client instance needs from a consumer (MQConsumerInner). */
export interface ConsumerInner {
  readonly groupName: string;
  /** This consumer's entry in the heartbeat. */
  consumerData(): ConsumerData;
  /** Topics whose routes the instance keeps fresh for this consumer. */
  subscriptionTopics(): Iterable<string>;
  /** The consumer has no queues for the topic yet. */
  isSubscribeTopicNeedUpdate(topic: string): boolean;
  updateTopicSubscribeInfo(topic: string, queues: MessageQueue[]): void;
  /** Re-splits the group's queues (push consumers; run by the instance's rebalance service). */
  doRebalance?(): Promise<void>;
  /** RESET_CONSUMER_CLIENT_OFFSET: continue these queues of `topic` from these offsets. */
  resetOffset?(topic: string, offsets: readonly [MessageQueue, number][]): Promise<void>;
  /** GET_CONSUMER_RUNNING_INFO: the ConsumerRunningInfo body. */
  consumerRunningInfo?(): Uint8Array;
  /** CONSUME_MESSAGE_DIRECTLY: hands one message to the listener; the result body. */
  consumeMessageDirectly?(msg: ReceivedMessage): Promise<Uint8Array>;
}
