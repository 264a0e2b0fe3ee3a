/**
 * Consumer and producer groups: updateSubGroup, deleteSubGroup, consumerConnection,
 * consumerStatus, producerConnection, resetOffsetByTime (with --dry-run), skipAccumulatedMessage,
 * cloneGroupOffset.
 */
import { stringOption } from "../../cli/args.ts";
import { UsageError } from "../../common/errors.ts";
import {
  type ConsumerConnection,
  decodeConsumerConnection,
  decodeProducerConnection,
} from "../../remoting/body/connection.ts";
import { decodeResetOffsetBody } from "../../remoting/body/reset_offset_body.ts";
import { decodeConsumerRunningInfo } from "../../client/consumer/consumer_running_info.ts";
import {
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
} from "../../remoting/body/subscription_group_config.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { type AdminClient, AdminError } from "../admin_client.ts";
import type { AdminResult } from "../admin_output.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";
import { boolFlag, brokerTargets, intFlag, required, timeFlag } from "./options.ts";

export const updateSubGroup: AdminCommand = {
  name: "updateSubGroup",
  summary: "Create or change a consumer group's settings on a broker (-b) or a cluster (-c)",
  usage: "-g GROUP (-b BROKER_ADDR | -c CLUSTER) [-s true] [-m false] [-d true] [-q 1] [-r 16]",
  options: {
    group: Flag.group,
    broker: Flag.brokerAddr,
    cluster: Flag.cluster,
    "consume-enable": { type: "string", short: "s", value: "BOOL", doc: "consumeEnable (true)" },
    "from-min": { type: "string", short: "m", value: "BOOL", doc: "consumeFromMinEnable (false)" },
    broadcast: { type: "string", short: "d", value: "BOOL", doc: "consumeBroadcastEnable (true)" },
    "retry-queues": { type: "string", short: "q", value: "N", doc: "retryQueueNums (1)" },
    "retry-max": { type: "string", short: "r", value: "N", doc: "retryMaxTimes (16)" },
  },
  async run(admin, values) {
    const group = required(values, "group", "-g GROUP", "updateSubGroup");
    const c = defaultSubscriptionGroupConfig(group);
    const flag = (key: string, letter: string, def: boolean) =>
      stringOption(values, key) === undefined ? def : boolFlag(values, key, letter);
    c.consumeEnable = flag("consume-enable", "-s", c.consumeEnable);
    c.consumeFromMinEnable = flag("from-min", "-m", c.consumeFromMinEnable);
    c.consumeBroadcastEnable = flag("broadcast", "-d", c.consumeBroadcastEnable);
    c.retryQueueNums = intFlag(values, "retry-queues", "-q", c.retryQueueNums, 0, 1024);
    c.retryMaxTimes = intFlag(values, "retry-max", "-r", c.retryMaxTimes, -1, 1000);
    const addrs = await brokerTargets(admin, values, "updateSubGroup");
    for (const addr of addrs) {
      await admin.call(
        addr,
        RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
        {},
        encodeSubscriptionGroupConfig(c),
      );
    }
    return {
      json: { ...c, brokers: addrs },
      notes: addrs.map((a) => `create subscription group ${group} on ${a} success`),
    };
  },
};

export const deleteSubGroup: AdminCommand = {
  name: "deleteSubGroup",
  summary: "Delete a consumer group (and with -r true its offsets) from a broker or a cluster",
  usage: "-g GROUP (-b BROKER_ADDR | -c CLUSTER) [-r false]",
  options: {
    group: Flag.group,
    broker: Flag.brokerAddr,
    cluster: Flag.cluster,
    "remove-offset": { type: "string", short: "r", value: "BOOL", doc: "Remove its offsets too" },
  },
  async run(admin, values) {
    const group = required(values, "group", "-g GROUP", "deleteSubGroup");
    const removeOffset = boolFlag(values, "remove-offset", "-r");
    const addrs = await brokerTargets(admin, values, "deleteSubGroup");
    for (const addr of addrs) {
      await admin.call(addr, RequestCode.DELETE_SUBSCRIPTIONGROUP, {
        groupName: group,
        removeOffset: String(removeOffset),
      });
    }
    return {
      json: { group, removeOffset, brokers: addrs },
      notes: addrs.map((a) => `delete subscription group ${group} from ${a} success`),
    };
  },
};

