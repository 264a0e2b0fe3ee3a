/** clusterList, brokerStatus, getBrokerConfig. */
import { stringOption } from "../../cli/args.ts";
import { UsageError } from "../../common/errors.ts";
import { encodeProperties } from "../../remoting/body/properties_body.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";
import { brokerTargets, required } from "./options.ts";

/** The first of Java's "10s 1min 10min" rates. */
function rate(text: string | undefined): string {
  const first = text?.trim().split(/\s+/)[0];
  return first === undefined || first === "" ? "-" : Number(first).toFixed(2);
}

export const clusterList: AdminCommand = {
  name: "clusterList",
  readOnly: true,
  summary: "Brokers of every cluster (or -c CLUSTER) with their rates",
  usage: "[-c CLUSTER]",
  options: { cluster: Flag.cluster },
  async run(admin, values) {
    const info = await admin.clusterInfo();
    const only = stringOption(values, "cluster");
    const rows: string[][] = [[
      "Cluster",
      "Broker",
      "BID",
      "Addr",
      "Version",
      "InTPS",
      "OutTPS",
      "Disk",
    ]];
    const json: unknown[] = [];
    for (const [cluster, names] of [...info.clusterAddrTable].sort()) {
      if (only !== undefined && cluster !== only) continue;
      for (const name of [...names].sort()) {
        const bd = info.brokerAddrTable.get(name);
        for (const [id, addr] of [...(bd?.brokerAddrs ?? [])].sort((a, b) => a[0] - b[0])) {
          let rt = new Map<string, string>();
          try {
            rt = await admin.brokerRuntime(addr);
          } catch {
            // Unreachable or refusing: listed without figures.
          }
          const row = {
            cluster,
            broker: name,
            brokerId: id,
            addr,
            version: rt.get("brokerVersionDesc") ?? "-",
            inTps: rate(rt.get("putTps")),
            outTps: rate(rt.get("getTransferedTps")),
            commitLogDiskRatio: rt.has("commitLogDiskRatio")
              ? Number(rt.get("commitLogDiskRatio")).toFixed(4)
              : "-",
          };
          json.push(row);
          rows.push([
            cluster,
            name,
            String(id),
            addr,
            row.version,
            row.inTps,
            row.outTps,
            row.commitLogDiskRatio,
          ]);
        }
      }
    }
    if (only !== undefined && json.length === 0) throw new UsageError(`no cluster named ${only}`);
    return { json, table: rows };
  },
};

export const brokerStatus: AdminCommand = {
  name: "brokerStatus",
  readOnly: true,
  summary: "A broker's runtime figures (GET_BROKER_RUNTIME_INFO)",
  usage: "-b BROKER_ADDR",
  options: { broker: Flag.brokerAddr },
  async run(admin, values) {
    const addr = required(values, "broker", "-b BROKER_ADDR", "brokerStatus");
    const rt = await admin.brokerRuntime(addr);
    const entries = [...rt].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return { json: Object.fromEntries(entries), table: [["Key", "Value"], ...entries] };
  },
};

export const getBrokerConfig: AdminCommand = {
  name: "getBrokerConfig",
  readOnly: true,
  summary: "A broker's configuration (-b), or every master's of a cluster (-c)",
  usage: "-b BROKER_ADDR | -c CLUSTER",
  options: { broker: Flag.brokerAddr, cluster: Flag.cluster },
  async run(admin, values) {
    const addrs = await brokerTargets(admin, values, "getBrokerConfig");
    const json: Record<string, Record<string, string>> = {};
    const rows: string[][] = [["Broker", "Key", "Value"]];
    for (const addr of addrs) {
      const config = [...(await admin.brokerConfig(addr))].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      json[addr] = Object.fromEntries(config);
      for (const [k, v] of config) rows.push([addr, k, v]);
    }
    return { json, table: rows };
  },
};

export const updateBrokerConfig: AdminCommand = {
  name: "updateBrokerConfig",
  summary: "Change a setting of a broker (-b) or every master of a cluster (-c), while it runs",
  usage: "(-b BROKER_ADDR | -c CLUSTER) -k KEY -v VALUE",
  options: {
    broker: Flag.brokerAddr,
    cluster: Flag.cluster,
    key: { type: "string", short: "k", value: "KEY", doc: "Config key" },
    value: { type: "string", short: "v", value: "VALUE", doc: "New value" },
  },
  async run(admin, values) {
    const key = required(values, "key", "-k KEY", "updateBrokerConfig");
    const value = required(values, "value", "-v VALUE", "updateBrokerConfig");
    const addrs = await brokerTargets(admin, values, "updateBrokerConfig");
    for (const addr of addrs) {
      await admin.call(
        addr,
        RequestCode.UPDATE_BROKER_CONFIG,
        {},
        encodeProperties([[key, value]]),
      );
    }
    return {
      json: { key, value, brokers: addrs },
      notes: addrs.map((a) => `update broker config ${key}=${value} on ${a} success`),
    };
  },
};
