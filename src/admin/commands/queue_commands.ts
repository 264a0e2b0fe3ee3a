/**
 * Reading queues without a consumer group's offsets (the kcat habit): queryMsgByOffset,
 * printMsgByQueue and printMsg pull through rmq's PullConsumer under a tools group that commits
 * nothing.
 */
import { stringOption } from "../../cli/args.ts";
import { PullConsumer } from "../../client/consumer/pull_consumer.ts";
import { PullStatus } from "../../client/consumer/pull_api.ts";
import type { MessageExt } from "../../client/message_ext.ts";
import { UsageError } from "../../common/errors.ts";
import type { AdminClient } from "../admin_client.ts";
import { formatTime } from "../admin_output.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";
import { describeMessage, messageBodyText } from "./message_commands.ts";
import { intFlag, required, timeFlag } from "./options.ts";

/** The group mqadmin's own readers use; it never commits an offset. */
const TOOLS_GROUP = "TOOLS_CONSUMER";
const BATCH = 32;

async function withReader<T>(admin: AdminClient, f: (pc: PullConsumer) => Promise<T>): Promise<T> {
  const pc = new PullConsumer({
    namesrvAddr: admin.namesrvAddr,
    consumerGroup: TOOLS_GROUP,
    instanceName: `rmq-admin-${Deno.pid}`,
    ...admin.security,
  });
  await pc.start();
  try {
    return await f(pc);
  } finally {
    await pc.shutdown();
  }
}

const brokerName = {
  type: "string",
  short: "b",
  value: "BROKER_NAME",
  doc: "Broker name",
} as const;
const queueId = { type: "string", short: "i", value: "QUEUE_ID", doc: "Queue id" } as const;

export const queryMsgByOffset: AdminCommand = {
  name: "queryMsgByOffset",
  readOnly: true,
  summary: "The message at an offset of one queue",
  usage: "-t TOPIC -b BROKER_NAME -i QUEUE_ID -o OFFSET",
  options: {
    topic: Flag.topic,
    brokerName,
    queueId,
    offset: { type: "string", short: "o", value: "OFFSET", doc: "Queue offset" },
  },
  run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "queryMsgByOffset");
    const broker = required(values, "brokerName", "-b BROKER_NAME", "queryMsgByOffset");
    const qid = intFlag(values, "queueId", "-i", -1, 0, 65535);
    const offset = intFlag(values, "offset", "-o", -1, 0, Number.MAX_SAFE_INTEGER);
    if (qid < 0 || offset < 0) {
      throw new UsageError("queryMsgByOffset needs -i QUEUE_ID and -o OFFSET");
    }
    return withReader(admin, async (pc) => {
      const r = await pc.pull({ topic, brokerName: broker, queueId: qid }, "*", offset, 1);
      const m = r.msgFoundList[0];
      if (r.pullStatus !== PullStatus.FOUND || !m) {
        throw new Error(
          `no message at offset ${offset} of ${topic} ${broker}:${qid} (${r.pullStatus}; the queue holds ${r.minOffset} to ${
            r.maxOffset - 1
          })`,
        );
      }
      return describeMessage(m);
    });
  },
};