/** The first master that knows the group's connected clients, and what it says of them. */
async function findConsumerConnection(
  admin: AdminClient,
  group: string,
): Promise<{ addr: string; connection: ConsumerConnection }> {
  let last: unknown;
  for (const [, addr] of await admin.masters()) {
    try {
      const res = await admin.call(addr, RequestCode.GET_CONSUMER_CONNECTION_LIST, {
        consumerGroup: group,
      });
      return { addr, connection: decodeConsumerConnection(res.body!) };
    } catch (e) {
      last = e;
    }
  }
  throw last ?? new Error(`no broker knows consumer group ${group}`);
}

export const consumerConnection: AdminCommand = {
  name: "consumerConnection",
  readOnly: true,
  summary: "A consumer group's connected clients and subscriptions",
  usage: "-g GROUP",
  options: { group: Flag.group },
  async run(admin, values) {
    const group = required(values, "group", "-g GROUP", "consumerConnection");
    const { connection: c } = await findConsumerConnection(admin, group);
    const rows = [["ClientId", "ClientAddr", "Language", "Version"]];
    for (const x of c.connectionSet) {
      rows.push([x.clientId, x.clientAddr, x.language, String(x.version)]);
    }
    const subs = [...c.subscriptionTable.values()].map((s) => `${s.topic}: ${s.subString}`);
    return {
      json: {
        group,
        connections: c.connectionSet,
        subscriptions: Object.fromEntries(
          [...c.subscriptionTable].map(([t, s]) => [t, s.subString]),
        ),
        consumeType: c.consumeType,
        messageModel: c.messageModel,
        consumeFromWhere: c.consumeFromWhere,
      },
      table: rows,
      notes: [
        `Subscriptions: ${subs.join(", ") || "-"}`,
        `ConsumeType: ${c.consumeType}, MessageModel: ${c.messageModel}, ConsumeFromWhere: ${c.consumeFromWhere}`,
      ],
    };
  },
};

