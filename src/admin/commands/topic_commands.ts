/** topicList, topicRoute, topicStatus, updateTopic, deleteTopic. */
import { UsageError } from "../../common/errors.ts";
import { formatTime } from "../admin_output.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";
import { boolFlag, brokerTargets, intFlag, required } from "./options.ts";

export const topicList: AdminCommand = {
  name: "topicList",
  readOnly: true,
  summary: "Every topic the name server knows",
  usage: "",
  options: {},
  async run(admin) {
    const topics = await admin.topicList();
    return { json: topics, table: [["Topic"], ...topics.map((t) => [t])] };
  },
};

export const topicRoute: AdminCommand = {
  name: "topicRoute",
  readOnly: true,
  summary: "Where a topic's queues are, and on which brokers",
  usage: "-t TOPIC",
  options: { topic: Flag.topic },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "topicRoute");
    const route = await admin.topicRoute(topic);
    const rows: string[][] = [["Broker", "BID", "Addr", "ReadQueues", "WriteQueues", "Perm"]];
    const json = {
      brokerDatas: route.brokerDatas.map((b) => ({
        cluster: b.cluster,
        brokerName: b.brokerName,
        brokerAddrs: Object.fromEntries(b.brokerAddrs),
      })),
      queueDatas: route.queueDatas,
    };
    for (const b of [...route.brokerDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1))) {
      const q = route.queueDatas.find((d) => d.brokerName === b.brokerName);
      for (const [id, addr] of [...b.brokerAddrs].sort((x, y) => x[0] - y[0])) {
        rows.push([
          b.brokerName,
          String(id),
          addr,
          String(q?.readQueueNums ?? "-"),
          String(q?.writeQueueNums ?? "-"),
          String(q?.perm ?? "-"),
        ]);
      }
    }
    return { json, table: rows };
  },
};

export const topicStatus: AdminCommand = {
  name: "topicStatus",
  readOnly: true,
  summary: "Each queue of a topic: its min and max offset and last write",
  usage: "-t TOPIC",
  options: { topic: Flag.topic },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "topicStatus");
    const route = await admin.topicRoute(topic);
    const rows: string[][] = [["Broker", "QID", "MinOffset", "MaxOffset", "LastUpdated"]];
    const json: unknown[] = [];
    let total = 0;
    for (const b of [...route.brokerDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1))) {
      const addr = b.brokerAddrs.get(0);
      if (!addr) continue;
      const stats = await admin.topicStats(addr, topic);
      for (const [mq, o] of stats) {
        total += o.maxOffset - o.minOffset;
        json.push({ brokerName: mq.brokerName, queueId: mq.queueId, ...o });
        rows.push([
          mq.brokerName,
          String(mq.queueId),
          String(o.minOffset),
          String(o.maxOffset),
          formatTime(o.lastUpdateTimestamp),
        ]);
      }
    }
    return { json, table: rows, notes: [`Messages kept: ${total}`] };
  },
};

export const updateTopic: AdminCommand = {
  name: "updateTopic",
  summary: "Create or change a topic on a broker (-b) or every master of a cluster (-c)",
  usage: "-t TOPIC (-b BROKER_ADDR | -c CLUSTER) [-r 8] [-w 8] [-p 6] [-o false]",
  options: {
    topic: Flag.topic,
    broker: Flag.brokerAddr,
    cluster: Flag.cluster,
    "read-queues": { type: "string", short: "r", value: "N", doc: "Read queues (8)" },
    "write-queues": { type: "string", short: "w", value: "N", doc: "Write queues (8)" },
    perm: { type: "string", short: "p", value: "PERM", doc: "2 write, 4 read, 6 both (6)" },
    order: { type: "string", short: "o", value: "BOOL", doc: "Ordered topic (false)" },
  },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "updateTopic");
    const spec = {
      topic,
      readQueueNums: intFlag(values, "read-queues", "-r", 8, 1, 1024),
      writeQueueNums: intFlag(values, "write-queues", "-w", 8, 1, 1024),
      perm: intFlag(values, "perm", "-p", 6, 0, 7),
      order: boolFlag(values, "order", "-o"),
    };
    const addrs = await brokerTargets(admin, values, "updateTopic");
    for (const addr of addrs) await admin.createTopic(addr, spec);
    return {
      json: { ...spec, brokers: addrs },
      notes: addrs.map((a) => `create topic ${topic} on ${a} success`),
    };
  },
};

export const deleteTopic: AdminCommand = {
  name: "deleteTopic",
  summary: "Delete a topic from every master of a cluster and from the name servers",
  usage: "-t TOPIC -c CLUSTER",
  options: { topic: Flag.topic, cluster: Flag.cluster },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "deleteTopic");
    const cluster = required(values, "cluster", "-c CLUSTER", "deleteTopic");
    const addrs = [...(await admin.masters(cluster)).values()];
    for (const addr of addrs) await admin.deleteTopicInBroker(addr, topic);
    await admin.deleteTopicInNamesrvs(topic);
    return {
      json: { topic, cluster, brokers: addrs },
      notes: [`delete topic ${topic} from cluster ${cluster} success`],
    };
  },
};

export const updateTopicPerm: AdminCommand = {
  name: "updateTopicPerm",
  summary: "Change a topic's permission on a broker (-b) or every master of a cluster (-c)",
  usage: "-t TOPIC (-b BROKER_ADDR | -c CLUSTER) -p PERM",
  options: {
    topic: Flag.topic,
    broker: Flag.brokerAddr,
    cluster: Flag.cluster,
    perm: { type: "string", short: "p", value: "PERM", doc: "2 write, 4 read, 6 both" },
  },
  async run(admin, values) {
    const topic = required(values, "topic", "-t TOPIC", "updateTopicPerm");
    const perm = intFlag(values, "perm", "-p", -1, 0, 7);
    if (perm < 0) throw new UsageError("updateTopicPerm needs -p PERM");
    const route = await admin.topicRoute(topic);
    const wanted = await brokerTargets(admin, values, "updateTopicPerm");
    const done: string[] = [];
    for (const b of route.brokerDatas) {
      const addr = b.brokerAddrs.get(0);
      const q = route.queueDatas.find((d) => d.brokerName === b.brokerName);
      if (!addr || !q || !wanted.includes(addr)) continue;
      await admin.createTopic(addr, {
        topic,
        readQueueNums: q.readQueueNums,
        writeQueueNums: q.writeQueueNums,
        perm,
        order: false,
      });
      done.push(addr);
    }
    if (done.length === 0) throw new UsageError(`${topic} is not on ${wanted.join(", ")}`);
    return {
      json: { topic, perm, brokers: done },
      notes: done.map((a) => `update topic ${topic} perm to ${perm} on ${a} success`),
    };
  },
};
