/**
 * Requests brokers (and admin tools, for broker permissions) send the name server:
 * REGISTER_BROKER, UNREGISTER_BROKER, QUERY_DATA_VERSION, WIPE_WRITE_PERM_OF_BROKER,
 * ADD_WRITE_PERM_OF_BROKER (REMOTING.md §3.9).
 */
import { maskedCrc32 } from "../../common/crc32.ts";
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import { LogLimiter } from "../../common/log_limiter.ts";
import type { Channel } from "../../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  AddWritePermResponseHeader,
  BrokerNameRequestHeader,
  QueryDataVersionRequestHeader,
  QueryDataVersionResponseHeader,
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  UnregisterBrokerRequestHeader,
  WipeWritePermResponseHeader,
} from "../../remoting/headers.ts";
import {
  decodeDataVersion,
  encodeDataVersion,
  newDataVersion,
} from "../../remoting/body/data_version.ts";
import {
  decodeRegisterBrokerBody,
  type RegisterBrokerBody,
} from "../../remoting/body/register_broker_body.ts";
import { encodeKVTable } from "../../remoting/body/topic_list.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { NAMESPACE_ORDER_TOPIC_CONFIG } from "../kv_config.ts";
import type { NamesrvContext } from "../namesrv_context.ts";

const log = logger("namesrv");

export function brokerProcessors(ctx: NamesrvContext): Record<number, Processor> {
  // Refused take-overs are logged once a minute at most (a retrying attacker floods nothing).
  const hijackLog = new LogLimiter(1, 60_000);
  return {
    [RequestCode.REGISTER_BROKER]: (req, ch) => registerBroker(ctx, req, ch, hijackLog),
    [RequestCode.UNREGISTER_BROKER]: (req) => unregisterBroker(ctx, req),
    [RequestCode.QUERY_DATA_VERSION]: (req) => queryDataVersion(ctx, req),
    [RequestCode.WIPE_WRITE_PERM_OF_BROKER]: (req) => {
      const h = decodeHeader(BrokerNameRequestHeader, req.extFields);
      const wipeTopicCount = ctx.routes.wipeWritePermOfBroker(h.brokerName);
      log.info("Wiped write permission of broker {brokerName} on {count} topics", {
        brokerName: h.brokerName,
        count: wipeTopicCount,
      });
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        encodeHeader(WipeWritePermResponseHeader, { wipeTopicCount }),
      );
    },
    [RequestCode.ADD_WRITE_PERM_OF_BROKER]: (req) => {
      const h = decodeHeader(BrokerNameRequestHeader, req.extFields);
      const addTopicCount = ctx.routes.addWritePermOfBroker(h.brokerName);
      log.info("Added write permission of broker {brokerName} on {count} topics", {
        brokerName: h.brokerName,
        count: addTopicCount,
      });
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        encodeHeader(AddWritePermResponseHeader, { addTopicCount }),
      );
    },
  };
}

function registerBroker(
  ctx: NamesrvContext,
  req: RemotingCommand,
  ch: Channel,
  hijackLog: LogLimiter,
): RemotingCommand {
  const h = decodeHeader(RegisterBrokerRequestHeader, req.extFields);
  const body = req.body !== undefined && req.body.length > 0 ? req.body : undefined;
  // 0 (or absent) means the broker did not compute a checksum.
  if (h.bodyCrc32 !== undefined && h.bodyCrc32 !== 0) {
    const crc = maskedCrc32(body ?? new Uint8Array(0));
    if (crc !== h.bodyCrc32) {
      log.warn(
        "REGISTER_BROKER from {brokerAddr}: body crc32 {crc} does not match header {expected}",
        {
          brokerAddr: h.brokerAddr,
          crc,
          expected: h.bodyCrc32,
        },
      );
      return createResponse(req, ResponseCode.SYSTEM_ERROR, "crc32 not match");
    }
  }
  let decoded: RegisterBrokerBody;
  if (body) {
    try {
      decoded = decodeRegisterBrokerBody(body, h.compressed ?? false);
    } catch (e) {
      log.warn("REGISTER_BROKER from {brokerAddr}: {error}", {
        brokerAddr: h.brokerAddr,
        error: errorMessage(e),
      });
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `Failed to decode RegisterBrokerBody: ${errorMessage(e)}`,
      );
    }
  } else {
    decoded = {
      topicConfigSerializeWrapper: { topicConfigTable: new Map(), dataVersion: newDataVersion(0) },
      filterServerList: [],
    };
  }
  const displaced = ctx.routes.displacedAddress(h.brokerName, h.brokerId, h.brokerAddr, ch);
  if (displaced !== undefined) {
    const why = `broker ${h.brokerName} id ${h.brokerId} is registered at ${displaced}, still ` +
      `connected: a registration of ${h.brokerAddr} from ${ch.remoteAddr} may not replace it`;
    if (hijackLog.take() !== undefined) log.warn("Refused REGISTER_BROKER: {why}", { why });
    return createResponse(req, ResponseCode.SYSTEM_ERROR, why);
  }
  const result = ctx.routes.registerBroker({
    clusterName: h.clusterName,
    brokerAddr: h.brokerAddr,
    brokerName: h.brokerName,
    brokerId: h.brokerId,
    haServerAddr: h.haServerAddr,
    topicConfigWrapper: decoded.topicConfigSerializeWrapper,
    filterServerList: decoded.filterServerList,
    channel: ch,
  });
  const orderTopics = ctx.kvConfig.list(NAMESPACE_ORDER_TOPIC_CONFIG);
  return createResponse(
    req,
    ResponseCode.SUCCESS,
    undefined,
    encodeHeader(RegisterBrokerResponseHeader, result),
    orderTopics ? encodeKVTable(orderTopics) : undefined,
  );
}

function unregisterBroker(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeHeader(UnregisterBrokerRequestHeader, req.extFields);
  ctx.routes.unregisterBroker(h.clusterName, h.brokerAddr, h.brokerName, h.brokerId);
  return createResponse(req, ResponseCode.SUCCESS);
}

function queryDataVersion(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeHeader(QueryDataVersionRequestHeader, req.extFields);
  if (req.body === undefined || req.body.length === 0) {
    throw new TypeError("Cannot query data version: the request has no DataVersion body");
  }
  const theirs = decodeDataVersion(req.body);
  const changed = ctx.routes.isBrokerTopicConfigChanged(h.brokerAddr, theirs);
  if (!changed) ctx.routes.updateBrokerInfoUpdateTimestamp(h.brokerAddr);
  const ours = ctx.routes.queryBrokerDataVersion(h.brokerAddr);
  return createResponse(
    req,
    ResponseCode.SUCCESS,
    undefined,
    encodeHeader(QueryDataVersionResponseHeader, { changed }),
    ours ? encodeDataVersion(ours) : undefined,
  );
}