export const producerConnection: AdminCommand = {
  name: "producerConnection",
  readOnly: true,
  summary: "A producer group's connected clients on the brokers of a topic",
  usage: "-g GROUP -t TOPIC",
  options: { group: Flag.group, topic: Flag.topic },
  async run(admin, values) {
    const group = required(values, "group", "-g GROUP", "producerConnection");
    const topic = required(values, "topic", "-t TOPIC", "producerConnection");
    const route = await admin.topicRoute(topic);
    const seen = new Map<
      string,
      { clientId: string; clientAddr: string; language: string; version: number }
    >();
    for (const b of route.brokerDatas) {
      const addr = b.brokerAddrs.get(0);
      if (!addr) continue;
      try {
        const res = await admin.call(addr, RequestCode.GET_PRODUCER_CONNECTION_LIST, {
          producerGroup: group,
        });
        for (const c of decodeProducerConnection(res.body!)) seen.set(c.clientId, c);
      } catch (e) {
        if (!(e instanceof AdminError)) throw e; // Not connected there.
      }
    }
    const list = [...seen.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
    return {
      json: list,
      table: [
        ["ClientId", "ClientAddr", "Language", "Version"],
        ...list.map((c) => [c.clientId, c.clientAddr, c.language, String(c.version)]),
      ],
    };
  },
};

/**
 * Moves a group's offsets on a topic to `timestamp` (-1: the end). Online groups are reset by
 * the broker, which tells their clients (INVOKE_BROKER_TO_RESET_OFFSET); offline ones get the
 * offsets committed directly, as mqadmin's fallback does.
 */
async function resetOffsets(
  admin: AdminClient,
  group: string,
  topic: string,
  timestamp: number,
  force: boolean,
  dryRun: boolean,
): Promise<AdminResult> {
  const route = await admin.topicRoute(topic);
  const rows = [["Broker", "QID", "Current", "New"]];
  const json: { brokerName: string; queueId: number; current: number; next: number }[] = [];
  for (const b of [...route.brokerDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1))) {
    const addr = b.brokerAddrs.get(0);
    const q = route.queueDatas.find((d) => d.brokerName === b.brokerName);
    if (!addr || !q) continue;
    const current = new Map<number, number>();
    try {
      for (const [mq, o] of (await admin.consumeStats(addr, group, topic)).offsetTable) {
        current.set(mq.queueId, o.consumerOffset);
      }
    } catch (e) {
      if (!(e instanceof AdminError)) throw e;
    }
    const planned = new Map<number, number>();
    for (let queueId = 0; queueId < q.writeQueueNums; queueId++) {
      const code = timestamp === -1
        ? RequestCode.GET_MAX_OFFSET
        : RequestCode.SEARCH_OFFSET_BY_TIMESTAMP;
      const ext: Record<string, string> = { topic, queueId: String(queueId) };
      if (timestamp !== -1) ext.timestamp = String(timestamp);
      const res = await admin.call(addr, code, ext);
      const target = Number(res.extFields.offset ?? 0);
      const now = current.get(queueId) ?? 0;
      planned.set(queueId, force || target < now ? target : now);
    }
    let applied = planned;
    if (!dryRun) {
      try {
        const res = await admin.call(addr, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
          topic,
          group,
          timestamp: String(timestamp),
          isForce: String(force),
        });
        applied = new Map(decodeResetOffsetBody(res.body!).map(([mq, o]) => [mq.queueId, o]));
      } catch (e) {
        if (!(e instanceof AdminError) || e.code !== ResponseCode.CONSUMER_NOT_ONLINE) throw e;
        for (const [queueId, offset] of planned) {
          await admin.call(addr, RequestCode.UPDATE_CONSUMER_OFFSET, {
            consumerGroup: group,
            topic,
            queueId: String(queueId),
            commitOffset: String(offset),
          });
        }
      }
    }
    for (const [queueId, next] of [...applied].sort((x, y) => x[0] - y[0])) {
      const cur = current.get(queueId) ?? 0;
      json.push({ brokerName: b.brokerName, queueId, current: cur, next });
      rows.push([b.brokerName, String(queueId), String(cur), String(next)]);
    }
  }
  return {
    json: { group, topic, timestamp, dryRun, queues: json },
    table: rows,
    notes: [
      dryRun ? "Dry run: nothing was changed." : `reset offsets of ${group} on ${topic} success`,
    ],
  };
}

export const resetOffsetByTime: AdminCommand = {
  name: "resetOffsetByTime",
  summary: "Move a group's offsets on a topic to a time (--dry-run shows them first)",
  usage: "-g GROUP -t TOPIC -s TIME [-f true] [--dry-run]",
  options: {
    group: Flag.group,
    topic: Flag.topic,
    timestamp: { type: "string", short: "s", value: "TIME", doc: "ms, an ISO date, or now" },
    force: { type: "string", short: "f", value: "BOOL", doc: "Also move offsets forward (true)" },
    "dry-run": { type: "boolean", doc: "Show the offsets it would set; change nothing" },
  },
  run(admin, values) {
    const group = required(values, "group", "-g GROUP", "resetOffsetByTime");
    const topic = required(values, "topic", "-t TOPIC", "resetOffsetByTime");
    const t = timeFlag(values, "timestamp", "-s TIME");
    if (t === undefined) throw new UsageError("resetOffsetByTime needs -s TIME");
    const force = stringOption(values, "force") === undefined || boolFlag(values, "force", "-f");
    return resetOffsets(admin, group, topic, t, force, values["dry-run"] === true);
  },
};

