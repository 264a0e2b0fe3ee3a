/** rmq's own release. */
export const RMQ_VERSION = "0.1.0";

/**
 * The RocketMQ version ordinal rmq speaks as (MQVersion V4_9_8). Sent in every command's
 * `version`; Java clients store a broker's heartbeat-response version and refuse SQL92 below 232.
 */
export const ROCKETMQ_VERSION = 409;
export const ROCKETMQ_VERSION_NAME = "V4_9_8";

/** Version thresholds that change behaviour (REMOTING.md §1.6). */
export const MQVersion = {
  /** Clients from here on take RESET_CONSUMER_CLIENT_OFFSET. */
  V3_0_7_SNAPSHOT: 28,
  /** Clients from here on answer GET_CONSUMER_RUNNING_INFO and CONSUME_MESSAGE_DIRECTLY. */
  V3_1_8_SNAPSHOT: 62,
  V3_4_9: 121,
  V4_9_3: 399,
  V4_9_4: 401,
} as const;
