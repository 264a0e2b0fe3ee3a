/**
 * Queue locks of orderly consumers (REMOTING.md §3.5):
 *
 * LockBatchRequestBody (LOCK_BATCH_MQ) and UnlockBatchRequestBody (UNLOCK_BATCH_MQ):
 *   {"clientId":"10.0.0.5@12345","consumerGroup":"g1",
 *    "mqSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"}]}
 *   onlyThisBroker  5.x only; read, never needed
 * LockBatchResponseBody: the queues the client holds now:
 *   {"lockOKMQSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"}]}
 */
import { asArray, asBoolean, asObject, asString } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";
import {
  compareMessageQueues,
  type MessageQueue,
  messageQueueFromJson,
  messageQueueToJson,
} from "./message_queue.ts";

export interface LockBatchRequestBody {
  consumerGroup: string;
  clientId: string;
  mqSet: MessageQueue[];
  onlyThisBroker?: boolean;
}

/** UNLOCK_BATCH_MQ carries the same fields. */
export type UnlockBatchRequestBody = LockBatchRequestBody;

export function encodeLockBatchRequest(b: LockBatchRequestBody): Uint8Array {
  return encodeJsonBody({
    clientId: b.clientId,
    consumerGroup: b.consumerGroup,
    mqSet: [...b.mqSet].sort(compareMessageQueues).map(messageQueueToJson),
    onlyThisBroker: b.onlyThisBroker,
  });
}

export function decodeLockBatchRequest(body: Uint8Array): LockBatchRequestBody {
  const o = asObject(decodeJsonBody(body, "LockBatchRequestBody"));
  const out: LockBatchRequestBody = {
    consumerGroup: asString(o.consumerGroup) ?? "",
    clientId: asString(o.clientId) ?? "",
    mqSet: asArray(o.mqSet).map(messageQueueFromJson),
  };
  const only = asBoolean(o.onlyThisBroker);
  if (only !== undefined) out.onlyThisBroker = only;
  return out;
}

export function encodeLockBatchResponse(lockOKMQSet: readonly MessageQueue[]): Uint8Array {
  return encodeJsonBody({
    lockOKMQSet: [...lockOKMQSet].sort(compareMessageQueues).map(messageQueueToJson),
  });
}

export function decodeLockBatchResponse(body: Uint8Array): MessageQueue[] {
  return asArray(asObject(decodeJsonBody(body, "LockBatchResponseBody")).lockOKMQSet).map(
    messageQueueFromJson,
  );
}
