/**
 * The broker's statistics (REMOTING.md §3.8): VIEW_BROKER_STATS_DATA, one statistic's last
 * minute, hour and day (`mqadmin statsAll`), and GET_BROKER_CONSUME_STATS, every subscription
 * group's progress in every topic it consumed (`mqadmin brokerConsumeStats`).
 */
import { encodeBrokerStatsData } from "../../remoting/body/broker_stats_data.ts";
import {
  type ConsumeStats,
  encodeConsumeStatsList,
  totalDiff,
} from "../../remoting/body/consume_stats.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import {
  GetConsumeStatsInBrokerHeader,
  ViewBrokerStatsDataRequestHeader,
} from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { type ConsumeStatsServices, groupConsumeStats } from "../group_consume_stats.ts";

export type BrokerStatsServices = ConsumeStatsServices & Pick<BrokerServices, "subscriptionGroups">;

export function brokerStatsProcessors(
  ctx: BrokerContext,
  s: BrokerStatsServices,
): Record<number, Processor> {
  return {
    [RequestCode.VIEW_BROKER_STATS_DATA]: (req) => {
      const h = decodeHeader(ViewBrokerStatsDataRequestHeader, req.extFields);
      const data = s.stats.data(h.statsName, h.statsKey);
      if (!data) {
        return createResponse(
          req,
          ResponseCode.SYSTEM_ERROR,
          `The stats <${h.statsName}> <${h.statsKey}> not exist`,
        );
      }
      return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeBrokerStatsData(data));
    },
    [RequestCode.GET_BROKER_CONSUME_STATS]: (req) => brokerConsumeStats(ctx, s, req),
  };
}

/** Per subscription group, its stats in each topic it has offsets for; only ordered topics when asked. */
async function brokerConsumeStats(
  ctx: BrokerContext,
  s: BrokerStatsServices,
  req: RemotingCommand,
): Promise<RemotingCommand> {
  const h = decodeHeader(GetConsumeStatsInBrokerHeader, req.extFields);
  const list: Map<string, ConsumeStats[]>[] = [];
  let diff = 0;
  for (const { groupName } of s.subscriptionGroups.groups()) {
    const stats: ConsumeStats[] = [];
    for (const topic of s.consumerOffsets.whichTopicByConsumer(groupName)) {
      if (h.isOrder && !ctx.topicConfigManager.get(topic)?.order) continue;
      const one = await groupConsumeStats(ctx, s, groupName, topic, "write");
      if (!one) continue;
      diff += totalDiff(one);
      stats.push(one);
    }
    list.push(new Map([[groupName, stats]]));
  }
  return createResponse(
    req,
    ResponseCode.SUCCESS,
    undefined,
    {},
    encodeConsumeStatsList({ brokerAddr: ctx.brokerAddr, consumeStatsList: list, totalDiff: diff }),
  );
}
