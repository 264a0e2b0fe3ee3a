/**
 * rmq's RocketMQ 4.x client for TypeScript: a producer that speaks the RocketMQ remoting
 * protocol to any 4.x name server and broker (Apache RocketMQ or rmq).
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
} from "./producer.ts";
export type { Message } from "./message.ts";
export { type SendResult, SendStatus } from "./send_result.ts";
export type { ClientOptions } from "./client_config.ts";
export { MQBrokerError, MQClientError } from "./errors.ts";
export {
  type MessageQueueSelector,
  selectMessageQueueByHash,
  selectMessageQueueByRandom,
} from "./queue_selector.ts";
export type { MessageQueue } from "../remoting/body/message_queue.ts";