export const skipAccumulatedMessage: AdminCommand = {
  name: "skipAccumulatedMessage",
  summary: "Move a group's offsets on a topic to the end (skip the backlog)",
  usage: "-g GROUP -t TOPIC [--dry-run]",
  options: {
    group: Flag.group,
    topic: Flag.topic,
    "dry-run": { type: "boolean", doc: "Show the offsets it would set; change nothing" },
  },
  run(admin, values) {
    const group = required(values, "group", "-g GROUP", "skipAccumulatedMessage");
    const topic = required(values, "topic", "-t TOPIC", "skipAccumulatedMessage");
    return resetOffsets(admin, group, topic, -1, true, values["dry-run"] === true);
  },
};

export const cloneGroupOffset: AdminCommand = {
  name: "cloneGroupOffset",
  summary: "Copy a group's offsets on a topic to another group",
  usage: "-s SRC_GROUP -d DEST_GROUP -t TOPIC",
  options: {
    src: { type: "string", short: "s", value: "GROUP", doc: "Group to copy from" },
    dest: { type: "string", short: "d", value: "GROUP", doc: "Group to copy to" },
    topic: Flag.topic,
  },
  async run(admin, values) {
    const src = required(values, "src", "-s SRC_GROUP", "cloneGroupOffset");
    const dest = required(values, "dest", "-d DEST_GROUP", "cloneGroupOffset");
    const topic = required(values, "topic", "-t TOPIC", "cloneGroupOffset");
    const route = await admin.topicRoute(topic);
    const addrs = route.brokerDatas.map((b) => b.brokerAddrs.get(0)).filter((a): a is string =>
      !!a
    );
    for (const addr of addrs) {
      await admin.call(addr, RequestCode.CLONE_GROUP_OFFSET, {
        srcGroup: src,
        destGroup: dest,
        topic,
        offline: "false",
      });
    }
    return {
      json: { src, dest, topic, brokers: addrs },
      notes: [`clone group offset from ${src} to ${dest} on ${topic} success`],
    };
  },
};

export const consumerStatus: AdminCommand = {
  name: "consumerStatus",
  readOnly: true,
  summary: "What each client of a group reports about itself (GET_CONSUMER_RUNNING_INFO)",
  usage: "-g GROUP [-i CLIENT_ID]",
  options: {
    group: Flag.group,
    clientId: { type: "string", short: "i", value: "CLIENT_ID", doc: "Only this client" },
  },
  async run(admin, values) {
    const group = required(values, "group", "-g GROUP", "consumerStatus");
    const only = stringOption(values, "clientId");
    // The broker that knows the group's connections forwards the question to each client.
    const { addr, connection } = await findConsumerConnection(admin, group);
    const all = connection.connectionSet.map((c) => c.clientId);
    const clients = only === undefined ? all : all.filter((c) => c === only);
    if (clients.length === 0) throw new UsageError(`${only} is not a client of ${group}`);
    const rows = [["ClientId", "Version", "Model", "Queues", "Cached", "PullTPS", "ConsumeOKTPS"]];
    const json: unknown[] = [];
    for (const clientId of clients.sort()) {
      const res = await admin.call(addr, RequestCode.GET_CONSUMER_RUNNING_INFO, {
        consumerGroup: group,
        clientId,
        jstackEnable: "false",
      });
      const info = decodeConsumerRunningInfo(res.body!);
      const cached = info.mqTable.reduce((n, [, q]) => n + q.cachedMsgCount, 0);
      const status = Object.values(info.statusTable);
      const sum = (k: "pullTPS" | "consumeOKTPS") => status.reduce((n, s) => n + s[k], 0);
      json.push({
        clientId,
        properties: info.properties,
        subscriptions: info.subscriptionSet.map((s) => ({
          topic: s.topic,
          expression: s.subString,
        })),
        queues: info.mqTable.map(([mq, q]) => ({ ...mq, ...q })),
        status: info.statusTable,
      });
      rows.push([
        clientId,
        info.properties.PROP_CLIENT_VERSION ?? "-",
        info.properties.PROP_CONSUMEORDERLY === "true" ? "orderly" : "concurrently",
        String(info.mqTable.length),
        String(cached),
        sum("pullTPS").toFixed(2),
        sum("consumeOKTPS").toFixed(2),
      ]);
    }
    return { json, table: rows };
  },
};
