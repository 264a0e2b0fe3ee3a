/** Messages: queryMsgById, queryMsgByKey, queryMsgByUniqueKey, sendMessage, resendMessage. */
import { stringOption } from "../../cli/args.ts";
import { Producer } from "../../client/producer/producer.ts";
import { decodeMessages, type MessageExt } from "../../client/message_ext.ts";
import { decodeOffsetMsgId } from "../../common/message/message_id.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { UsageError } from "../../common/errors.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { type AdminClient, AdminError } from "../admin_client.ts";
import { type AdminResult, formatTime } from "../admin_output.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";
import { intFlag, required } from "./options.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function messageBodyText(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    return `(${body.length} bytes, not UTF-8)`;
  }
}

/** The stored message an offsetMsgId names (VIEW_MESSAGE_BY_ID to the broker it names). */
async function viewMessage(admin: AdminClient, offsetMsgId: string): Promise<MessageExt> {
  let decoded;
  try {
    decoded = decodeOffsetMsgId(offsetMsgId);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const res = await admin.call(decoded.address, RequestCode.VIEW_MESSAGE_BY_ID, {
    offset: String(decoded.offset),
  });
  return decodeMessages(res.body!, "")[0];
}

/** A producer for one command's sends, signed and over TLS as the command is. */
async function adminProducer(admin: AdminClient): Promise<Producer> {
  const p = new Producer({
    namesrvAddr: admin.namesrvAddr,
    producerGroup: "rmq_admin_producer",
    ...admin.security,
  });
  await p.start();
  return p;
}

/** One message as mqadmin's queryMsgById prints it: field, value. */
export function describeMessage(m: MessageExt): AdminResult {
  const fields: [string, string][] = [
    ["Topic", m.topic],
    ["Tags", m.tags ?? ""],
    ["Keys", m.keys.join(" ")],
    ["Queue ID", String(m.queueId)],
    ["Queue Offset", String(m.queueOffset)],
    ["CommitLog Offset", String(m.commitLogOffset)],
    ["Reconsume Times", String(m.reconsumeTimes)],
    ["Born Timestamp", formatTime(m.bornTimestamp)],
    ["Store Timestamp", formatTime(m.storeTimestamp)],
    ["Born Host", m.bornHost],
    ["Store Host", m.storeHost],
    ["System Flag", String(m.sysFlag)],
    ["Properties", JSON.stringify(m.properties)],
    ["Message ID", m.msgId],
    ["Offset Message ID", m.offsetMsgId],
    ["Message Body", messageBodyText(m.body)],
  ];
  return { json: Object.fromEntries(fields), table: [["Field", "Value"], ...fields] };
}

export const queryMsgById: AdminCommand = {
  name: "queryMsgById",
  readOnly: true,
  summary: "A message by its offsetMsgId (the id that names broker and commit-log offset)",
  usage: "-i OFFSET_MSG_ID",
  options: { msgId: { type: "string", short: "i", value: "MSG_ID", doc: "offsetMsgId" } },
  async run(admin, values) {
    const id = required(values, "msgId", "-i OFFSET_MSG_ID", "queryMsgById");
    const m = await viewMessage(admin, id);
    return describeMessage(m);
  },
};

/** QUERY_MESSAGE on every master serving the topic; the messages found. */
async function query(
  admin: AdminClient,
  topic: string,
  key: string,
  maxNum: number,
  unique: boolean,
): Promise<MessageExt[]> {
  const route = await admin.topicRoute(topic);
  const out: MessageExt[] = [];
  for (const b of route.brokerDatas) {
    const addr = b.brokerAddrs.get(0);
    if (!addr) continue;
    const ext: Record<string, string> = {
      topic,
      key,
      maxNum: String(maxNum),
      beginTimestamp: "0",
      endTimestamp: String(Number.MAX_SAFE_INTEGER),
    };
    if (unique) ext._UNIQUE_KEY_QUERY = "true";
    try {
      const res = await admin.call(addr, RequestCode.QUERY_MESSAGE, ext);
      out.push(...decodeMessages(res.body ?? new Uint8Array(0), b.brokerName));
    } catch (e) {
      if (!(e instanceof AdminError) || e.code !== ResponseCode.QUERY_NOT_FOUND) throw e;
    }
  }
  return out;
}

export const queryMsgByKey: AdminCommand = {
  name: "queryMsgByKey",
  readOnly: true,
  summary: "Messages of a topic with a key",
  usage: "-t TOPIC -k KEY [-c 64]",
  options: {
    topic: Flag.topic,
    key: { type: "string", short: "k", value: "KEY", doc: "Message key" },
    max: { type: "string", short: "c", value: "N", doc: "At most this many per broker (64)" },
  },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "queryMsgByKey");
    const key = required(values, "key", "-k KEY", "queryMsgByKey");
    const max = intFlag(values, "max", "-c", 64, 1, 65536);
    const found = (await query(admin, topic, key, max, false)).filter((m) => m.keys.includes(key));
    return {
      json: found.map((m) => ({
        msgId: m.msgId,
        offsetMsgId: m.offsetMsgId,
        brokerName: m.brokerName,
        queueId: m.queueId,
        queueOffset: m.queueOffset,
        storeTimestamp: m.storeTimestamp,
      })),
      table: [
        ["MsgId", "OffsetMsgId", "Broker", "QID", "Offset", "StoreTime"],
        ...found.map((m) => [
          m.msgId,
          m.offsetMsgId,
          m.brokerName,
          String(m.queueId),
          String(m.queueOffset),
          formatTime(m.storeTimestamp),
        ]),
      ],
    };
  },
};

