import assert from "node:assert/strict";
import {
  decodeAclConfigBody,
  encodeAclConfigBody,
} from "../../../src/remoting/body/acl_config_body.ts";

/** What a 4.8 broker answers GET_BROKER_CLUSTER_ACL_CONFIG with (fastjson, keys sorted). */
const GOLDEN = '{"globalWhiteAddrs":["10.10.103.*"],"plainAccessConfigs":[' +
  '{"accessKey":"RocketMQ","admin":false,"defaultGroupPerm":"SUB","defaultTopicPerm":"DENY",' +
  '"groupPerms":["groupA=DENY"],"secretKey":"12345678","topicPerms":["topicA=DENY","topicB=PUB|SUB"]},' +
  '{"accessKey":"rocketmq2","admin":true,"groupPerms":[],"secretKey":"12345678","topicPerms":[],' +
  '"whiteRemoteAddress":"192.168.1.*"}]}';

const BODY = {
  globalWhiteAddrs: ["10.10.103.*"],
  plainAccessConfigs: [
    {
      accessKey: "RocketMQ",
      secretKey: "12345678",
      admin: false,
      defaultTopicPerm: "DENY",
      defaultGroupPerm: "SUB",
      topicPerms: ["topicA=DENY", "topicB=PUB|SUB"],
      groupPerms: ["groupA=DENY"],
    },
    {
      accessKey: "rocketmq2",
      secretKey: "12345678",
      whiteRemoteAddress: "192.168.1.*",
      admin: true,
      topicPerms: [],
      groupPerms: [],
    },
  ],
};

Deno.test("GetBrokerClusterAclConfigResponseBody: golden bytes both ways", () => {
  assert.equal(new TextDecoder().decode(encodeAclConfigBody(BODY)), GOLDEN);
  assert.deepEqual(decodeAclConfigBody(new TextEncoder().encode(GOLDEN)), BODY);
});
