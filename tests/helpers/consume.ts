/**
 * Hand-built consume-path requests (pull, heartbeat, offsets …) for tests that talk to a broker
 * the way a consumer does but need control over every header field and flag.
 *
 * @example
 * ```ts
 * await heartbeat(client, broker.addr, "client-1", [consumer("g1", [sub("TopicTest", "*")])]);
 * const res = await client.invokeSync(broker.addr, pullRequest({ consumerGroup: "g1",
 *   topic: "TopicTest", queueId: 0, queueOffset: 0 }), 3000);
 * ```
 */
import assert from "node:assert/strict";
import {
  decodeMessageRecords,
  type MessageRecord,
} from "../../src/common/message/message_codec.ts";
import { encodeProperties } from "../../src/common/message/properties.ts";
import { PullSysFlag } from "../../src/common/message/sys_flag.ts";
import { buildSubscriptionData } from "../../src/remoting/filter_api.ts";
import {
  type ConsumerData,
  encodeHeartbeatData,
  type SubscriptionData,
} from "../../src/remoting/body/heartbeat_data.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { encodeHeader, type HeaderOf, type HeaderSchema } from "../../src/remoting/header_codec.ts";
import { PullMessageRequestHeader } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { sendHeader, sendRequest, utf8 } from "./send.ts";

type PullHeader = HeaderOf<typeof PullMessageRequestHeader>;

/** Suspend + subscription, what a push consumer's pull usually carries. */
export const DEFAULT_PULL_FLAGS = PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION;

/** A PULL_MESSAGE request; unset fields take a push consumer's usual values. */
export function pullRequest(
  h: Partial<PullHeader> & { consumerGroup: string; topic: string },
): RemotingCommand {
  const header: PullHeader = {
    queueId: 0,
    queueOffset: 0,
    maxMsgNums: 32,
    sysFlag: DEFAULT_PULL_FLAGS,
    commitOffset: 0,
    suspendTimeoutMillis: 15_000,
    subscription: "*",
    subVersion: 0,
    ...h,
  };
  return createRequest(RequestCode.PULL_MESSAGE, encodeHeader(PullMessageRequestHeader, header));
}

/** A request with a schema-encoded header. */
export function request<S extends HeaderSchema>(
  code: number,
  schema: S,
  header: Parameters<typeof encodeHeader<S>>[1],
  body?: Uint8Array,
): RemotingCommand {
  return createRequest(code, encodeHeader(schema, header), { body });
}

/** A TAG subscription as a client builds it. */
export function sub(topic: string, expression: string, subVersion = 1): SubscriptionData {
  return buildSubscriptionData(topic, expression, "TAG", subVersion);
}

/** A clustering push consumer's data for one group. */
export function consumer(
  group: string,
  subscriptions: SubscriptionData[],
  over: Partial<ConsumerData> = {},
): ConsumerData {
  return {
    groupName: group,
    consumeType: "CONSUME_PASSIVELY",
    messageModel: "CLUSTERING",
    consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
    subscriptionDataSet: subscriptions,
    unitMode: false,
    ...over,
  };
}

/** Sends a HEART_BEAT and checks it was answered 0. */
export async function heartbeat(
  client: RemotingClient,
  addr: string,
  clientID: string,
  consumers: ConsumerData[],
  producerGroups: string[] = [],
): Promise<void> {
  const res = await client.invokeSync(
    addr,
    createRequest(RequestCode.HEART_BEAT, {}, {
      body: encodeHeartbeatData({
        clientID,
        consumerDataSet: consumers,
        producerDataSet: producerGroups.map((groupName) => ({ groupName })),
      }),
    }),
    3000,
  );
  assert.equal(res.code, 0, `HEART_BEAT answered ${res.code} ${res.remark ?? ""}`);
}

export interface SendOptions {
  queueId?: number;
  tags?: string;
  /** Extra properties (DELAY, KEYS …). */
  properties?: Record<string, string>;
}

/** Sends one message with SEND_MESSAGE_V2 and returns the send response. */
export async function send(
  client: RemotingClient,
  addr: string,
  topic: string,
  body: string,
  o: SendOptions = {},
): Promise<RemotingCommand> {
  const props: Record<string, string> = { ...o.properties };
  if (o.tags) props.TAGS = o.tags;
  const res = await client.invokeSync(
    addr,
    sendRequest(
      sendHeader(topic, { queueId: o.queueId ?? 0, properties: encodeProperties(props) }),
      utf8(body),
    ),
    3000,
  );
  assert.equal(res.code, 0, `send answered ${res.code} ${res.remark ?? ""}`);
  return res;
}

/** The records of a pull answer. */
export function records(res: RemotingCommand): MessageRecord[] {
  return res.body ? decodeMessageRecords(res.body) : [];
}

/** The bodies of a pull answer's records, as text. */
export function bodies(res: RemotingCommand): string[] {
  return records(res).map((m) => new TextDecoder().decode(m.body));
}

/** A client that records the NOTIFY_CONSUMER_IDS_CHANGED requests the broker sends it. */
export function notifiedClient(): { client: RemotingClient; notes: RemotingCommand[] } {
  const notes: RemotingCommand[] = [];
  const client = new RemotingClient();
  client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
    notes.push(req);
    return null;
  });
  return { client, notes };
}
