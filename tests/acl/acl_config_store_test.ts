import assert from "node:assert/strict";
import { AclConfigStore } from "../../src/acl/acl_config_store.ts";
import { parseAclFile } from "../../src/acl/acl_file.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { DISTRIBUTION_ACL } from "./acl_fixtures.ts";

Deno.test("a missing or broken file stops the start with one line", async () => {
  await using dir = await tempDir();
  await assert.rejects(AclConfigStore.open(`${dir.path}/none.yml`, 0), /does not exist/);
  await Deno.writeTextFile(`${dir.path}/bad.yml`, "accounts:\n- accessKey: x\n");
  await assert.rejects(
    AclConfigStore.open(`${dir.path}/bad.yml`, 0),
    /is not valid: .*longer than 6/,
  );
});

Deno.test("edits are picked up; a broken edit keeps the last good rules", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/plain_acl.yml`;
  await Deno.writeTextFile(path, DISTRIBUTION_ACL);
  using store = await AclConfigStore.open(path, 0);
  assert.equal(await store.reloadIfChanged(), false);
  await Deno.writeTextFile(
    path,
    DISTRIBUTION_ACL + "- accessKey: newcomer\n  secretKey: new-secret\n",
  );
  assert.equal(await store.reloadIfChanged(), true);
  assert.ok(store.rules.accounts.has("newcomer"));
  await Deno.writeTextFile(path, DISTRIBUTION_ACL + "- accessKey: x\n");
  assert.equal(await store.reloadIfChanged(), false);
  assert.ok(store.rules.accounts.has("newcomer"), "the last good rules stay");
  await Deno.remove(path);
  assert.equal(await store.reloadIfChanged(), false);
  assert.equal(store.rules.accounts.size, 3);
});

Deno.test("the admin changes write the file whole and bump its version", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/plain_acl.yml`;
  await Deno.writeTextFile(path, DISTRIBUTION_ACL);
  using store = await AclConfigStore.open(path, 0);
  assert.equal(store.dataVersion.counter, 0);
  await store.updateAccount({
    accessKey: "created1",
    secretKey: "created-secret",
    topicPerms: ["t1=PUB"],
  });
  await store.updateAccount({ accessKey: "RocketMQ", admin: true });
  await store.updateGlobalWhiteAddresses(["10.0.0.*"]);
  assert.equal(await store.deleteAccount("rocketmq2"), true);
  assert.equal(await store.deleteAccount("rocketmq2"), false);
  await assert.rejects(store.updateAccount({ accessKey: "short" }), /longer than 6/);
  await assert.rejects(store.updateGlobalWhiteAddresses(["1.2.3"]), /Netaddress/);
  const onDisk = parseAclFile(await Deno.readTextFile(path));
  assert.deepEqual(onDisk.accounts.map((a) => a.accessKey), ["RocketMQ", "created1"]);
  assert.equal(onDisk.accounts[0].admin, true);
  assert.deepEqual(onDisk.accounts[0].topicPerms, ["topicA=DENY", "topicB=PUB|SUB", "topicC=SUB"]);
  assert.deepEqual(onDisk.globalWhiteRemoteAddresses, ["10.0.0.*"]);
  assert.equal(onDisk.dataVersion?.counter, 4);
  assert.equal(store.dataVersion.counter, 4);
  assert.ok(store.rules.accounts.get("created1"));
  assert.equal(await store.reloadIfChanged(), false, "its own write is not a change to reload");
});
