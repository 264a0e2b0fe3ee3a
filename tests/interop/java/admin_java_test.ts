/**
 * `rmq admin` against a Java RocketMQ 4.8.0 cluster (Java name server and broker from
 * ../shared/rocketmq-4.8.0): the same commands work there, over the remoting protocol only.
 * Skipped with one line where Java or the release is absent.
 */
import assert from "node:assert/strict";
import { JAVA_MISSING, startJavaBroker, startJavaNamesrv } from "../../helpers/java.ts";
import { runRmq } from "../../helpers/rmq.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { DashboardServer } from "../../../src/dashboard/dashboard_server.ts";

if (JAVA_MISSING) console.log(`admin_java_test: skipped, ${JAVA_MISSING}`);

Deno.test({
  name: "rmq admin against a Java 4.8.0 name server and broker",
  ignore: JAVA_MISSING !== undefined,
}, async () => {
  await using dir = await tempDir();
  await using ns = await startJavaNamesrv(`${dir.path}/ns`);
  await using broker = await startJavaBroker(`${dir.path}/broker`, {
    namesrvAddr: ns.addr,
    brokerName: "java-a",
    brokerClusterName: "JavaCluster",
  });
  const n = ["-n", ns.addr];
  const admin = (...args: string[]) => runRmq(["admin", ...args, ...n]);

  // A Java 4.8 broker answers GET_BROKER_RUNTIME_INFO with NoSuchElementException until its
  // statistics took their first samples (seconds after boot); clusterList shows "-" meanwhile.
  let rtRun = await admin("brokerStatus", "-b", broker.addr, "--json");
  for (let i = 0; i < 60 && rtRun.code !== 0; i++) {
    assert.match(
      rtRun.stderr,
      /^rmq admin brokerStatus: GET_BROKER_RUNTIME_INFO to .*: SYSTEM_ERROR \(1\)/,
    );
    await new Promise((r) => setTimeout(r, 500));
    rtRun = await admin("brokerStatus", "-b", broker.addr, "--json");
  }
  assert.equal(rtRun.code, 0, rtRun.stderr);
  const list = await admin("clusterList");
  assert.equal(list.code, 0, list.stderr);
  assert.match(
    list.stdout,
    new RegExp(`^JavaCluster\\s+java-a\\s+0\\s+${broker.addr}\\s+V4_8_0`, "m"),
  );

  const made = await admin(
    "updateTopic",
    "-t",
    "JavaAdm",
    "-c",
    "JavaCluster",
    "-r",
    "2",
    "-w",
    "2",
  );
  assert.equal(made.code, 0, made.stderr);
  let route = await admin("topicRoute", "-t", "JavaAdm");
  for (let i = 0; i < 50 && route.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    route = await admin("topicRoute", "-t", "JavaAdm");
  }
  assert.match(route.stdout, new RegExp(`^java-a\\s+0\\s+${broker.addr}\\s+2\\s+2\\s+6$`, "m"));

  const sent = await runRmq(["produce", "-t", "JavaAdm", "--count", "3", ...n]);
  assert.equal(sent.code, 0, sent.stderr);
  const status = JSON.parse((await admin("topicStatus", "-t", "JavaAdm", "--json")).stdout);
  assert.equal(status.reduce((s: number, q: { maxOffset: number }) => s + q.maxOffset, 0), 3);

  const got = await runRmq(
    [
      "consume",
      "-g",
      "JavaAdmG",
      "-t",
      "JavaAdm",
      "--from",
      "first",
      "--count",
      "3",
      "--timeout",
      "30s",
      ...n,
    ],
  );
  assert.equal(got.code, 0, got.stderr);
  const progress = JSON.parse((await admin("consumerProgress", "-g", "JavaAdmG", "--json")).stdout);
  assert.equal(progress.queues.length, 2);
  assert.equal(
    progress.queues.reduce((s: number, q: { brokerOffset: number }) => s + q.brokerOffset, 0),
    3,
  );

  assert.equal(JSON.parse(rtRun.stdout).brokerVersionDesc, "V4_8_0");
  const config = JSON.parse((await admin("getBrokerConfig", "-b", broker.addr, "--json")).stdout);
  assert.equal(config[broker.addr].brokerName, "java-a");

  const one = JSON.parse(
    (await admin("sendMessage", "-t", "JavaAdm", "-p", "java body", "-k", "jkey", "--json")).stdout,
  );
  assert.equal(one.status, "SEND_OK");
  const byId = JSON.parse((await admin("queryMsgById", "-i", one.offsetMsgId, "--json")).stdout);
  assert.equal(byId["Message Body"], "java body");
  // A Java broker indexes keys a moment after the write.
  let byKey: unknown[] = [];
  for (let i = 0; i < 30 && byKey.length === 0; i++) {
    byKey = JSON.parse(
      (await admin("queryMsgByKey", "-t", "JavaAdm", "-k", "jkey", "--json")).stdout,
    );
    if (byKey.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(byKey.length, 1);
  const dry = JSON.parse(
    (await admin(
      "resetOffsetByTime",
      "-g",
      "JavaAdmG",
      "-t",
      "JavaAdm",
      "-s",
      "0",
      "--dry-run",
      "--json",
    ))
      .stdout,
  );
  assert.equal(dry.queues.length, 2);
  assert.ok(dry.queues.every((q: { next: number }) => q.next === 0));
  for (
    const args of [
      ["updateSubGroup", "-g", "JavaSub", "-b", broker.addr, "-r", "5"],
      ["deleteSubGroup", "-g", "JavaSub", "-b", broker.addr],
      ["updateKvConfig", "-s", "JNs", "-k", "k", "-v", "v"],
      ["deleteKvConfig", "-s", "JNs", "-k", "k"],
      ["updateTopicPerm", "-t", "JavaAdm", "-b", broker.addr, "-p", "6"],
    ]
  ) {
    const r = await admin(...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  }

  // The dashboard's /metrics reads the Java cluster under the 4.x exporter's names.
  await using dash = new DashboardServer({ namesrvAddr: ns.addr }, "127.0.0.1", 0);
  const metrics = await (await fetch(`${dash.url}metrics`)).text();
  assert.match(
    metrics,
    /^rocketmq_producer_offset\{cluster="JavaCluster",broker="java-a",topic="JavaAdm"\} 4$/m,
  );
  assert.match(
    metrics,
    new RegExp(
      `^rocketmq_broker_tps\\{cluster="JavaCluster",brokerIP="${broker.addr}",broker="java-a"\\} `,
      "m",
    ),
  );
  assert.match(
    metrics,
    /^rocketmq_consumer_offset\{cluster="JavaCluster",broker="java-a",topic="JavaAdm",group="JavaAdmG"\} 3$/m,
  );

  const gone = await admin("deleteTopic", "-t", "JavaAdm", "-c", "JavaCluster");
  assert.equal(gone.code, 0, gone.stderr);
  const after = await admin("topicRoute", "-t", "JavaAdm");
  assert.equal(after.code, 1);
  assert.match(after.stderr, /TOPIC_NOT_EXIST \(17\)/);
});
