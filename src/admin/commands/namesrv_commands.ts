/** Name-server state: updateKvConfig, deleteKvConfig, wipeWritePerm, addWritePerm. */
import { RequestCode } from "../../remoting/request_code.ts";
import type { AdminCommand } from "./admin_command.ts";
import { required } from "./options.ts";

const namespace = { type: "string", short: "s", value: "NAMESPACE", doc: "KV namespace" } as const;
const key = { type: "string", short: "k", value: "KEY", doc: "Key" } as const;

export const updateKvConfig: AdminCommand = {
  name: "updateKvConfig",
  summary: "Set a name-server KV config entry (e.g. ORDER_TOPIC_CONFIG)",
  usage: "-s NAMESPACE -k KEY -v VALUE",
  options: {
    namespace,
    key,
    value: { type: "string", short: "v", value: "VALUE", doc: "Value" },
  },
  async run(admin, values) {
    const ns = required(values, "namespace", "-s NAMESPACE", "updateKvConfig");
    const k = required(values, "key", "-k KEY", "updateKvConfig");
    const v = required(values, "value", "-v VALUE", "updateKvConfig");
    await admin.everyNamesrv(RequestCode.PUT_KV_CONFIG, { namespace: ns, key: k, value: v });
    return { json: { namespace: ns, key: k, value: v }, notes: ["update kv config success"] };
  },
};

export const deleteKvConfig: AdminCommand = {
  name: "deleteKvConfig",
  summary: "Delete a name-server KV config entry",
  usage: "-s NAMESPACE -k KEY",
  options: { namespace, key },
  async run(admin, values) {
    const ns = required(values, "namespace", "-s NAMESPACE", "deleteKvConfig");
    const k = required(values, "key", "-k KEY", "deleteKvConfig");
    await admin.everyNamesrv(RequestCode.DELETE_KV_CONFIG, { namespace: ns, key: k });
    return { json: { namespace: ns, key: k }, notes: ["delete kv config success"] };
  },
};

const brokerName = {
  type: "string",
  short: "b",
  value: "BROKER_NAME",
  doc: "Broker name (not address)",
} as const;

function permCommand(name: string, code: number, countKey: string, verb: string): AdminCommand {
  return {
    name,
    summary: `${verb} the write permission of a broker's topics on every name server`,
    usage: "-b BROKER_NAME",
    options: { brokerName },
    async run(admin, values) {
      const b = required(values, "brokerName", "-b BROKER_NAME", name);
      const answers = await admin.everyNamesrv(code, { brokerName: b });
      const counts = answers.map(([addr, res]) => ({
        namesrv: addr,
        topics: Number(res.extFields[countKey] ?? 0),
      }));
      return {
        json: { brokerName: b, namesrvs: counts },
        table: [["NameServer", "Topics"], ...counts.map((c) => [c.namesrv, String(c.topics)])],
      };
    },
  };
}

export const wipeWritePerm = permCommand(
  "wipeWritePerm",
  RequestCode.WIPE_WRITE_PERM_OF_BROKER,
  "wipeTopicCount",
  "Wipe",
);
export const addWritePerm = permCommand(
  "addWritePerm",
  RequestCode.ADD_WRITE_PERM_OF_BROKER,
  "addTopicCount",
  "Restore",
);
