/**
 * Every custom header rmq reads or writes, with RocketMQ's field names and not-null marks
 * (REMOTING.md §3). One place, so a processor never spells a header key by hand.
 */
import type { FieldSpec, HeaderSchema } from "./header_codec.ts";

const S = { type: "string" } as const satisfies FieldSpec;
const S1 = { type: "string", required: true } as const satisfies FieldSpec;
const I = { type: "int" } as const satisfies FieldSpec;
const I1 = { type: "int", required: true } as const satisfies FieldSpec;
const L = { type: "long" } as const satisfies FieldSpec;
const L1 = { type: "long", required: true } as const satisfies FieldSpec;
const B = { type: "boolean" } as const satisfies FieldSpec;
const B1 = { type: "boolean", required: true } as const satisfies FieldSpec;

// ---- producer (§3.2) ----

export const SendMessageRequestHeader = {
  producerGroup: S1,
  topic: S1,
  defaultTopic: S1,
  defaultTopicQueueNums: I1,
  queueId: I1,
  sysFlag: I1,
  bornTimestamp: L1,
  flag: I1,
  properties: S,
  reconsumeTimes: I,
  unitMode: B,
  maxReconsumeTimes: I,
  batch: B,
  brokerName: S,
} as const satisfies HeaderSchema;

/** SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE: the same fields under single letters. */
export const SendMessageRequestHeaderV2 = {
  producerGroup: { ...S1, wire: "a" },
  topic: { ...S1, wire: "b" },
  defaultTopic: { ...S1, wire: "c" },
  defaultTopicQueueNums: { ...I1, wire: "d" },
  queueId: { ...I1, wire: "e" },
  sysFlag: { ...I1, wire: "f" },
  bornTimestamp: { ...L1, wire: "g" },
  flag: { ...I1, wire: "h" },
  properties: { ...S, wire: "i" },
  reconsumeTimes: { ...I, wire: "j" },
  unitMode: { ...B, wire: "k" },
  maxReconsumeTimes: { ...I, wire: "l" },
  batch: { ...B, wire: "m" },
  brokerName: { ...S, wire: "n" },
} as const satisfies HeaderSchema;

export const SendMessageResponseHeader = {
  msgId: S1,
  queueId: I1,
  queueOffset: L1,
  transactionId: S,
  MSG_REGION: S,
  TRACE_ON: S,
} as const satisfies HeaderSchema;

// ---- consumer (§3.3–3.5) ----

export const PullMessageRequestHeader = {
  consumerGroup: S1,
  topic: S1,
  queueId: I1,
  queueOffset: L1,
  maxMsgNums: I1,
  sysFlag: I1,
  commitOffset: L1,
  suspendTimeoutMillis: L1,
  subscription: S,
  subVersion: L1,
  expressionType: S,
} as const satisfies HeaderSchema;

export const PullMessageResponseHeader = {
  suggestWhichBrokerId: L1,
  nextBeginOffset: L1,
  minOffset: L1,
  maxOffset: L1,
} as const satisfies HeaderSchema;

export const QueryConsumerOffsetRequestHeader = {
  consumerGroup: S1,
  topic: S1,
  queueId: I1,
} as const satisfies HeaderSchema;

export const UpdateConsumerOffsetRequestHeader = {
  consumerGroup: S1,
  topic: S1,
  queueId: I1,
  commitOffset: L1,
} as const satisfies HeaderSchema;

export const TopicQueueRequestHeader = { topic: S1, queueId: I1 } as const satisfies HeaderSchema;

export const SearchOffsetRequestHeader = {
  topic: S1,
  queueId: I1,
  timestamp: L1,
} as const satisfies HeaderSchema;

export const OffsetResponseHeader = { offset: L1 } as const satisfies HeaderSchema;

export const EarliestMsgStoretimeResponseHeader = { timestamp: L1 } as const satisfies HeaderSchema;

export const UnregisterClientRequestHeader = {
  clientID: S1,
  producerGroup: S,
  consumerGroup: S,
} as const satisfies HeaderSchema;

export const ConsumerGroupRequestHeader = { consumerGroup: S1 } as const satisfies HeaderSchema;

export const ConsumerSendMsgBackRequestHeader = {
  offset: L1,
  group: S1,
  delayLevel: I1,
  originMsgId: S,
  originTopic: S,
  unitMode: B,
  maxReconsumeTimes: I,
} as const satisfies HeaderSchema;

// ---- transactions (§3.6) ----

export const EndTransactionRequestHeader = {
  producerGroup: S1,
  tranStateTableOffset: L1,
  commitLogOffset: L1,
  commitOrRollback: I1,
  fromTransactionCheck: B,
  msgId: S1,
  transactionId: S,
} as const satisfies HeaderSchema;

export const CheckTransactionStateRequestHeader = {
  tranStateTableOffset: L1,
  commitLogOffset: L1,
  msgId: S,
  transactionId: S,
  offsetMsgId: S,
} as const satisfies HeaderSchema;

// ---- request-reply (4.6+) ----

/** PUSH_REPLY_MESSAGE_TO_CLIENT (326): a reply pushed to its requester; the body is the body. */
export const ReplyMessageRequestHeader = {
  producerGroup: S1,
  topic: S1,
  defaultTopic: S1,
  defaultTopicQueueNums: I1,
  queueId: I1,
  sysFlag: I1,
  bornTimestamp: L1,
  flag: I1,
  properties: S,
  reconsumeTimes: I,
  unitMode: B,
  bornHost: S1,
  storeHost: S1,
  storeTimestamp: L1,
} as const satisfies HeaderSchema;

// ---- query (§3.7) ----

