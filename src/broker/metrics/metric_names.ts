/**
 * Metric names and labels, each from where users' dashboards expect it:
 *
 * - RocketMQ 5.x's own (BrokerMetricsConstant, RemotingMetricsConstant,
 *   DefaultStoreMetricsConstant in apache/rocketmq): every series also carries `cluster`,
 *   `node_type` ("broker") and `node_id` (the broker name), as 5.x's attributes do.
 * - The 4.x rocketmq-exporter's (RMQMetricsCollector in apache/rocketmq-exporter), label sets
 *   as it declares them (`cluster`, `broker`, `topic`, `group`; `brokerIP` for the broker totals;
 *   `countOfOnlineConsumers`, `msgModel` on group_diff).
 */

export const Native = {
  MESSAGES_IN_TOTAL: "rocketmq_messages_in_total",
  MESSAGES_OUT_TOTAL: "rocketmq_messages_out_total",
  THROUGHPUT_IN_TOTAL: "rocketmq_throughput_in_total",
  THROUGHPUT_OUT_TOTAL: "rocketmq_throughput_out_total",
  PRODUCER_CONNECTIONS: "rocketmq_producer_connections",
  CONSUMER_CONNECTIONS: "rocketmq_consumer_connections",
  CONSUMER_LAG_MESSAGES: "rocketmq_consumer_lag_messages",
  CONSUMER_LAG_LATENCY: "rocketmq_consumer_lag_latency",
  BROKER_PERMISSION: "rocketmq_broker_permission",
  RPC_LATENCY: "rocketmq_rpc_latency",
  MESSAGE_SIZE: "rocketmq_message_size",
  STORAGE_SIZE: "rocketmq_storage_size",
  STORAGE_FLUSH_BEHIND: "rocketmq_storage_flush_behind_bytes",
  STORAGE_DISPATCH_BEHIND: "rocketmq_storage_dispatch_behind_bytes",
  STORAGE_MESSAGE_RESERVE_TIME: "rocketmq_storage_message_reserve_time",
} as const;

export const NativeLabel = {
  CLUSTER: "cluster",
  NODE_TYPE: "node_type",
  NODE_ID: "node_id",
  TOPIC: "topic",
  MESSAGE_TYPE: "message_type",
  CONSUMER_GROUP: "consumer_group",
  IS_SYSTEM: "is_system",
  IS_RETRY: "is_retry",
  PROTOCOL_TYPE: "protocol_type",
  REQUEST_CODE: "request_code",
  RESPONSE_CODE: "response_code",
  STORAGE_TYPE: "storage_type",
  STORAGE_MEDIUM: "storage_medium",
} as const;

export const NODE_TYPE_BROKER = "broker";
export const PROTOCOL_TYPE_REMOTING = "remoting";

/** RocketMQ 5.x's message size buckets, bytes (1 KiB … 4 MiB). */
export const MESSAGE_SIZE_BUCKETS = [1024, 4096, 512 * 1024, 1024 * 1024, 2048 * 1024, 4096 * 1024];

/** RocketMQ 5.x's rpc latency buckets, in ms. */
export const RPC_LATENCY_BUCKETS_MS = [1, 3, 5, 7, 10, 100, 1000, 2000, 3000, 4000, 5000];

export const Exporter = {
  PRODUCER_TPS: "rocketmq_producer_tps",
  PRODUCER_MESSAGE_SIZE: "rocketmq_producer_message_size",
  PRODUCER_OFFSET: "rocketmq_producer_offset",
  CONSUMER_TPS: "rocketmq_consumer_tps",
  CONSUMER_MESSAGE_SIZE: "rocketmq_consumer_message_size",
  CONSUMER_OFFSET: "rocketmq_consumer_offset",
  GROUP_DIFF: "rocketmq_group_diff",
  BROKER_TPS: "rocketmq_broker_tps",
  BROKER_QPS: "rocketmq_broker_qps",
} as const;

export const EXPORTER_TOPIC_LABELS = ["cluster", "broker", "topic"] as const;
export const EXPORTER_GROUP_LABELS = ["cluster", "broker", "topic", "group"] as const;
export const EXPORTER_GROUP_DIFF_LABELS = [
  "group",
  "topic",
  "countOfOnlineConsumers",
  "msgModel",
] as const;
export const EXPORTER_BROKER_LABELS = ["cluster", "brokerIP", "broker"] as const;
