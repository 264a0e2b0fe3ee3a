/**
 * Requests the broker sends to its clients over their own connections (Java's Broker2Client):
 * NOTIFY_CONSUMER_IDS_CHANGED when a group's membership changes, RESET_CONSUMER_CLIENT_OFFSET
 * when an admin resets a group's offsets, CHECK_TRANSACTION_STATE when a transaction is still
 * open. All are oneway; a client that cannot be told is logged and skipped (it catches up at
 * its next rebalance, or is asked again at the next check).
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import type { Channel } from "../remoting/channel.ts";
import { createRequest, createResponse, type RemotingCommand } from "../remoting/command.ts";
import { RemotingTimeoutError } from "../remoting/errors.ts";
import { encodeHeader, type HeaderOf } from "../remoting/header_codec.ts";
import {
  CheckTransactionStateRequestHeader,
  ConsumerGroupRequestHeader,
  ReplyMessageRequestHeader,
  ResetOffsetRequestHeader,
} from "../remoting/headers.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { MQVersion } from "../version.ts";
import type { ClientChannelInfo } from "./client_channel.ts";

const log = logger("broker");

/** NOTIFY_CONSUMER_IDS_CHANGED (oneway) to each open connection: rebalance now. */
export function notifyConsumerIdsChanged(group: string, channels: readonly Channel[]): void {
  const header = encodeHeader(ConsumerGroupRequestHeader, { consumerGroup: group });
  for (const ch of channels) {
    if (ch.isClosed) continue;
    try {
      ch.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { ...header }));
    } catch (e) {
      log.warn("Cannot notify {addr} that group {group} changed: {error}", {
        addr: ch.remoteAddr,
        group,
        error: errorMessage(e),
      });
    }
  }
}

/**
 * RESET_CONSUMER_CLIENT_OFFSET (oneway, the new offsets as the body) to every consumer of a
 * group. Returns why it cannot be done (a client too old to understand it), or undefined.
 */
export function resetClientOffsets(
  clients: Iterable<ClientChannelInfo>,
  reset: HeaderOf<typeof ResetOffsetRequestHeader>,
  body: Uint8Array,
): string | undefined {
  const header = encodeHeader(ResetOffsetRequestHeader, reset);
  for (const info of clients) {
    if (info.version < MQVersion.V3_0_7_SNAPSHOT) {
      return `the client does not support this feature. version=${info.version}`;
    }
    try {
      info.channel.invokeOneway(
        createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, { ...header }, { body }),
      );
    } catch (e) {
      log.warn("Cannot send reset offset to {clientId}: {error}", {
        clientId: info.clientId,
        error: errorMessage(e),
      });
    }
  }
  return undefined;
}

/** CHECK_TRANSACTION_STATE (oneway, the half message as the body) to one producer. */
export function checkProducerTransactionState(
  channel: Channel,
  header: HeaderOf<typeof CheckTransactionStateRequestHeader>,
  body: Uint8Array,
): void {
  try {
    channel.invokeOneway(
      createRequest(
        RequestCode.CHECK_TRANSACTION_STATE,
        encodeHeader(CheckTransactionStateRequestHeader, header),
        { body },
      ),
    );
  } catch (e) {
    log.warn("Cannot ask {addr} about transaction {msgId}: {error}", {
      addr: channel.remoteAddr,
      msgId: header.msgId,
      error: errorMessage(e),
    });
  }
}

/** How long a requester has to take a pushed reply (Broker2Client.callClient: 3 s). */
const PUSH_REPLY_TIMEOUT_MS = 3000;

/** PUSH_REPLY_MESSAGE_TO_CLIENT to a requester; true when it took the reply. */
export async function pushReplyMessage(
  channel: Channel,
  header: HeaderOf<typeof ReplyMessageRequestHeader>,
  body: Uint8Array,
): Promise<boolean> {
  try {
    const res = await channel.invoke(
      createRequest(
        RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT,
        encodeHeader(ReplyMessageRequestHeader, header),
        { body },
      ),
      PUSH_REPLY_TIMEOUT_MS,
    );
    if (res.code === ResponseCode.SUCCESS) return true;
    log.warn("Requester {addr} refused a reply: {code} {remark}", {
      addr: channel.remoteAddr,
      code: res.code,
      remark: res.remark ?? "",
    });
  } catch (e) {
    log.warn("Cannot push a reply to {addr}: {error}", {
      addr: channel.remoteAddr,
      error: errorMessage(e),
    });
  }
  return false;
}

/** How long a client has to answer a forwarded admin request (Broker2Client.callClient). */
const CALL_CLIENT_TIMEOUT_MS = 10_000;

/**
 * Forwards an admin tool's request to one consumer (AdminBrokerProcessor.callConsumer) and
 * answers with the consumer's reply: GET_CONSUMER_RUNNING_INFO, CONSUME_MESSAGE_DIRECTLY.
 * A consumer not connected, too old, or silent gets an answer saying so.
 */
export async function callConsumer(
  request: RemotingCommand,
  info: ClientChannelInfo | undefined,
  group: string,
  clientId: string,
): Promise<RemotingCommand> {
  if (!info) {
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `The Consumer <${group}> <${clientId}> not online`,
    );
  }
  if (info.version < MQVersion.V3_1_8_SNAPSHOT) {
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `The Consumer <${group}> Version <${info.version}> too low to finish, please upgrade it to V3_1_8_SNAPSHOT`,
    );
  }
  try {
    const res = await info.channel.invoke(
      createRequest(request.code, { ...request.extFields }, { body: request.body }),
      CALL_CLIENT_TIMEOUT_MS,
    );
    return createResponse(request, res.code, res.remark, res.extFields, res.body);
  } catch (e) {
    return createResponse(
      request,
      e instanceof RemotingTimeoutError
        ? ResponseCode.CONSUME_MSG_TIMEOUT
        : ResponseCode.SYSTEM_ERROR,
      e instanceof RemotingTimeoutError
        ? `consumer <${group}> <${clientId}> Timeout: ${errorMessage(e)}`
        : `invoke consumer <${group}> <${clientId}> Exception: ${errorMessage(e)}`,
    );
  }
}
