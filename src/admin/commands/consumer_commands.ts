/** consumerProgress. */
import { stringOption } from "../../cli/args.ts";
import { type AdminResult, formatTime } from "../admin_output.ts";
import { decodeSubscriptionGroupWrapper } from "../../remoting/body/subscription_group_config.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { type AdminClient, AdminError } from "../admin_client.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";

import { ResponseCode } from "../../remoting/response_code.ts";

export const consumerProgress: AdminCommand = {
  name: "consumerProgress",
  readOnly: true,
  summary:
    "A group's offsets and lag on each queue, and in total (without -g: every group's total)",
  usage: "[-g GROUP [-t TOPIC]]",
  options: { group: Flag.group, topic: Flag.topic },
  async run(admin, values) {
    const group = stringOption(values, "group");
    if (group === undefined) return await everyGroup(admin);
    const topic = stringOption(values, "topic");
    const rows: string[][] = [[
      "Topic",
      "Broker",
      "QID",
      "BrokerOffset",
      "ConsumerOffset",
      "Diff",
      "LastTime",
    ]];
    const json: unknown[] = [];
    let totalDiff = 0;
    let tps = 0;
    for (const [, addr] of await admin.masters()) {
      let stats;
      try {
        stats = await admin.consumeStats(addr, group, topic);
      } catch (e) {
        // A broker the group never consumed from answers CONSUMER_NOT_ONLINE or similar.
        if (e instanceof AdminError && e.code !== ResponseCode.SUCCESS) continue;
        throw e;
      }
      tps += stats.consumeTps;
      for (const [mq, o] of stats.offsetTable) {
        const diff = o.brokerOffset - o.consumerOffset;
        totalDiff += diff;
        json.push({ topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId, ...o, diff });
        rows.push([
          mq.topic,
          mq.brokerName,
          String(mq.queueId),
          String(o.brokerOffset),
          String(o.consumerOffset),
          String(diff),
          formatTime(o.lastTimestamp),
        ]);
      }
    }
    const head = rows.shift()!;
    rows.sort((a, b) => a.slice(0, 3).join("\0") < b.slice(0, 3).join("\0") ? -1 : 1);
    return {
      json: { group, consumeTps: tps, diffTotal: totalDiff, queues: json },
      table: [head, ...rows],
      notes: [`Consume TPS: ${tps.toFixed(2)}`, `Diff Total: ${totalDiff}`],
    };
  },
};

/** Every group the masters know, with its total lag and rate (mqadmin consumerProgress, no -g). */
async function everyGroup(admin: AdminClient): Promise<AdminResult> {
  const groups = new Map<string, { diff: number; tps: number; brokers: number }>();
  for (const [, addr] of await admin.masters()) {
    let names: string[];
    try {
      const res = await admin.call(addr, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
      names = [...decodeSubscriptionGroupWrapper(res.body!).subscriptionGroupTable.keys()];
    } catch (e) {
      if (e instanceof AdminError) continue;
      throw e;
    }
    for (const name of names) {
      if (name.startsWith("CID_RMQ_SYS_") || name === "TOOLS_CONSUMER") continue;
      const g = groups.get(name) ?? { diff: 0, tps: 0, brokers: 0 };
      try {
        const stats = await admin.consumeStats(addr, name);
        for (const [, o] of stats.offsetTable) {
          g.diff += Math.max(0, o.brokerOffset - o.consumerOffset);
        }
        g.tps += stats.consumeTps;
        g.brokers++;
      } catch (e) {
        if (!(e instanceof AdminError)) throw e; // Never consumed on this broker.
      }
      groups.set(name, g);
    }
  }
  const list = [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    json: list.map(([group, g]) => ({ group, diffTotal: g.diff, consumeTps: g.tps })),
    table: [
      ["Group", "Diff Total", "Consume TPS"],
      ...list.map(([group, g]) => [group, String(g.diff), g.tps.toFixed(2)]),
    ],
  };
}
