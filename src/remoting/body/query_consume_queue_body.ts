/**
 * QueryConsumeQueueResponseBody, QUERY_CONSUME_QUEUE's body (`mqadmin queryCq`): a queue's
 * bounds, raw entries from an index, and, when a group was named, its subscription:
 *   {"filterData":"null","maxQueueIndex":5,"minQueueIndex":0,"queueData":[{"eval":false,
 *    "physicOffset":0,"physicSize":180,"tagsCode":0},…],"subscriptionData":{…}}
 * `filterData` is the group's filter as text, or "<group>@<topic> is not online!".
 */
import { asArray, asNumber, asObject, asString, type JsonObject } from "../../common/fastjson.ts";
import {
  type SubscriptionData,
  subscriptionDataFromJson,
  subscriptionDataToJson,
} from "./heartbeat_data.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";

/** One consume-queue entry (ConsumeQueueData); `eval` is whether the group's filter matched. */
export interface ConsumeQueueData {
  physicOffset: number;
  physicSize: number;
  tagsCode: number;
  eval: boolean;
}

export interface QueryConsumeQueueBody {
  maxQueueIndex: number;
  minQueueIndex: number;
  queueData?: ConsumeQueueData[];
  subscriptionData?: SubscriptionData;
  filterData?: string;
}

export function encodeQueryConsumeQueueBody(b: QueryConsumeQueueBody): Uint8Array {
  const o: JsonObject = {
    filterData: b.filterData,
    maxQueueIndex: b.maxQueueIndex,
    minQueueIndex: b.minQueueIndex,
    queueData: b.queueData?.map((e) => ({
      eval: e.eval,
      physicOffset: e.physicOffset,
      physicSize: e.physicSize,
      tagsCode: e.tagsCode,
    })),
    subscriptionData: b.subscriptionData && subscriptionDataToJson(b.subscriptionData),
  };
  return encodeJsonBody(o);
}

export function decodeQueryConsumeQueueBody(body: Uint8Array): QueryConsumeQueueBody {
  const o = asObject(decodeJsonBody(body, "QueryConsumeQueueResponseBody"));
  return {
    maxQueueIndex: asNumber(o.maxQueueIndex) ?? 0,
    minQueueIndex: asNumber(o.minQueueIndex) ?? 0,
    queueData: o.queueData === undefined ? undefined : asArray(o.queueData).map((v) => {
      const e = asObject(v);
      return {
        physicOffset: asNumber(e.physicOffset) ?? 0,
        physicSize: asNumber(e.physicSize) ?? 0,
        tagsCode: asNumber(e.tagsCode) ?? 0,
        eval: e.eval === true,
      };
    }),
    subscriptionData: o.subscriptionData === undefined
      ? undefined
      : subscriptionDataFromJson(o.subscriptionData),
    filterData: asString(o.filterData),
  };
}