export const printMsgByQueue: AdminCommand = {
  name: "printMsgByQueue",
  readOnly: true,
  summary: "Print a queue's messages, from a time or an offset, without a consumer group",
  usage: "-t TOPIC -a BROKER_NAME -i QUEUE_ID [-b BEGIN] [-e END] [--from-offset N] [--count 100]",
  options: {
    topic: Flag.topic,
    brokerName: { ...brokerName, short: "a" },
    queueId,
    begin: { type: "string", short: "b", value: "TIME", doc: "From this store time (ms or ISO)" },
    end: { type: "string", short: "e", value: "TIME", doc: "Up to this store time (ms or ISO)" },
    "from-offset": {
      type: "string",
      value: "N",
      doc: "From this queue offset (default: the first)",
    },
    count: { type: "string", value: "N", doc: "At most this many messages (100)" },
  },
  run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "printMsgByQueue");
    const broker = required(values, "brokerName", "-a BROKER_NAME", "printMsgByQueue");
    const qid = intFlag(values, "queueId", "-i", -1, 0, 65535);
    if (qid < 0) throw new UsageError("printMsgByQueue needs -i QUEUE_ID");
    const count = intFlag(values, "count", "--count", 100, 1, 100_000);
    const begin = timeFlag(values, "begin", "-b");
    const end = timeFlag(values, "end", "-e");
    return withReader(admin, async (pc) => {
      const mq = { topic, brokerName: broker, queueId: qid };
      let offset = stringOption(values, "from-offset") !== undefined
        ? intFlag(values, "from-offset", "--from-offset", 0, 0, Number.MAX_SAFE_INTEGER)
        : begin !== undefined
        ? await pc.searchOffset(mq, begin)
        : await pc.minOffset(mq);
      const found: MessageExt[] = [];
      while (found.length < count) {
        const r = await pc.pull(mq, "*", offset, Math.min(BATCH, count - found.length));
        if (r.pullStatus !== PullStatus.FOUND) break;
        for (const m of r.msgFoundList) {
          if (end !== undefined && m.storeTimestamp > end) return listing(found);
          found.push(m);
        }
        offset = r.nextBeginOffset;
      }
      return listing(found);
    });
  },
};

function listing(found: MessageExt[]) {
  return {
    json: found.map((m) => ({
      queueOffset: m.queueOffset,
      msgId: m.msgId,
      storeTimestamp: m.storeTimestamp,
      tags: m.tags,
      keys: m.keys,
      properties: m.properties,
      body: messageBodyText(m.body),
    })),
    table: [
      ["Offset", "MsgId", "StoreTime", "Tags", "Keys", "Body"],
      ...found.map((m) => [
        String(m.queueOffset),
        m.msgId,
        formatTime(m.storeTimestamp),
        m.tags ?? "",
        m.keys.join(" "),
        messageBodyText(m.body).replaceAll("\n", "\\n"),
      ]),
    ],
    notes: [`${found.length} message(s)`],
  };
}

export const printMsg: AdminCommand = {
  name: "printMsg",
  readOnly: true,
  summary: "Print a topic's messages (every queue) stored between two times",
  usage: "-t TOPIC [-b BEGIN] [-e END] [--count 100]",
  options: {
    topic: Flag.topic,
    begin: { type: "string", short: "b", value: "TIME", doc: "From this store time (ms or ISO)" },
    end: { type: "string", short: "e", value: "TIME", doc: "Up to this store time (ms or ISO)" },
    count: { type: "string", value: "N", doc: "At most this many messages (100)" },
  },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "printMsg");
    const count = intFlag(values, "count", "--count", 100, 1, 100_000);
    const begin = timeFlag(values, "begin", "-b");
    const end = timeFlag(values, "end", "-e");
    const route = await admin.topicRoute(topic);
    return withReader(admin, async (pc) => {
      const found: MessageExt[] = [];
      for (
        const q of [...route.queueDatas].sort((a, b) => (a.brokerName < b.brokerName ? -1 : 1))
      ) {
        for (let queueId = 0; queueId < q.readQueueNums && found.length < count; queueId++) {
          const mq = { topic, brokerName: q.brokerName, queueId };
          let offset = begin !== undefined
            ? await pc.searchOffset(mq, begin)
            : await pc.minOffset(mq);
          pulling: while (found.length < count) {
            const r = await pc.pull(mq, "*", offset, Math.min(BATCH, count - found.length));
            if (r.pullStatus !== PullStatus.FOUND) break;
            for (const m of r.msgFoundList) {
              if (end !== undefined && m.storeTimestamp > end) break pulling;
              if (begin === undefined || m.storeTimestamp >= begin) found.push(m);
            }
            offset = r.nextBeginOffset;
          }
        }
      }
      found.sort((a, b) => a.storeTimestamp - b.storeTimestamp);
      return listing(found);
    });
  },
};
