/**
 * Topic lists and topic deletion for admin tools: GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
 * GET_TOPICS_BY_CLUSTER, GET_SYSTEM_TOPIC_LIST_FROM_NS, the three unit-topic lists and
 * DELETE_TOPIC_IN_NAMESRV (REMOTING.md §3.9).
 */
import { logger } from "../../common/log.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import {
  DeleteTopicFromNamesrvRequestHeader,
  GetTopicsByClusterRequestHeader,
} from "../../remoting/headers.ts";
import { encodeTopicList, type TopicList } from "../../remoting/body/topic_list.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { NamesrvContext } from "../namesrv_context.ts";

const log = logger("namesrv");

function listResponse(req: RemotingCommand, list: TopicList): RemotingCommand {
  return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeTopicList(list));
}

export function topicProcessors(ctx: NamesrvContext): Record<number, Processor> {
  const r = ctx.routes;
  return {
    [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER]: (req) =>
      listResponse(req, { topicList: r.getAllTopicList() }),
    [RequestCode.GET_TOPICS_BY_CLUSTER]: (req) => {
      const h = decodeHeader(GetTopicsByClusterRequestHeader, req.extFields);
      return listResponse(req, { topicList: r.getTopicsByCluster(h.cluster) });
    },
    [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS]: (req) => listResponse(req, r.getSystemTopicList()),
    [RequestCode.GET_UNIT_TOPIC_LIST]: (req) => listResponse(req, { topicList: r.getUnitTopics() }),
    [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST]: (req) =>
      listResponse(req, { topicList: r.getHasUnitSubTopicList() }),
    [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST]: (req) =>
      listResponse(req, { topicList: r.getHasUnitSubUnUnitTopicList() }),
    [RequestCode.DELETE_TOPIC_IN_NAMESRV]: (req) => {
      const h = decodeHeader(DeleteTopicFromNamesrvRequestHeader, req.extFields);
      r.deleteTopic(h.topic, h.clusterName);
      log.info("Deleted topic {topic} from {scope}", {
        topic: h.topic,
        scope: h.clusterName ? `cluster ${h.clusterName}` : "every cluster",
      });
      return createResponse(req, ResponseCode.SUCCESS);
    },
  };
}
