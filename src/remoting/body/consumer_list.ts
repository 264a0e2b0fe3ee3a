/**
 * Small list bodies of the consume path (REMOTING.md §3.5, §3.8):
 *
 * GetConsumerListByGroupResponseBody (GET_CONSUMER_LIST_BY_GROUP):
 *   {"consumerIdList":["10.0.0.5@12345#1700000000000000","10.0.0.6@777"]}
 * GroupList (QUERY_TOPIC_CONSUME_BY_WHO):
 *   {"groupList":["g1","g2"]}
 */
import { asArray, asObject, asString, type JsonValue } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";

function strings(v: JsonValue | undefined): string[] {
  return asArray(v).map((s) => asString(s)).filter((s): s is string => s !== undefined);
}

export function encodeConsumerIdList(consumerIdList: readonly string[]): Uint8Array {
  return encodeJsonBody({ consumerIdList: [...consumerIdList] });
}

export function decodeConsumerIdList(body: Uint8Array): string[] {
  return strings(
    asObject(decodeJsonBody(body, "GetConsumerListByGroupResponseBody")).consumerIdList,
  );
}

export function encodeGroupList(groupList: Iterable<string>): Uint8Array {
  return encodeJsonBody({ groupList: [...groupList] });
}

export function decodeGroupList(body: Uint8Array): string[] {
  return strings(asObject(decodeJsonBody(body, "GroupList")).groupList);
}
