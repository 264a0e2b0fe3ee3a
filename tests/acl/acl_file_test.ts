import assert from "node:assert/strict";
import { AclError } from "../../src/acl/acl_error.ts";
import { compileAcl, parseAclFile, renderAclFile } from "../../src/acl/acl_file.ts";
import { Perm, retryTopicOf } from "../../src/acl/permission.ts";
import { DISTRIBUTION_ACL } from "./acl_fixtures.ts";

Deno.test("RocketMQ's sample plain_acl.yml reads as RocketMQ reads it", () => {
  const file = parseAclFile(DISTRIBUTION_ACL);
  assert.deepEqual(file.globalWhiteRemoteAddresses, ["10.10.103.*", "192.168.0.*"]);
  assert.equal(file.accounts.length, 2);
  // A number-looking secret stays the text it is.
  assert.equal(file.accounts[0].secretKey, "12345678");
  assert.equal(file.accounts[0].whiteRemoteAddress, undefined);
  assert.equal(file.accounts[1].admin, true);
  const rules = compileAcl(file);
  const a = rules.accounts.get("RocketMQ")!;
  assert.equal(a.defaultTopicPerm, Perm.DENY);
  assert.equal(a.defaultGroupPerm, Perm.SUB);
  assert.equal(a.perms.get("topicB"), Perm.PUB | Perm.SUB);
  assert.equal(a.perms.get(retryTopicOf("groupA")), Perm.DENY);
  assert.ok(rules.accounts.get("rocketmq2")!.white("192.168.1.20"));
  assert.ok(rules.globalWhite[0]("10.10.103.7"));
});

Deno.test("written back, the file reads the same, with its version", () => {
  const file = parseAclFile(DISTRIBUTION_ACL);
  file.dataVersion = { counter: 3, timestamp: 1700000000000 };
  const again = parseAclFile(renderAclFile(file));
  assert.deepEqual(again, file);
  assert.match(renderAclFile(file), /secretKey: "12345678"/);
});

Deno.test("an empty file is an ACL with no accounts", () => {
  assert.deepEqual(parseAclFile(""), { globalWhiteRemoteAddresses: [], accounts: [] });
  assert.deepEqual(parseAclFile("# nothing yet\n"), {
    globalWhiteRemoteAddresses: [],
    accounts: [],
  });
});

Deno.test("a wrong file is refused whole, saying what is wrong", () => {
  const bad: [string, RegExp][] = [
    ["accounts:\n- accessKey: short\n  secretKey: 12345678\n", /length should longer than 6/],
    [
      "accounts:\n- accessKey: RocketMQ\n  secretKey: 12345678\n  topicPerms:\n  - a=ALL\n",
      /expected permissions/,
    ],
    ["accounts:\n- accessKey: RocketMQ\n  secretKey: 12345678\n  topicPerms:\n  - a\n", /Res=Perm/],
    [
      "accounts:\n- accessKey: RocketMQ\n  secretKey: 12345678\n  whiteRemoteAddress: 1.2.3\n",
      /Netaddress/,
    ],
    ["globalWhiteRemoteAddresses: 1.2.3.4\n", /expected a list/],
    ["accounts: [\n", /not valid YAML/],
    ["- a\n- b\n", /mapping/],
  ];
  for (const [text, why] of bad) {
    assert.throws(() => parseAclFile(text), (e) => e instanceof AclError && why.test(e.message));
  }
});
