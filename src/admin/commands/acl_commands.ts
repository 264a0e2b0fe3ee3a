/**
 * The ACL 1.0 admin commands, as mqadmin names them: updateAclConfig, deleteAccessConfig,
 * updateGlobalWhiteAddr, clusterAclConfigVersion, getAccessConfigSubCommand (codes 50–54).
 * They need an admin account: --access-key/--secret-key or RMQ_ACCESS_KEY/RMQ_SECRET_KEY.
 */
import { stringOption } from "../../cli/args.ts";
import { asNumber, asObject, parseFastJson } from "../../common/fastjson.ts";
import { decodeAclConfigBody } from "../../remoting/body/acl_config_body.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { formatTime } from "../admin_output.ts";
import { type AdminCommand, Flag } from "./admin_command.ts";
import { brokerTargets, required } from "./options.ts";

const where = { broker: Flag.brokerAddr, cluster: Flag.cluster };

export const updateAclConfig: AdminCommand = {
  name: "updateAclConfig",
  summary: "Create or update an ACL account on a broker (-b) or every master of a cluster (-c)",
  usage: "(-b ADDR | -c CLUSTER) -a ACCESS_KEY [-s SECRET] [-w ADDRS] [-i PERM] [-u PERM] " +
    "[-t TOPIC=PERM,…] [-g GROUP=PERM,…] [-m BOOL]",
  options: {
    ...where,
    accessKey: { type: "string", short: "a", value: "KEY", doc: "accessKey" },
    secretKey: { type: "string", short: "s", value: "SECRET", doc: "secretKey" },
    white: { type: "string", short: "w", value: "ADDRS", doc: "whiteRemoteAddress" },
    defaultTopicPerm: { type: "string", short: "i", value: "PERM", doc: "defaultTopicPerm" },
    defaultGroupPerm: { type: "string", short: "u", value: "PERM", doc: "defaultGroupPerm" },
    topicPerms: { type: "string", short: "t", value: "LIST", doc: "topicA=PUB,topicB=SUB" },
    groupPerms: { type: "string", short: "g", value: "LIST", doc: "groupA=SUB,groupB=DENY" },
    admin: { type: "string", short: "m", value: "BOOL", doc: "admin account" },
  },
  async run(admin, values) {
    const ext: Record<string, string> = {
      accessKey: required(values, "accessKey", "-a ACCESS_KEY", "updateAclConfig"),
    };
    const map: [string, string][] = [
      ["secretKey", "secretKey"],
      ["white", "whiteRemoteAddress"],
      ["defaultTopicPerm", "defaultTopicPerm"],
      ["defaultGroupPerm", "defaultGroupPerm"],
      ["topicPerms", "topicPerms"],
      ["groupPerms", "groupPerms"],
      ["admin", "admin"],
    ];
    for (const [flag, field] of map) {
      const v = stringOption(values, flag);
      if (v !== undefined) ext[field] = v;
    }
    const addrs = await brokerTargets(admin, values, "updateAclConfig");
    for (const addr of addrs) await admin.call(addr, RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, ext);
    return {
      json: { ...ext, brokers: addrs },
      notes: addrs.map((a) => `create or update plain access config to ${a} success`),
    };
  },
};

export const deleteAccessConfig: AdminCommand = {
  name: "deleteAccessConfig",
  summary: "Delete an ACL account",
  usage: "(-b ADDR | -c CLUSTER) -a ACCESS_KEY",
  options: { ...where, accessKey: { type: "string", short: "a", value: "KEY", doc: "accessKey" } },
  async run(admin, values) {
    const accessKey = required(values, "accessKey", "-a ACCESS_KEY", "deleteAccessConfig");
    const addrs = await brokerTargets(admin, values, "deleteAccessConfig");
    for (const addr of addrs) await admin.call(addr, RequestCode.DELETE_ACL_CONFIG, { accessKey });
    return {
      json: { accessKey, brokers: addrs },
      notes: addrs.map((a) => `delete plain access config account to ${a} success`),
    };
  },
};

export const updateGlobalWhiteAddr: AdminCommand = {
  name: "updateGlobalWhiteAddr",
  summary: "Replace the ACL's global white list of addresses",
  usage: "(-b ADDR | -c CLUSTER) -g ADDRS",
  options: {
    ...where,
    addrs: { type: "string", short: "g", value: "ADDRS", doc: "10.0.1.*,192.168.0.*" },
  },
  async run(admin, values) {
    const addrs = required(values, "addrs", "-g ADDRS", "updateGlobalWhiteAddr");
    const brokers = await brokerTargets(admin, values, "updateGlobalWhiteAddr");
    for (const b of brokers) {
      await admin.call(b, RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, {
        globalWhiteAddrs: addrs,
      });
    }
    return {
      json: { globalWhiteAddrs: addrs.split(","), brokers },
      notes: brokers.map((b) => `update global white remote addresses to ${b} success`),
    };
  },
};

export const clusterAclConfigVersion: AdminCommand = {
  name: "clusterAclConfigVersion",
  readOnly: true,
  summary: "Each broker's ACL file version",
  usage: "-b ADDR | -c CLUSTER",
  options: where,
  async run(admin, values) {
    const rows = [["Cluster", "Broker", "Addr", "Version", "LastUpdated"]];
    const json: unknown[] = [];
    for (const addr of await brokerTargets(admin, values, "clusterAclConfigVersion")) {
      const h = (await admin.call(addr, RequestCode.GET_BROKER_CLUSTER_ACL_INFO)).extFields;
      const v = asObject(parseFastJson(h.version ?? "{}"));
      const counter = asNumber(v.counter) ?? 0;
      const timestamp = asNumber(v.timestamp) ?? 0;
      json.push({
        clusterName: h.clusterName,
        brokerName: h.brokerName,
        brokerAddr: addr,
        counter,
        timestamp,
      });
      rows.push([
        h.clusterName ?? "",
        h.brokerName ?? "",
        addr,
        String(counter),
        formatTime(timestamp),
      ]);
    }
    return { json, table: rows };
  },
};

export const getAccessConfigSubCommand: AdminCommand = {
  name: "getAccessConfigSubCommand",
  summary: "Each broker's ACL accounts and global white list (secrets included: admins only)",
  usage: "-b ADDR | -c CLUSTER",
  options: where,
  async run(admin, values) {
    const json: Record<string, unknown> = {};
    const rows = [[
      "Broker",
      "AccessKey",
      "Admin",
      "DefaultTopic",
      "DefaultGroup",
      "TopicPerms",
      "GroupPerms",
      "White",
    ]];
    const notes: string[] = [];
    for (const addr of await brokerTargets(admin, values, "getAccessConfigSubCommand")) {
      const c = decodeAclConfigBody(
        (await admin.call(addr, RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG)).body!,
      );
      json[addr] = c;
      notes.push(`${addr} globalWhiteRemoteAddresses: ${c.globalWhiteAddrs.join(",") || "-"}`);
      for (const a of c.plainAccessConfigs) {
        rows.push([
          addr,
          a.accessKey,
          String(a.admin),
          a.defaultTopicPerm ?? "-",
          a.defaultGroupPerm ?? "-",
          a.topicPerms.join(",") || "-",
          a.groupPerms.join(",") || "-",
          a.whiteRemoteAddress ?? "-",
        ]);
      }
    }
    return { json, table: rows, notes };
  },
};
