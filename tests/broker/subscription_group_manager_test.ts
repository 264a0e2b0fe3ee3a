import assert from "node:assert/strict";
import {
  SubscriptionGroupManager,
  SYSTEM_CONSUMER_GROUPS,
} from "../../src/broker/subscription_group_manager.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test("SubscriptionGroupManager creates groups on first use only when allowed", async () => {
  await using dir = await tempDir();
  let auto = false;
  const path = `${dir.path}/config/subscriptionGroup.json`;
  const m = new SubscriptionGroupManager(path, () => auto);
  for (const g of SYSTEM_CONSUMER_GROUPS) assert.ok(m.get(g), g);
  assert.equal(m.find("app"), undefined);
  assert.ok(m.find("CID_RMQ_SYS_TRANS"), "the broker's own groups are always created");
  auto = true;
  const created = m.find("app");
  assert.equal(created?.retryQueueNums, 1);
  assert.equal(m.find("app"), created);
  await m.flush();
  const reloaded = new SubscriptionGroupManager(path, () => false);
  await reloaded.load();
  assert.deepEqual(reloaded.get("app"), created);
  assert.deepEqual(reloaded.dataVersion, m.dataVersion);
  assert.ok(m.delete("app"));
  assert.equal(m.delete("app"), false);
  await m.flush();
});
