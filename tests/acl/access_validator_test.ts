import assert from "node:assert/strict";
import { brokerAccess, namesrvAccess, validateAccess } from "../../src/acl/access_validator.ts";
import { AclError } from "../../src/acl/acl_error.ts";
import { compileAcl, parseAclFile } from "../../src/acl/acl_file.ts";
import { type Credentials, signRequest } from "../../src/acl/signature.ts";
import { encodeHeartbeatData } from "../../src/remoting/body/heartbeat_data.ts";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";

const rules = compileAcl(parseAclFile(`
globalWhiteRemoteAddresses: [10.9.9.*]
accounts:
- accessKey: producer1
  secretKey: secret-p1
  defaultTopicPerm: DENY
  defaultGroupPerm: SUB
  topicPerms: [orders=PUB, audit=DENY, shared=PUB|SUB]
  groupPerms: [blocked=DENY]
- accessKey: admin001
  secretKey: secret-a1
  admin: true
- accessKey: trusted1
  secretKey: secret-t1
  whiteRemoteAddress: 10.1.1.1
`));
const P1: Credentials = { accessKey: "producer1", secretKey: "secret-p1" };
const ADMIN: Credentials = { accessKey: "admin001", secretKey: "secret-a1" };

function send(topic: string, code: number = RequestCode.SEND_MESSAGE_V2): RemotingCommand {
  return createRequest(code, { a: "PID", b: topic, c: "TBW102", d: "4", e: "0" }, {
    body: new Uint8Array([1, 2, 3]),
  });
}

function check(req: RemotingCommand, creds?: Credentials, remote = "10.0.0.5:4000"): string {
  if (creds) signRequest(req, creds);
  try {
    validateAccess(rules, brokerAccess(req, remote));
    return "ok";
  } catch (e) {
    assert.ok(e instanceof AclError);
    return e.message;
  }
}

Deno.test("a signed send to a topic the account may publish to passes", () => {
  assert.equal(check(send("orders"), P1), "ok");
  assert.equal(check(send("shared"), P1), "ok");
});

Deno.test("refusals carry RocketMQ's messages", () => {
  assert.equal(check(send("orders")), "No accessKey is configured");
  assert.equal(
    check(send("orders"), { accessKey: "nobody1", secretKey: "x" }),
    "No acl config for nobody1",
  );
  assert.equal(
    check(send("orders"), { ...P1, secretKey: "wrong-secret" }),
    "Check signature failed for accessKey=producer1",
  );
  assert.equal(check(send("audit"), P1), "No default permission for topic:audit");
  assert.equal(check(send("other"), P1), "No default permission for topic:other");
  const create = createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: "x" });
  assert.equal(
    check(create, P1),
    "Need admin permission for request code=17, but accessKey=producer1 is not",
  );
  assert.equal(
    check(createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: "x" }), ADMIN),
    "ok",
  );
});

Deno.test("a request changed after signing fails the signature", () => {
  const req = send("orders");
  signRequest(req, P1);
  req.extFields.b = "shared";
  assert.equal(check(req), "Check signature failed for accessKey=producer1");
  const body = send("orders");
  signRequest(body, P1);
  body.body = new Uint8Array([9]);
  assert.equal(check(body), "Check signature failed for accessKey=producer1");
});

Deno.test("batches are checked like sends (RocketMQ 4.9 checks nothing)", () => {
  assert.equal(
    check(send("audit", RequestCode.SEND_BATCH_MESSAGE), P1),
    "No default permission for topic:audit",
  );
  assert.equal(check(send("orders", RequestCode.SEND_BATCH_MESSAGE), P1), "ok");
});

Deno.test("pulls need SUB on the topic and on the group", () => {
  const pull = (topic: string, group: string) =>
    createRequest(RequestCode.PULL_MESSAGE, { consumerGroup: group, topic, queueId: "0" });
  assert.equal(check(pull("shared", "g1"), P1), "ok");
  assert.equal(check(pull("orders", "g1"), P1), "No default permission for topic:orders");
  assert.equal(check(pull("shared", "blocked"), P1), "No default permission for group:blocked");
});

Deno.test("heartbeats name the groups and topics in their body", () => {
  const hb = (topic: string) =>
    createRequest(RequestCode.HEART_BEAT, {}, {
      body: encodeHeartbeatData({
        clientID: "c1",
        producerDataSet: [],
        consumerDataSet: [{
          groupName: "g1",
          consumeType: "CONSUME_PASSIVELY",
          messageModel: "CLUSTERING",
          consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
          subscriptionDataSet: [{
            topic,
            subString: "*",
            tagsSet: [],
            codeSet: [],
            subVersion: 1,
            expressionType: "TAG",
          }],
        }],
      }),
    });
  assert.equal(check(hb("shared"), P1), "ok");
  assert.equal(check(hb("audit"), P1), "No default permission for topic:audit");
});

Deno.test("white lists skip the ACL, but never a wrong signature of a known account", () => {
  assert.equal(check(send("audit"), undefined, "10.9.9.9:5000"), "ok");
  assert.equal(
    check(send("audit"), { ...P1, secretKey: "wrong-secret" }, "10.9.9.9:5000"),
    "Check signature failed for accessKey=producer1",
  );
  const trusted = send("anything");
  trusted.extFields.AccessKey = "trusted1";
  assert.equal(check(trusted, undefined, "10.1.1.1:5000"), "ok");
  assert.equal(
    check(send("anything"), { accessKey: "trusted1", secretKey: "nope-nope" }, "10.1.1.1:5000"),
    "Check signature failed for accessKey=trusted1",
  );
  assert.equal(
    check(send("anything"), { accessKey: "trusted1", secretKey: "secret-t1" }, "10.1.1.2:5000"),
    "No default permission for topic:anything",
  );
});

Deno.test("the name server guards only the codes that change cluster state, admin-only", () => {
  const route = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "t" });
  assert.equal(namesrvAccess(route, "10.0.0.5:1"), undefined);
  const reg = createRequest(RequestCode.REGISTER_BROKER, { brokerName: "b" });
  signRequest(reg, P1);
  assert.throws(
    () => validateAccess(rules, namesrvAccess(reg, "10.0.0.5:1")!),
    /Need admin permission for request code=103/,
  );
  const reg2 = createRequest(RequestCode.REGISTER_BROKER, { brokerName: "b" });
  signRequest(reg2, ADMIN);
  validateAccess(rules, namesrvAccess(reg2, "10.0.0.5:1")!);
});