export const queryMsgByUniqueKey: AdminCommand = {
  name: "queryMsgByUniqueKey",
  readOnly: true,
  summary: "A message by the id its producer gave it (UNIQ_KEY, what send results call msgId)",
  usage: "-t TOPIC -i MSG_ID",
  options: {
    topic: Flag.topic,
    msgId: { type: "string", short: "i", value: "MSG_ID", doc: "The producer's msgId" },
  },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "queryMsgByUniqueKey");
    const id = required(values, "msgId", "-i MSG_ID", "queryMsgByUniqueKey");
    const found = (await query(admin, topic, id, 32, true)).filter((m) => m.msgId === id);
    if (found.length === 0) {
      throw new AdminError(ResponseCode.QUERY_NOT_FOUND, `no message ${id} in ${topic}`);
    }
    return describeMessage(found[0]);
  },
};

export const sendMessage: AdminCommand = {
  name: "sendMessage",
  summary: "Send one message (a quick test that a topic takes writes)",
  usage: "-t TOPIC -p BODY [-k KEYS] [-c TAGS]",
  options: {
    topic: Flag.topic,
    body: { type: "string", short: "p", value: "BODY", doc: "Message body" },
    keys: { type: "string", short: "k", value: "KEYS", doc: "Keys, space-separated" },
    tags: { type: "string", short: "c", value: "TAGS", doc: "Tag" },
  },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "sendMessage");
    const body = required(values, "body", "-p BODY", "sendMessage");
    await using p = await adminProducer(admin);
    const keys = stringOption(values, "keys");
    const r = await p.send({
      topic,
      body,
      tags: stringOption(values, "tags"),
      keys: keys ? keys.split(/\s+/) : undefined,
    });
    const row = {
      broker: r.messageQueue.brokerName,
      queueId: r.messageQueue.queueId,
      status: r.sendStatus,
      msgId: r.msgId,
      offsetMsgId: r.offsetMsgId,
    };
    return {
      json: row,
      table: [
        ["Broker", "QID", "Status", "MsgId", "OffsetMsgId"],
        [row.broker, String(row.queueId), row.status, row.msgId, row.offsetMsgId ?? ""],
      ],
    };
  },
};

/** Properties the client library sets itself; a resent message gets its own. */
const SYSTEM_PROPERTIES: ReadonlySet<string> = new Set(Object.values(MessageConst));

export const resendMessage: AdminCommand = {
  name: "resendMessage",
  summary: "Send a stored message again (a dead letter back to its topic), by its offsetMsgId",
  usage: "-i OFFSET_MSG_ID [-t TOPIC]",
  options: {
    msgId: { type: "string", short: "i", value: "MSG_ID", doc: "offsetMsgId of the message" },
    topic: { ...Flag.topic, doc: "Send to this topic (default: the one it was first sent to)" },
  },
  async run(admin, values) {
    const id = required(values, "msgId", "-i OFFSET_MSG_ID", "resendMessage");
    const m = await viewMessage(admin, id);
    const target = stringOption(values, "topic") ?? m.properties[MessageConst.RETRY_TOPIC] ??
      (m.topic.startsWith("%") ? undefined : m.topic);
    if (!target) {
      throw new UsageError(
        `${id} is in ${m.topic} and names no topic to go back to: pass -t TOPIC`,
      );
    }
    await using p = await adminProducer(admin);
    const r = await p.send({
      topic: target,
      body: m.body,
      tags: m.tags,
      keys: m.keys.length > 0 ? m.keys : undefined,
      properties: Object.fromEntries(
        Object.entries(m.properties).filter(([k]) => !SYSTEM_PROPERTIES.has(k)),
      ),
    });
    return {
      json: {
        from: m.topic,
        to: target,
        status: r.sendStatus,
        msgId: r.msgId,
        offsetMsgId: r.offsetMsgId,
      },
      notes: [`resent ${id} from ${m.topic} to ${target}: ${r.sendStatus} ${r.offsetMsgId}`],
    };
  },
};
