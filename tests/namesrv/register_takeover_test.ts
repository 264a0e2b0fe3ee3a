/**
 * A registration that would put another address under a live broker's name and id, from a
 * different connection, is refused (the route hijack: producers would follow the fake address).
 */
import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { registerTestBroker, startNamesrv } from "../helpers/namesrv.ts";
import { captureLogs } from "../helpers/remoting.ts";
import { waitUntil } from "../helpers/wait.ts";

Deno.test("a live broker's address cannot be replaced from another connection", async () => {
  await using ns = await startNamesrv();
  using logs = captureLogs();
  const real = new RemotingClient();
  await using attacker = new RemotingClient();
  const ok = await registerTestBroker(real, ns.addr, {
    brokerAddr: "10.0.0.1:10911",
    topics: { T: 4 },
  });
  assert.equal(ok.code, ResponseCode.SUCCESS);
  for (let i = 0; i < 3; i++) {
    const r = await registerTestBroker(attacker, ns.addr, {
      brokerAddr: "10.6.6.6:10911",
      topics: { T: 4 },
    });
    assert.equal(r.code, ResponseCode.SYSTEM_ERROR);
    assert.match(
      r.remark ?? "",
      /broker-a id 0 is registered at 10\.0\.0\.1:10911, still connected/,
    );
  }
  const route = ns.controller.routes.pickupTopicRouteData("T");
  assert.deepEqual([...route!.brokerDatas[0].brokerAddrs.values()], ["10.0.0.1:10911"]);
  assert.equal(
    logs.matching("warning", "Refused REGISTER_BROKER").length,
    1,
    "logged once a minute",
  );

  // The broker itself may move (same connection), and once it is gone its name is free.
  const moved = await registerTestBroker(real, ns.addr, {
    brokerAddr: "10.0.0.2:10911",
    topics: { T: 4 },
  });
  assert.equal(moved.code, ResponseCode.SUCCESS);
  await real.close();
  await waitUntil(
    "the broker's connection to drop",
    () => !ns.controller.routes.brokerLiveTable.has("10.0.0.2:10911"),
  );
  const after = await registerTestBroker(attacker, ns.addr, {
    brokerAddr: "10.0.0.3:10911",
    topics: { T: 4 },
  });
  assert.equal(after.code, ResponseCode.SUCCESS);
});
