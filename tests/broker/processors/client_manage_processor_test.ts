import assert from "node:assert/strict";
import { decodeConsumerIdList } from "../../../src/remoting/body/consumer_list.ts";
import { encodeJsonBody } from "../../../src/remoting/body/json_body.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import {
  ConsumerGroupRequestHeader,
  UnregisterClientRequestHeader,
} from "../../../src/remoting/headers.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { consumer, heartbeat, notifiedClient, request, sub } from "../../helpers/consume.ts";
import { waitUntil } from "../../helpers/consumers.ts";

async function consumerIds(client: RemotingClient, addr: string, group: string) {
  const res = await client.invokeSync(
    addr,
    request(RequestCode.GET_CONSUMER_LIST_BY_GROUP, ConsumerGroupRequestHeader, {
      consumerGroup: group,
    }),
    3000,
  );
  return res.code === 0 ? decodeConsumerIdList(res.body!).sort() : [res.code, res.remark];
}

Deno.test("HEART_BEAT makes %RETRY%<group> routable before it is answered", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const routes = cluster.namesrv.controller.routes;
  assert.equal(routes.pickupTopicRouteData("%RETRY%gr"), undefined);
  await heartbeat(client, cluster.brokers[0].addr, "c1", [consumer("gr", [sub("T", "*")])]);
  const route = routes.pickupTopicRouteData("%RETRY%gr");
  assert.ok(route, "the name server knows the retry topic when the heartbeat is answered");
  assert.equal(route.queueDatas[0].readQueueNums, 1);
  assert.equal(route.queueDatas[0].perm, 6);
  const tc = cluster.brokers[0].controller.topicConfigManager.get("%RETRY%gr");
  assert.equal(tc?.writeQueueNums, 1);
  // The group was auto-created with the defaults.
  const groups = cluster.brokers[0].controller.services.subscriptionGroups;
  assert.equal(groups.get("gr")?.retryMaxTimes, 16);
});

Deno.test("HEART_BEAT tells every member of a group when a member joins or leaves", async () => {
  await using cluster = await startCluster();
  const addr = cluster.brokers[0].addr;
  const a = notifiedClient();
  const b = notifiedClient();
  const c = notifiedClient();
  await using _a = a.client;
  await using _b = b.client;
  await using _c = c.client;
  const data = () => [consumer("gn", [sub("T", "*")])];

  await heartbeat(a.client, addr, "A", data());
  await waitUntil("A's notice", () => a.notes.length === 1);
  assert.equal(a.notes[0].extFields.consumerGroup, "gn");
  assert.equal(a.notes[0].flag & 2, 2, "sent oneway");

  await heartbeat(b.client, addr, "B", data());
  await heartbeat(c.client, addr, "C", data());
  await waitUntil(
    "notices of B and C joining",
    () => a.notes.length === 3 && b.notes.length === 2 && c.notes.length === 1,
  );
  assert.deepEqual(await consumerIds(a.client, addr, "gn"), ["A", "B", "C"]);

  // A repeated heartbeat changes nothing and tells nobody.
  await heartbeat(a.client, addr, "A", data());
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.notes.length, 3);

  // UNREGISTER_CLIENT: B leaves, A and C hear of it.
  const res = await b.client.invokeSync(
    addr,
    request(RequestCode.UNREGISTER_CLIENT, UnregisterClientRequestHeader, {
      clientID: "B",
      consumerGroup: "gn",
    }),
    3000,
  );
  assert.equal(res.code, ResponseCode.SUCCESS);
  await waitUntil("notices of B leaving", () => a.notes.length === 4 && c.notes.length === 2);
  assert.equal(b.notes.length, 2);
  assert.deepEqual(await consumerIds(a.client, addr, "gn"), ["A", "C"]);

  // A closed connection: C is gone, A hears of it.
  await c.client.close();
  await waitUntil("notice of C's connection closing", () => a.notes.length === 5);
  assert.deepEqual(await consumerIds(a.client, addr, "gn"), ["A"]);
});

Deno.test("GET_CONSUMER_LIST_BY_GROUP answers 1 for a group without consumers", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  assert.deepEqual(await consumerIds(client, cluster.brokers[0].addr, "empty"), [
    1,
    "no consumer for this group, empty",
  ]);
});

Deno.test("HEART_BEAT does not notify when notifyConsumerIdsChangedEnable is off", async () => {
  await using cluster = await startCluster({ broker: { notifyConsumerIdsChangedEnable: false } });
  const a = notifiedClient();
  await using _a = a.client;
  await using b = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  await heartbeat(a.client, addr, "A", [consumer("gq", [sub("T", "*")])]);
  await heartbeat(b, addr, "B", [consumer("gq", [sub("T", "*")])]);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.notes.length, 0);
  assert.deepEqual(await consumerIds(b, addr, "gq"), ["A", "B"]);
});

Deno.test("HEART_BEAT keeps the newest subscription and drops topics no longer listed", async () => {
  await using cluster = await startCluster();
  await using client = new RemotingClient();
  const addr = cluster.brokers[0].addr;
  const consume = cluster.brokers[0].controller.services;
  // Go sends codeSet as strings and hashes UTF-8; the broker recomputes Java hash codes.
  const goSub = { ...sub("T1", "TagA || TagB", 5), codeSet: [1, 2] };
  await heartbeat(client, addr, "c", [consumer("gs", [goSub, sub("T2", "*", 5)])]);
  let g = consume.consumers.get("gs")!;
  assert.deepEqual(g.findSubscription("T1")?.data.codeSet, [2598919, 2598920]);
  await heartbeat(client, addr, "c", [consumer("gs", [sub("T1", "TagC", 4)])]);
  g = consume.consumers.get("gs")!;
  assert.equal(g.findSubscription("T1")?.data.subString, "TagA || TagB", "older subVersion");
  assert.equal(g.findSubscription("T2"), undefined);
  await heartbeat(client, addr, "c", [consumer("gs", [sub("T1", "TagC", 6)])]);
  assert.equal(consume.consumers.get("gs")!.findSubscription("T1")?.data.subString, "TagC");
});

Deno.test("CHECK_CLIENT_CONFIG accepts TAG expressions, and SQL92 only with enablePropertyFilter", async () => {
  await using cluster = await startCluster({ broker: { enablePropertyFilter: false } });
  await using client = new RemotingClient();
  const check = (expressionType: string) =>
    client.invokeSync(
      cluster.brokers[0].addr,
      createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, {
        body: encodeJsonBody({
          clientId: "c",
          group: "g",
          subscriptionData: { topic: "T", subString: "a > 1", expressionType },
        }),
      }),
      3000,
    );
  assert.equal((await check("TAG")).code, 0);
  assert.equal((await check("SQL92")).code, 1);
  assert.equal((await check("BOGUS")).code, 1, "a type rmq cannot filter by");
  cluster.brokers[0].controller.updateConfig({ enablePropertyFilter: true });
  assert.equal((await check("SQL92")).code, 0);
});
