/**
 * HeartbeatData, the HEART_BEAT body every client sends every broker (REMOTING.md §3.5), and
 * the ConsumerData / ProducerData / SubscriptionData inside it. fastjson style, keys sorted:
 *   {"clientID":"10.0.0.5@12345#1700000000000000",
 *    "consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET",
 *      "consumeType":"CONSUME_PASSIVELY","groupName":"g1","messageModel":"CLUSTERING",
 *      "subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919],
 *        "expressionType":"TAG","subString":"TagA","subVersion":1700000000000,
 *        "tagsSet":["TagA"],"topic":"TopicTest"}],"unitMode":false}],
 *    "producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}
 *
 * Reading is lenient as fastjson is: Go sends codeSet as strings, ali-ons leaves out
 * expressionType, 5.x adds heartbeatFingerprint / withoutSub (ignored).
 */
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
} from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";

/** How a consumer gets its messages (ConsumeType). */
export const ConsumeType = {
  /** Pull consumer. */
  CONSUME_ACTIVELY: "CONSUME_ACTIVELY",
  /** Push consumer. */
  CONSUME_PASSIVELY: "CONSUME_PASSIVELY",
  /** 5.x POP consumer. */
  CONSUME_POP: "CONSUME_POP",
} as const;

/** Clustering: a group shares the queues; broadcasting: every consumer reads every queue. */
export const MessageModel = {
  BROADCASTING: "BROADCASTING",
  CLUSTERING: "CLUSTERING",
} as const;

/** Where a group with no committed offset starts (REMOTING.md §8.7). */
export const ConsumeFromWhere = {
  CONSUME_FROM_LAST_OFFSET: "CONSUME_FROM_LAST_OFFSET",
  CONSUME_FROM_FIRST_OFFSET: "CONSUME_FROM_FIRST_OFFSET",
  CONSUME_FROM_TIMESTAMP: "CONSUME_FROM_TIMESTAMP",
} as const;

/** Subscription expression languages (ExpressionType). */
export const ExpressionType = { TAG: "TAG", SQL92: "SQL92" } as const;

/** The expression that matches every tag. */
export const SUB_ALL = "*";

/** The group every Java client instance lists among its producers. */
export const CLIENT_INNER_PRODUCER_GROUP = "CLIENT_INNER_PRODUCER";

export interface SubscriptionData {
  topic: string;
  /** The expression as written: `TagA || TagB`, `*`, or SQL92 text. */
  subString: string;
  tagsSet: string[];
  /** Java String.hashCode of each tag. */
  codeSet: number[];
  /** When the subscription was made (ms); brokers keep the newest. */
  subVersion: number;
  /** `TAG` or `SQL92`. */
  expressionType: string;
  classFilterMode?: boolean;
}

export interface ConsumerData {
  groupName: string;
  /** ConsumeType: `CONSUME_ACTIVELY` (pull) or `CONSUME_PASSIVELY` (push). */
  consumeType: string;
  /** MessageModel: `CLUSTERING` or `BROADCASTING`. */
  messageModel: string;
  /** ConsumeFromWhere. */
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode?: boolean;
}

export interface ProducerData {
  groupName: string;
}

export interface HeartbeatData {
  clientID: string;
  producerDataSet: ProducerData[];
  consumerDataSet: ConsumerData[];
}

export function subscriptionDataToJson(s: SubscriptionData): JsonObject {
  return {
    classFilterMode: s.classFilterMode ?? false,
    codeSet: s.codeSet,
    expressionType: s.expressionType,
    subString: s.subString,
    subVersion: s.subVersion,
    tagsSet: s.tagsSet,
    topic: s.topic,
  };
}

export function subscriptionDataFromJson(json: JsonValue | undefined): SubscriptionData {
  const o = asObject(json);
  return {
    topic: asString(o.topic) ?? "",
    subString: asString(o.subString) ?? "",
    tagsSet: asArray(o.tagsSet).map((t) => asString(t)).filter((t): t is string => t !== undefined),
    codeSet: asArray(o.codeSet).map((c) => asNumber(c)).filter((c): c is number => c !== undefined),
    subVersion: asNumber(o.subVersion) ?? 0,
    expressionType: asString(o.expressionType) || ExpressionType.TAG,
    classFilterMode: asBoolean(o.classFilterMode) ?? false,
  };
}

export function consumerDataToJson(c: ConsumerData): JsonObject {
  return {
    consumeFromWhere: c.consumeFromWhere,
    consumeType: c.consumeType,
    groupName: c.groupName,
    messageModel: c.messageModel,
    subscriptionDataSet: c.subscriptionDataSet.map(subscriptionDataToJson),
    unitMode: c.unitMode ?? false,
  };
}

export function consumerDataFromJson(json: JsonValue | undefined): ConsumerData {
  const o = asObject(json);
  return {
    groupName: asString(o.groupName) ?? "",
    consumeType: asString(o.consumeType) ?? ConsumeType.CONSUME_PASSIVELY,
    messageModel: asString(o.messageModel) ?? MessageModel.CLUSTERING,
    consumeFromWhere: asString(o.consumeFromWhere) ?? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
    subscriptionDataSet: asArray(o.subscriptionDataSet).map(subscriptionDataFromJson),
    unitMode: asBoolean(o.unitMode) ?? false,
  };
}

export function encodeHeartbeatData(h: HeartbeatData): Uint8Array {
  return encodeJsonBody({
    clientID: h.clientID,
    consumerDataSet: h.consumerDataSet.map(consumerDataToJson),
    producerDataSet: h.producerDataSet.map((p) => ({ groupName: p.groupName })),
  });
}

/** Reads a HEART_BEAT body; throws SyntaxError when it is not JSON. */
export function decodeHeartbeatData(body: Uint8Array): HeartbeatData {
  const o = asObject(decodeJsonBody(body, "HeartbeatData"));
  return {
    clientID: asString(o.clientID) ?? "",
    consumerDataSet: asArray(o.consumerDataSet).map(consumerDataFromJson),
    producerDataSet: asArray(o.producerDataSet).map((p) => ({
      groupName: asString(asObject(p).groupName) ?? "",
    })),
  };
}
