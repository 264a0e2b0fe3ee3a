/**
 * /metrics and /health of a real broker (metricsExporterType = "PROM"): RocketMQ 5's names with
 * cluster/node_type/node_id, the 4.x exporter's names and labels, process figures, read from
 * what the broker keeps.
 */
import assert from "node:assert/strict";
import { Producer } from "../../src/client/producer/producer.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { UpdateConsumerOffsetRequestHeader } from "../../src/remoting/headers.ts";
import { Exporter, Native } from "../../src/broker/metrics/metric_names.ts";
import { startCluster } from "../helpers/cluster.ts";
import { request } from "../helpers/consume.ts";

/** The value of the one series of `name` whose labels include all of `labels`. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    const m = /^(\S+?)(\{.*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return undefined;
}

Deno.test("the broker serves both name sets, process figures and health over HTTP", async () => {
  await using cluster = await startCluster({
    broker: { metricsExporterType: "PROM", metricsPromExporterPort: 0 },
  });
  await cluster.createTopic("MetricsT", { queues: 2 });
  await using p = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "MetricsP" });
  await p.start();
  for (let i = 0; i < 6; i++) {
    await p.send({ topic: "MetricsT", body: `m${i}`, queueId: i % 2 } as never);
  }
  // A group that committed queue 0 at offset 1: it is 2 behind there, 3 on queue 1 (nothing).
  await using client = new RemotingClient();
  const broker = cluster.brokers[0];
  const commit = await client.invokeSync(
    broker.addr,
    request(RequestCode.UPDATE_CONSUMER_OFFSET, UpdateConsumerOffsetRequestHeader, {
      consumerGroup: "LagG",
      topic: "MetricsT",
      queueId: 0,
      commitOffset: 1,
    }),
    3000,
  );
  assert.equal(commit.code, ResponseCode.SUCCESS);
  const base = `http://127.0.0.1:${broker.controller.metricsAddr!.port}`;
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
  const text = await res.text();

  const node = { cluster: "DefaultCluster", node_type: "broker", node_id: "broker-a" };
  assert.equal(value(text, Native.MESSAGES_IN_TOTAL, { ...node, topic: "MetricsT" }), 6);
  assert.ok(value(text, Native.THROUGHPUT_IN_TOTAL, { ...node, topic: "MetricsT" })! > 0);
  const q0 = broker.controller.store.getMaxOffsetInQueue("MetricsT", 0);
  assert.equal(
    value(text, Native.CONSUMER_LAG_MESSAGES, {
      ...node,
      topic: "MetricsT",
      consumer_group: "LagG",
    }),
    q0 - 1,
  );
  assert.ok(
    value(text, Native.CONSUMER_LAG_LATENCY, {
      ...node,
      topic: "MetricsT",
      consumer_group: "LagG",
    })! >= 0,
  );
  assert.ok(
    value(text, `${Native.RPC_LATENCY}_count`, {
      ...node,
      protocol_type: "remoting",
      request_code: "send_message_v2",
      response_code: "success",
    })! >= 6,
  );
  assert.equal(value(text, Native.BROKER_PERMISSION, node), 6);
  assert.equal(
    value(text, `${Native.MESSAGE_SIZE}_count`, {
      ...node,
      topic: "MetricsT",
      message_type: "normal",
    }),
    6,
  );
  assert.equal(
    value(text, `${Native.MESSAGE_SIZE}_bucket`, { ...node, topic: "MetricsT", le: "1024" }),
    6,
  );
  assert.ok(value(text, Native.STORAGE_SIZE, { ...node, storage_type: "local" })! > 0);
  assert.notEqual(value(text, Native.PRODUCER_CONNECTIONS, node), undefined);

  const exp = { cluster: "DefaultCluster", broker: "broker-a" };
  assert.equal(value(text, Exporter.PRODUCER_OFFSET, { ...exp, topic: "MetricsT" }), 6);
  assert.equal(
    value(text, Exporter.CONSUMER_OFFSET, { ...exp, topic: "MetricsT", group: "LagG" }),
    1,
  );
  assert.equal(
    value(text, Exporter.GROUP_DIFF, {
      group: "LagG",
      topic: "MetricsT",
      countOfOnlineConsumers: "0",
      msgModel: "0",
    }),
    q0 - 1,
  );
  assert.notEqual(value(text, Exporter.PRODUCER_TPS, { ...exp, topic: "MetricsT" }), undefined);
  assert.notEqual(value(text, Exporter.BROKER_TPS, { ...exp, brokerIP: broker.addr }), undefined);
  assert.notEqual(value(text, Exporter.BROKER_QPS, { ...exp, brokerIP: broker.addr }), undefined);
  // The exporter's series carry its own labels only.
  assert.doesNotMatch(text, /rocketmq_producer_tps\{[^}]*node_type/);
  assert.ok(value(text, "process_resident_memory_bytes", {})! > 0);
  assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  assert.ok(value(text, "nodejs_heap_size_used_bytes", {})! > 0);
  assert.match(text, /^# TYPE rocketmq_messages_in_total counter$/m);
  assert.match(text, /^# TYPE rocketmq_rpc_latency histogram$/m);

  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { up: true, storeWritable: true, registered: true });
  const none = await fetch(`${base}/nope`);
  assert.equal(none.status, 404);
  await none.body?.cancel();
});

Deno.test("metrics are off by default: no HTTP port", async () => {
  await using cluster = await startCluster();
  assert.equal(cluster.brokers[0].controller.metricsAddr, undefined);
});
