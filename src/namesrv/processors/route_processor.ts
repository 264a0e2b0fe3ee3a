/** Route queries: GET_ROUTEINFO_BY_TOPIC and GET_BROKER_CLUSTER_INFO (REMOTING.md §3.9). */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import { GetRouteInfoRequestHeader } from "../../remoting/headers.ts";
import { encodeClusterInfo, encodeTopicRouteData } from "../../remoting/body/topic_route_data.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { MQVersion } from "../../version.ts";
import { NAMESPACE_ORDER_TOPIC_CONFIG } from "../kv_config.ts";
import type { NamesrvContext } from "../namesrv_context.ts";

/** Java appends FAQUrl.suggestTodo(APPLY_TOPIC_URL) to the not-found remark. */
const APPLY_TOPIC_HINT = "\nSee http://rocketmq.apache.org/docs/faq/ for further details.";

export function routeProcessors(ctx: NamesrvContext): Record<number, Processor> {
  return {
    [RequestCode.GET_ROUTEINFO_BY_TOPIC]: (req) => getRouteInfoByTopic(ctx, req),
    [RequestCode.GET_BROKER_CLUSTER_INFO]: (req) =>
      createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        {},
        encodeClusterInfo(ctx.routes.getAllClusterInfo()),
      ),
  };
}

function getRouteInfoByTopic(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeHeader(GetRouteInfoRequestHeader, req.extFields);
  const route = ctx.routes.pickupTopicRouteData(h.topic);
  if (!route) {
    return createResponse(
      req,
      ResponseCode.TOPIC_NOT_EXIST,
      `No topic route info in name server for the topic: ${h.topic}${APPLY_TOPIC_HINT}`,
    );
  }
  if (ctx.config.orderMessageEnable) {
    const conf = ctx.kvConfig.get(NAMESPACE_ORDER_TOPIC_CONFIG, h.topic);
    if (conf !== undefined) route.orderTopicConf = conf;
  }
  // Clients before 4.9.4 (Go 317, ali-ons 121) get fastjson's unquoted numeric keys.
  const standardJson = req.version >= MQVersion.V4_9_4 || h.acceptStandardJsonOnly === true;
  return createResponse(
    req,
    ResponseCode.SUCCESS,
    undefined,
    {},
    encodeTopicRouteData(route, { standardJson }),
  );
}
