/**
 * Who is connected (REMOTING.md §3.8, §3.10): ConsumerConnection (GET_CONSUMER_CONNECTION_LIST)
 * and ProducerConnection (GET_PRODUCER_CONNECTION_LIST). fastjson, keys sorted:
 *   {"connectionSet":[{"clientAddr":"10.0.0.5:53211","clientId":"10.0.0.5@12345",
 *     "language":"JAVA","version":409}],
 *    "consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY",
 *    "messageModel":"CLUSTERING","subscriptionTable":{"TopicTest":{...SubscriptionData...}}}
 *   {"connectionSet":[...]}
 */
import {
  asArray,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
  mapEntries,
} from "../../common/fastjson.ts";
import {
  type SubscriptionData,
  subscriptionDataFromJson,
  subscriptionDataToJson,
} from "./heartbeat_data.ts";
import { decodeJsonBody, encodeJsonBody, stringMap } from "./json_body.ts";

export interface Connection {
  clientId: string;
  clientAddr: string;
  /** LanguageCode name (`JAVA`, `GO`, …). */
  language: string;
  version: number;
}

export interface ConsumerConnection {
  connectionSet: Connection[];
  /** topic → the group's subscription. */
  subscriptionTable: Map<string, SubscriptionData>;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
}

function connectionToJson(c: Connection): JsonObject {
  return {
    clientAddr: c.clientAddr,
    clientId: c.clientId,
    language: c.language,
    version: c.version,
  };
}

function connectionFromJson(json: JsonValue): Connection {
  const o = asObject(json);
  return {
    clientId: asString(o.clientId) ?? "",
    clientAddr: asString(o.clientAddr) ?? "",
    language: asString(o.language) ?? "",
    version: asNumber(o.version) ?? 0,
  };
}

function sortedConnections(set: readonly Connection[]): JsonValue[] {
  return [...set].sort((a, b) => a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0)
    .map(connectionToJson);
}

export function encodeConsumerConnection(c: ConsumerConnection): Uint8Array {
  return encodeJsonBody({
    connectionSet: sortedConnections(c.connectionSet),
    consumeFromWhere: c.consumeFromWhere,
    consumeType: c.consumeType,
    messageModel: c.messageModel,
    subscriptionTable: stringMap(
      [...c.subscriptionTable].map(([k, v]) => [k, subscriptionDataToJson(v)]),
    ),
  });
}

export function decodeConsumerConnection(body: Uint8Array): ConsumerConnection {
  const o = asObject(decodeJsonBody(body, "ConsumerConnection"));
  const subscriptionTable = new Map<string, SubscriptionData>();
  for (const [k, v] of mapEntries(o.subscriptionTable)) {
    const topic = asString(k);
    if (topic !== undefined) subscriptionTable.set(topic, subscriptionDataFromJson(v));
  }
  return {
    connectionSet: asArray(o.connectionSet).map(connectionFromJson),
    subscriptionTable,
    consumeType: asString(o.consumeType) ?? "",
    messageModel: asString(o.messageModel) ?? "",
    consumeFromWhere: asString(o.consumeFromWhere) ?? "",
  };
}

export function encodeProducerConnection(connectionSet: readonly Connection[]): Uint8Array {
  return encodeJsonBody({ connectionSet: sortedConnections(connectionSet) });
}

export function decodeProducerConnection(body: Uint8Array): Connection[] {
  return asArray(asObject(decodeJsonBody(body, "ProducerConnection")).connectionSet).map(
    connectionFromJson,
  );
}
