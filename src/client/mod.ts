/**
 * rmq's RocketMQ 4.x client for TypeScript: a producer, a push consumer and a simple pull
 * consumer that speak the RocketMQ remoting protocol to any 4.x name server and broker
 * (Apache RocketMQ or rmq).
 *
 * @example
 * ```ts
 * import { Producer, selectMessageQueueByHash } from "@rmq/rmq/client";
 *
 * await using producer = new Producer({ namesrvAddr: "127.0.0.1:9876", producerGroup: "pg" });
 * await producer.start();
 * const r = await producer.send({ topic: "TopicTest", tags: "TagA", body: "Hello RocketMQ" });
 * console.log(r.sendStatus, r.msgId, r.messageQueue.queueId, r.queueOffset);
 *
 * // Ordered: every message of one order goes to the same queue.
 * await producer.send({ topic: "Orders", body: "paid" }, {
 *   selector: selectMessageQueueByHash,
 *   arg: "order-1001",
 * });
 *
 * // Consume: the group splits the topic's queues; failures come back through its retry topic.
 * await using consumer = new PushConsumer({ namesrvAddr: "127.0.0.1:9876", consumerGroup: "g1" });
 * consumer.subscribe("TopicTest", "TagA || TagB");
 * consumer.registerMessageListener((msgs) => {
 *   for (const m of msgs) console.log(m.topic, m.queueOffset, m.msgId, m.tags);
 * });
 * await consumer.start();
 * ```
 *
 * @module
 */
export {
  DEFAULT_PRODUCER_GROUP,
  Producer,
  type ProducerOptions,
  type SendOptions,
  type ViewedMessage,
} from "./producer/producer.ts";
export {
  LocalTransactionState,
  type TransactionListener,
  TransactionProducer,
  type TransactionProducerOptions,
  type TransactionSendResult,
} from "./producer/transaction_producer.ts";
export type { Message } from "./message.ts";
export { type SendResult, SendStatus } from "./producer/send_result.ts";
export type { ClientOptions } from "./client_config.ts";
export { MQBrokerError, MQClientError } from "./errors.ts";
export {
  type MessageQueueSelector,
  selectMessageQueueByHash,
  selectMessageQueueByRandom,
} from "./producer/queue_selector.ts";
export type { MessageQueue } from "../remoting/body/message_queue.ts";
export { PushConsumer, type PushConsumerOptions } from "./consumer/push_consumer.ts";
export { MessageSelector } from "./consumer/message_selector.ts";
export { PullConsumer, type PullConsumerOptions } from "./consumer/pull_consumer.ts";
export { type PullResult, PullStatus } from "./consumer/pull_api.ts";
export type { MessageExt } from "./message_ext.ts";
export {
  type ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  ConsumeFromWhere,
  type MessageListener,
  MessageModel,
} from "./consumer/consumer_types.ts";
export {
  allocateMessageQueueAveragely,
  allocateMessageQueueAveragelyByCircle,
  type AllocateMessageQueueStrategy,
} from "./consumer/allocate_strategy.ts";
