/**
 * GetBrokerClusterAclConfigResponseBody (GET_BROKER_CLUSTER_ACL_CONFIG, code 54): a broker's
 * whole ACL, secret keys included (so only admin accounts may ask for it).
 *
 *   {"globalWhiteAddrs":["10.10.103.*"],
 *    "plainAccessConfigs":[{"accessKey":"RocketMQ","admin":false,"defaultGroupPerm":"SUB",
 *      "defaultTopicPerm":"DENY","groupPerms":["groupA=DENY"],"secretKey":"12345678",
 *      "topicPerms":["topicA=DENY"],"whiteRemoteAddress":"192.168.1.*"}]}
 *
 * Absent optional fields are left out, as fastjson leaves out nulls.
 */
import {
  asArray,
  asBoolean,
  asObject,
  asString,
  type JsonObject,
  type JsonValue,
} from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";

/** One account (RocketMQ's PlainAccessConfig). */
export interface PlainAccessConfig {
  accessKey: string;
  secretKey: string;
  whiteRemoteAddress?: string;
  admin: boolean;
  defaultTopicPerm?: string;
  defaultGroupPerm?: string;
  topicPerms: string[];
  groupPerms: string[];
}

export interface AclConfigBody {
  globalWhiteAddrs: string[];
  plainAccessConfigs: PlainAccessConfig[];
}

export function encodeAclConfigBody(b: AclConfigBody): Uint8Array {
  return encodeJsonBody({
    globalWhiteAddrs: b.globalWhiteAddrs,
    plainAccessConfigs: b.plainAccessConfigs.map((a) => {
      const o: JsonObject = {
        accessKey: a.accessKey,
        admin: a.admin,
        groupPerms: a.groupPerms,
        secretKey: a.secretKey,
        topicPerms: a.topicPerms,
      };
      if (a.defaultGroupPerm !== undefined) o.defaultGroupPerm = a.defaultGroupPerm;
      if (a.defaultTopicPerm !== undefined) o.defaultTopicPerm = a.defaultTopicPerm;
      if (a.whiteRemoteAddress !== undefined) o.whiteRemoteAddress = a.whiteRemoteAddress;
      return o;
    }),
  });
}

export function decodeAclConfigBody(body: Uint8Array): AclConfigBody {
  const o = asObject(decodeJsonBody(body, "GetBrokerClusterAclConfigResponseBody"));
  const strings = (v: JsonValue | undefined) =>
    asArray(v).map((s) => asString(s)).filter((s): s is string => s !== undefined);
  return {
    globalWhiteAddrs: strings(o.globalWhiteAddrs),
    plainAccessConfigs: asArray(o.plainAccessConfigs).map((v) => {
      const a = asObject(v);
      const c: PlainAccessConfig = {
        accessKey: asString(a.accessKey) ?? "",
        secretKey: asString(a.secretKey) ?? "",
        admin: asBoolean(a.admin) ?? false,
        topicPerms: strings(a.topicPerms),
        groupPerms: strings(a.groupPerms),
      };
      const white = asString(a.whiteRemoteAddress);
      if (white !== undefined) c.whiteRemoteAddress = white;
      const dt = asString(a.defaultTopicPerm);
      if (dt !== undefined) c.defaultTopicPerm = dt;
      const dg = asString(a.defaultGroupPerm);
      if (dg !== undefined) c.defaultGroupPerm = dg;
      return c;
    }),
  };
}
