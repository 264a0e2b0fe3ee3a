import assert from "node:assert/strict";
import { PullSysFlag } from "../../../src/common/message/sys_flag.ts";
import { MessageSelector } from "../../../src/client/consumer/message_selector.ts";
import { PushConsumer } from "../../../src/client/consumer/push_consumer.ts";
import { RemotingClient } from "../../../src/remoting/client.ts";
import { createRequest } from "../../../src/remoting/command.ts";
import { RequestCode } from "../../../src/remoting/request_code.ts";
import { ResponseCode } from "../../../src/remoting/response_code.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { bodies, pullRequest, send } from "../../helpers/consume.ts";
import { startProducer } from "../../helpers/consumers.ts";

function sqlPull(topic: string, sql: string, over: Record<string, unknown> = {}) {
  return pullRequest({
    consumerGroup: "SqlGroup",
    topic,
    subscription: sql,
    expressionType: "SQL92",
    sysFlag: PullSysFlag.SUBSCRIPTION,
    ...over,
  });
}

Deno.test("A pull with a SQL92 selector gets only the messages whose properties it selects", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("SqlT", { queues: 1 });
  const addr = cluster.brokers[0].addr;
  await using client = new RemotingClient();
  for (let i = 1; i <= 10; i++) {
    await send(client, addr, "SqlT", `m${i}`, {
      tags: i % 2 ? "odd" : "even",
      properties: i === 7 ? { a: String(i) } : { a: String(i), region: i < 5 ? "eu" : "us" },
    });
  }
  const cases: [string, string[]][] = [
    ["a > 5", ["m6", "m7", "m8", "m9", "m10"]],
    ["a BETWEEN 2 AND 4 AND TAGS = 'even'", ["m2", "m4"]],
    ["region IN ('eu') OR region IS NULL", ["m1", "m2", "m3", "m4", "m7"]],
    ["region = 'us' AND NOT (a = 6)", ["m5", "m8", "m9", "m10"]],
    ["a > 100", []],
  ];
  for (const [sql, want] of cases) {
    const res = await client.invokeSync(addr, sqlPull("SqlT", sql), 3000);
    if (want.length === 0) {
      assert.equal(res.code, ResponseCode.PULL_RETRY_IMMEDIATELY, sql);
      assert.equal(res.extFields.nextBeginOffset, "10", `${sql}: steps past what it skipped`);
    } else {
      assert.equal(res.code, ResponseCode.SUCCESS, sql);
      assert.deepEqual(bodies(res), want, sql);
    }
  }
  const bad = await client.invokeSync(addr, sqlPull("SqlT", "a >"), 3000);
  assert.equal(bad.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
});

Deno.test("A held SQL92 pull is answered by the first message it selects", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("SqlHold", { queues: 1 });
  const addr = cluster.brokers[0].addr;
  await using client = new RemotingClient();
  const held = client.invokeSync(
    addr,
    sqlPull("SqlHold", "price >= 100", {
      sysFlag: PullSysFlag.SUBSCRIPTION | PullSysFlag.SUSPEND,
      suspendTimeoutMillis: 5000,
    }),
    10_000,
  );
  await new Promise((r) => setTimeout(r, 100));
  await send(client, addr, "SqlHold", "cheap", { properties: { price: "5" } });
  await send(client, addr, "SqlHold", "dear", { properties: { price: "150" } });
  const res = await held;
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.deepEqual(bodies(res), ["dear"]);
});

Deno.test("CHECK_CLIENT_CONFIG and pulls say when SQL92 is off or a selector does not parse", async () => {
  await using cluster = await startCluster({ broker: { enablePropertyFilter: false } });
  await cluster.createTopic("SqlOff", { queues: 1 });
  const broker = cluster.brokers[0];
  await using client = new RemotingClient();
  const check = (sql: string) =>
    client.invokeSync(
      broker.addr,
      createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, {
        body: new TextEncoder().encode(JSON.stringify({
          clientId: "c1",
          group: "g",
          subscriptionData: {
            topic: "SqlOff",
            subString: sql,
            expressionType: "SQL92",
            tagsSet: [],
            codeSet: [],
            subVersion: 1,
            classFilterMode: false,
          },
        })),
      }),
      3000,
    );
  let res = await check("a > 1");
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(res.remark, "The broker does not support consumer to filter message by SQL92");
  res = await client.invokeSync(broker.addr, sqlPull("SqlOff", "a > 1"), 3000);
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);

  broker.controller.updateConfig({ enablePropertyFilter: true });
  assert.equal((await check("a > 1")).code, ResponseCode.SUCCESS);
  res = await check("a >");
  assert.equal(res.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  assert.match(res.remark!, /Encountered the end/);
});

Deno.test("rmq's push consumer subscribes with MessageSelector.bySql; a bad selector fails start()", async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("SqlPush", { queues: 2 });
  await using producer = await startProducer(cluster);
  for (let i = 0; i < 20; i++) {
    await producer.send({ topic: "SqlPush", body: `m${i}`, properties: { n: String(i) } });
  }
  const consumer = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    consumerGroup: "SqlSel",
    clientIP: "127.0.0.1",
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  const got: string[] = [];
  consumer.subscribe("SqlPush", MessageSelector.bySql("n >= 15"));
  consumer.registerMessageListener((msgs) => {
    for (const m of msgs) got.push(new TextDecoder().decode(m.body));
  });
  await consumer.start();
  try {
    const deadline = Date.now() + 10_000;
    while (got.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got.sort(), ["m15", "m16", "m17", "m18", "m19"]);
  } finally {
    await consumer.shutdown();
  }
  const bad = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, consumerGroup: "SqlBad" });
  bad.subscribe("SqlPush", MessageSelector.bySql("n >>"));
  bad.registerMessageListener(() => {});
  await assert.rejects(bad.start(), /Check client in broker error.*Encountered ">"/);
});
