import assert from "node:assert/strict";
import { parseFastJson } from "../../../src/common/fastjson.ts";
import { textDecoder } from "../../../src/common/bytes.ts";
import { StatsName } from "../../../src/broker/broker_stats.ts";
import { decodeBrokerStatsData } from "../../../src/remoting/body/broker_stats_data.ts";
import {
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
} from "../../../src/remoting/body/subscription_group_config.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import {
  GetConsumeStatsInBrokerHeader,
  UpdateConsumerOffsetRequestHeader,
  ViewBrokerStatsDataRequestHeader,
} from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { pullRequest, request, send } from "../../helpers/consume.ts";

Deno.test("VIEW_BROKER_STATS_DATA answers a statistic's windows, SYSTEM_ERROR for one never counted", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  await cluster.createTopic("Stats", { queues: 1 });
  for (let i = 0; i < 3; i++) await send(client, broker.addr, "Stats", `m${i}`);
  const view = (statsName: string, statsKey: string) =>
    client.invokeSync(
      broker.addr,
      request(RequestCode.VIEW_BROKER_STATS_DATA, ViewBrokerStatsDataRequestHeader, {
        statsName,
        statsKey,
      }),
      3000,
    );
  // The windows fill as the broker samples (every 10 s); take a sample now instead of waiting.
  broker.controller.services.stats.sampleAll("minute");
  const res = await view(StatsName.TOPIC_PUT_NUMS, "Stats");
  assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
  const d = decodeBrokerStatsData(res.body!);
  assert.equal(d.statsMinute.sum, 3);
  assert.equal(d.statsMinute.avgpt, 1, "one message a send");

  const none = await view(StatsName.TOPIC_PUT_NUMS, "Never");
  assert.equal(none.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(none.remark, "The stats <TOPIC_PUT_NUMS> <Never> not exist");
});

Deno.test("GET_BROKER_CONSUME_STATS lists every group's progress per topic and the total behind", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await cluster.createTopic("Plain", { queues: 2 });
  await cluster.createTopic("Ordered", { queues: 1, order: true });
  for (let i = 0; i < 5; i++) await send(client, addr, "Plain", `p${i}`, { queueId: i % 2 });
  await send(client, addr, "Ordered", "o");
  await client.invokeSync(
    addr,
    createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, {
      body: encodeSubscriptionGroupConfig(defaultSubscriptionGroupConfig("gstats")),
    }),
    3000,
  );
  for (const [topic, queueId, commitOffset] of [["Plain", 0, 1], ["Ordered", 0, 0]] as const) {
    await client.invokeSync(
      addr,
      request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
        consumerGroup: "gstats",
        topic,
        queueId,
        commitOffset,
      }),
      3000,
    );
  }
  // A pull counts toward the group's consume rate.
  const pulled = await client.invokeSync(
    addr,
    pullRequest({ consumerGroup: "gstats", topic: "Plain" }),
    3000,
  );
  assert.equal(pulled.code, ResponseCode.SUCCESS);
  cluster.brokers[0].controller.services.stats.sampleAll("minute");

  const stats = async (isOrder: boolean) => {
    const res = await client.invokeSync(
      addr,
      request(RequestCode.GET_BROKER_CONSUME_STATS, GetConsumeStatsInBrokerHeader, { isOrder }),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    return parseFastJson(textDecoder.decode(res.body)) as {
      brokerAddr: string;
      totalDiff: number;
      consumeStatsList: Record<
        string,
        { consumeTps: number; offsetTable: Map<unknown, unknown> }[]
      >[];
    };
  };
  const all = await stats(false);
  assert.equal(all.brokerAddr, addr);
  // Plain: 3 + 2 behind from offsets 1 and 0; Ordered: 1 behind.
  assert.equal(all.totalDiff, 4 + 1);
  const mine = all.consumeStatsList.find((m) => "gstats" in m)!.gstats;
  assert.deepEqual(mine.map((s) => s.offsetTable.size).sort(), [1, 2]);
  const plain = mine.find((s) => s.offsetTable.size === 2)!;
  assert.ok(plain.consumeTps > 0, "the pull counted toward the group's rate");
  assert.ok(all.consumeStatsList.some((m) => "TOOLS_CONSUMER" in m), "every subscription group");

  const ordered = await stats(true);
  assert.equal(ordered.totalDiff, 1, "only ordered topics");
});
