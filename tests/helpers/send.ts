/**
 * Hand-built send requests, for tests that talk to a broker the way a producer does but need
 * control over every header field (V1 vs V2 vs batch, odd values, either serialize type).
 */
import { decodeMessageRecord, type MessageRecord } from "../../src/common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../../src/common/message/message_id.ts";
import type { RemotingClient } from "../../src/remoting/client.ts";
import {
  createRequest,
  type RemotingCommand,
  type SerializeType,
} from "../../src/remoting/command.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import {
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  ViewMessageRequestHeader,
} from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import type { SendHeader } from "../../src/broker/broker_context.ts";

export const BORN_TIMESTAMP = 1_700_000_000_123;

/** A send header with a producer's usual values; `over` replaces any of them. */
export function sendHeader(topic: string, over: Partial<SendHeader> = {}): SendHeader {
  return {
    producerGroup: "PG_TEST",
    topic,
    defaultTopic: "TBW102",
    defaultTopicQueueNums: 4,
    queueId: 0,
    sysFlag: 0,
    bornTimestamp: BORN_TIMESTAMP,
    flag: 0,
    properties: "",
    reconsumeTimes: 0,
    unitMode: false,
    ...over,
  };
}

export interface SendRequestOptions {
  /** SEND_MESSAGE (long names), SEND_MESSAGE_V2 (default) or SEND_BATCH_MESSAGE. */
  code?: number;
  serializeType?: SerializeType;
  oneway?: boolean;
}

/** A send request carrying `body` with the header encoded for `code`. */
export function sendRequest(
  header: SendHeader,
  body: Uint8Array | undefined,
  options: SendRequestOptions = {},
): RemotingCommand {
  const code = options.code ?? RequestCode.SEND_MESSAGE_V2;
  const schema = code === RequestCode.SEND_MESSAGE
    ? SendMessageRequestHeader
    : SendMessageRequestHeaderV2;
  return createRequest(code, encodeHeader(schema, header), {
    body,
    oneway: options.oneway,
    serializeType: options.serializeType,
  });
}

/** VIEW_MESSAGE_BY_ID for an offsetMsgId, at the address the id names; the decoded record. */
export async function viewMessage(client: RemotingClient, msgId: string): Promise<MessageRecord> {
  const { address, offset } = decodeOffsetMsgId(msgId);
  const res = await client.invokeSync(
    address,
    createRequest(
      RequestCode.VIEW_MESSAGE_BY_ID,
      encodeHeader(ViewMessageRequestHeader, { offset }),
    ),
    3000,
  );
  if (res.code !== 0 || !res.body) {
    throw new Error(`VIEW_MESSAGE_BY_ID ${msgId} answered ${res.code} ${res.remark ?? ""}`);
  }
  return decodeMessageRecord(res.body);
}

export const utf8 = (s: string) => new TextEncoder().encode(s);
