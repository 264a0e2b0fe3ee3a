/** consumerProgress. */
import { stringOption } from "../../cli/args.ts";
import { formatTime } from "../admin_output.ts";
import { AdminError } from "../admin_client.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";
import { required } from "./options.ts";
import { ResponseCode } from "../../remoting/response_code.ts";

export const consumerProgress: AdminCommand = {
  name: "consumerProgress",
  readOnly: true,
  summary: "A group's offsets and lag on each queue, and in total",
  usage: "-g GROUP [-t TOPIC]",
  options: { group: Flag.group, topic: Flag.topic },
  async run(admin, values) {
    const group = required(values, "group", "-g GROUP", "consumerProgress");
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
