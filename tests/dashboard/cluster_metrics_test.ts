/**
 * `/metrics` of `rmq dashboard`: a cluster's figures under the 4.x exporter's names, asked of the
 * brokers when scraped (for clusters whose brokers serve none; Java's run in admin_java_test).
 */
import assert from "node:assert/strict";
import { DashboardServer } from "../../src/dashboard/dashboard_server.ts";
import { startCluster } from "../helpers/cluster.ts";
import { sendMany, startProducer } from "../helpers/consumers.ts";

Deno.test("the dashboard's /metrics: offsets, group lag and broker rates of the cluster", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("ScrapeT", { queues: 2 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 5, (i) => ({ topic: "ScrapeT", body: `s${i}` }));
  const c = cluster.brokers[0].controller;
  c.services.consumerOffsets.commitOffset("127.0.0.1", "ScrapeG", "ScrapeT", 0, 1);
  c.services.consumerOffsets.commitOffset("127.0.0.1", "ScrapeG", "ScrapeT", 1, 0);
  c.services.subscriptionGroups.find("ScrapeG"); // Auto-created, as a consumer's heartbeat does.
  await using dash = new DashboardServer({ namesrvAddr: cluster.namesrvAddr }, "127.0.0.1", 0);
  const res = await fetch(`${dash.url}metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(
    text,
    /^rocketmq_producer_offset\{cluster="DefaultCluster",broker="broker-a",topic="ScrapeT"\} 5$/m,
  );
  assert.match(
    text,
    new RegExp(
      `^rocketmq_broker_tps\\{cluster="DefaultCluster",brokerIP="${c.brokerAddr}",broker="broker-a"\\} `,
      "m",
    ),
  );
  assert.match(
    text,
    /^rocketmq_consumer_offset\{cluster="DefaultCluster",broker="broker-a",topic="ScrapeT",group="ScrapeG"\} 1$/m,
  );
  assert.match(text, /^rocketmq_group_diff\{group="ScrapeG",topic="ScrapeT",[^}]*\} 4$/m);
});