export const QueryMessageRequestHeader = {
  topic: S1,
  key: S1,
  maxNum: I1,
  beginTimestamp: L1,
  endTimestamp: L1,
} as const satisfies HeaderSchema;

export const QueryMessageResponseHeader = {
  indexLastUpdateTimestamp: L1,
  indexLastUpdatePhyoffset: L1,
} as const satisfies HeaderSchema;

export const ViewMessageRequestHeader = { offset: L1 } as const satisfies HeaderSchema;

// ---- broker administration (§3.8) ----

export const CreateTopicRequestHeader = {
  topic: S1,
  defaultTopic: S1,
  readQueueNums: I1,
  writeQueueNums: I1,
  perm: I1,
  topicFilterType: S1,
  topicSysFlag: I,
  order: B1,
} as const satisfies HeaderSchema;

export const TopicRequestHeader = { topic: S1 } as const satisfies HeaderSchema;

export const DeleteSubscriptionGroupRequestHeader = {
  groupName: S1,
  removeOffset: B,
} as const satisfies HeaderSchema;

export const GetConsumeStatsRequestHeader = {
  consumerGroup: S1,
  topic: S,
} as const satisfies HeaderSchema;

export const ViewBrokerStatsDataRequestHeader = {
  statsName: S1,
  statsKey: S1,
} as const satisfies HeaderSchema;

export const GetConsumeStatsInBrokerHeader = { isOrder: B1 } as const satisfies HeaderSchema;

/** No field is marked not-null in Java: absent numbers read as 0 there. */
export const QueryConsumeQueueRequestHeader = {
  topic: S,
  queueId: I,
  index: L,
  count: I,
  consumerGroup: S,
} as const satisfies HeaderSchema;

export const ProducerGroupRequestHeader = { producerGroup: S1 } as const satisfies HeaderSchema;

export const ResetOffsetRequestHeader = {
  topic: S1,
  group: S1,
  timestamp: L1,
  isForce: B1,
} as const satisfies HeaderSchema;

export const GetConsumerRunningInfoRequestHeader = {
  consumerGroup: S1,
  clientId: S1,
  jstackEnable: B,
} as const satisfies HeaderSchema;

/** CONSUME_MESSAGE_DIRECTLY, broker → client (the message record is the body). */
export const ConsumeMessageDirectlyResultRequestHeader = {
  consumerGroup: S1,
  clientId: S,
  msgId: S,
  brokerName: S,
} as const satisfies HeaderSchema;

export const QueryConsumeTimeSpanRequestHeader = {
  topic: S1,
  group: S1,
} as const satisfies HeaderSchema;

export const CloneGroupOffsetRequestHeader = {
  srcGroup: S1,
  destGroup: S1,
  topic: S,
  offline: B,
} as const satisfies HeaderSchema;

export const GetBrokerConfigResponseHeader = { version: S1 } as const satisfies HeaderSchema;

// ---- name server (§3.9) ----

export const RegisterBrokerRequestHeader = {
  brokerName: S1,
  brokerAddr: S1,
  clusterName: S1,
  haServerAddr: S1,
  brokerId: L1,
  compressed: B,
  bodyCrc32: I,
} as const satisfies HeaderSchema;

export const RegisterBrokerResponseHeader = {
  haServerAddr: S,
  masterAddr: S,
} as const satisfies HeaderSchema;

export const UnregisterBrokerRequestHeader = {
  brokerName: S1,
  brokerAddr: S1,
  clusterName: S1,
  brokerId: L1,
} as const satisfies HeaderSchema;

export const QueryDataVersionRequestHeader = UnregisterBrokerRequestHeader;

export const QueryDataVersionResponseHeader = { changed: B1 } as const satisfies HeaderSchema;

export const GetRouteInfoRequestHeader = {
  topic: S1,
  acceptStandardJsonOnly: B,
} as const satisfies HeaderSchema;

export const DeleteTopicFromNamesrvRequestHeader = {
  topic: S1,
  clusterName: S,
} as const satisfies HeaderSchema;

export const KVConfigRequestHeader = {
  namespace: S1,
  key: S1,
  value: S1,
} as const satisfies HeaderSchema;

export const KVConfigKeyRequestHeader = { namespace: S1, key: S1 } as const satisfies HeaderSchema;

export const KVConfigValueResponseHeader = { value: S } as const satisfies HeaderSchema;

export const NamespaceRequestHeader = { namespace: S1 } as const satisfies HeaderSchema;

export const BrokerNameRequestHeader = { brokerName: S1 } as const satisfies HeaderSchema;

export const WipeWritePermResponseHeader = { wipeTopicCount: I1 } as const satisfies HeaderSchema;

export const AddWritePermResponseHeader = { addTopicCount: I1 } as const satisfies HeaderSchema;

export const GetTopicsByClusterRequestHeader = { cluster: S1 } as const satisfies HeaderSchema;

// ---- ACL admin (codes 50–54) ----

export const CreateAccessConfigRequestHeader = {
  accessKey: S1,
  secretKey: S,
  whiteRemoteAddress: S,
  admin: B,
  defaultTopicPerm: S,
  defaultGroupPerm: S,
  /** NAME=PERM items separated by commas. */
  topicPerms: S,
  groupPerms: S,
} as const satisfies HeaderSchema;

export const DeleteAccessConfigRequestHeader = { accessKey: S1 } as const satisfies HeaderSchema;

export const UpdateGlobalWhiteAddrsConfigRequestHeader = {
  /** Patterns separated by commas. */
  globalWhiteAddrs: S1,
} as const satisfies HeaderSchema;

export const GetBrokerAclConfigResponseHeader = {
  /** The ACL file's DataVersion as JSON. */
  version: S1,
  brokerName: S1,
  brokerAddr: S1,
  clusterName: S1,
} as const satisfies HeaderSchema;
