/**
 * The official 4.8.0 Java client and mqadmin against rmq with the ACL and TLS on, in one JVM
 * (AclScenario.java): AclClientRPCHook's signature, signed sends and consumes over TLS and plain,
 * every kind of refusal (code 1, nothing stored), a hot-reloaded account, the ACL admin commands,
 * and an enforcing cluster that plain clients cannot use. Skipped with one line where Java or
 * the release is absent.
 */
import assert from "node:assert/strict";
import { aclSignature } from "../../../src/acl/signature.ts";
import { parseAclFile } from "../../../src/acl/acl_file.ts";
import { startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { JAVA_MISSING, type JavaProcess, ROCKETMQ_DIR, runJava } from "../../helpers/java.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { CLUSTER_ACL } from "../../acl/acl_fixtures.ts";

if (JAVA_MISSING) console.log(`acl_java_test: skipped, ${JAVA_MISSING}`);

const TLS_DIR = new URL("../../fixtures/tls/", import.meta.url).pathname;
const ACL = CLUSTER_ACL;
const TLS = {
  tlsServerCertPath: `${TLS_DIR}server.pem`,
  tlsServerKeyPath: `${TLS_DIR}server.key`,
  tlsEnable: true,
  tlsClientTrustCertPath: `${TLS_DIR}ca.pem`,
};

/** Netty may log DEBUG lines on stdout; the scenario's own lines are known by their start. */
async function step(java: JavaProcess, line: string, timeoutMs = 60_000): Promise<string> {
  await java.send(line);
  return await java.until(/^(ok|refused|consumed|unknown)\b/, timeoutMs);
}

async function mqadmin(java: JavaProcess, args: string): Promise<string> {
  await java.send(`mqadmin ${args}`);
  const out: string[] = [];
  while (true) {
    const l = await java.until(/^(\| |\||END$)/, 60_000);
    if (l === "END") return out.join("\n");
    out.push(l.replace(/^\| ?/, ""));
  }
}

function stored(cluster: TestCluster, topic: string): number {
  const store = cluster.brokers[0].controller.store;
  return store.getMaxOffsetInQueue(topic, 0) + store.getMaxOffsetInQueue(topic, 1);
}

Deno.test({
  name: "Java client with AclClientRPCHook and TLS, and mqadmin's ACL commands, against rmq",
  ignore: JAVA_MISSING !== undefined,
}, async () => {
  await using dir = await tempDir();
  const aclFile = `${dir.path}/plain_acl.yml`;
  await Deno.writeTextFile(aclFile, ACL);
  // mqadmin signs with $ROCKETMQ_HOME/conf/tools.yml and needs its logback file beside it.
  const home = `${dir.path}/home`;
  await Deno.mkdir(`${home}/conf`, { recursive: true });
  await Deno.copyFile(`${ROCKETMQ_DIR}/conf/logback_tools.xml`, `${home}/conf/logback_tools.xml`);
  await Deno.writeTextFile(
    `${home}/conf/tools.yml`,
    "accessKey: brokerAdmin\nsecretKey: broker-secret\n",
  );

  const permissive = { tlsServerMode: "permissive" as const, ...TLS };
  await using cluster = await startCluster({
    namesrv: { aclEnable: true, aclFile, ...permissive },
    broker: {
      aclEnable: true,
      aclFile,
      accessKey: "brokerAdmin",
      secretKey: "broker-secret",
      ...permissive,
    },
  });
  await cluster.createTopic("AclOrders", { queues: 2 });
  await cluster.createTopic("AclAudit", { queues: 2 });
  const enforcing = { tlsServerMode: "enforcing" as const, ...TLS };
  await using strict = await startCluster({ namesrv: enforcing, broker: enforcing });
  const ns = cluster.namesrvAddr;
  const broker = cluster.brokers[0].addr;

  await using java = await runJava("AclScenario", [], `-Drocketmq.home.dir=${home}`);

  // The hook's signature of a fixed request verifies in rmq.
  await java.send("vector");
  const fields: Record<string, string> = {};
  let signature = "";
  while (true) {
    const l = await java.until(/^(field |signature |END$)/, 60_000);
    if (l === "END") break;
    const m = /^field (\S+) (.*)$/s.exec(l);
    if (m) fields[m[1]] = m[2];
    else if (l.startsWith("signature ")) signature = l.slice(10);
  }
  assert.equal(fields.b, "TopicAcl");
  assert.equal(
    aclSignature(fields, new TextEncoder().encode("Hello ACL \u00e9"), "12345678"),
    signature,
  );

  const app = "appUser1 app-secret-1";
  assert.equal(await step(java, `send ${ns} AclOrders ${app} tls 3`), "ok SEND_OK SEND_OK SEND_OK");
  assert.equal(await step(java, `send ${ns} AclOrders ${app} plain 1`), "ok SEND_OK");
  assert.equal(
    await step(java, `consume ${ns} AclOrders AclGroup ${app} tls 4 30000`),
    "consumed 4",
  );
  const refused: [string, RegExp][] = [
    [
      `send ${ns} AclOrders appUser1 wrong-secret plain 1`,
      /Check signature failed for accessKey=appUser1/,
    ],
    [`send ${ns} AclOrders - - plain 1`, /No accessKey is configured/],
    [`send ${ns} AclAudit ${app} tls 1`, /No default permission for topic:AclAudit/],
    [
      `createTopic ${ns} ${broker} Sneaky ${app} plain`,
      /Need admin permission for request code=17/,
    ],
  ];
  for (const [line, why] of refused) {
    const r = await step(java, line);
    assert.match(r, /^refused 1 /, line);
    assert.match(r, why, line);
  }
  assert.equal(stored(cluster, "AclOrders"), 4, "refused sends stored nothing");
  assert.equal(stored(cluster, "AclAudit"), 0);
  assert.equal(cluster.brokers[0].controller.topicConfigManager.get("Sneaky"), undefined);
  assert.equal(
    await step(java, `createTopic ${ns} ${broker} MadeByAdmin brokerAdmin broker-secret tls`),
    "ok",
  );

  // An account added to the file works without a restart.
  await Deno.writeTextFile(
    aclFile,
    ACL + "- accessKey: lateUser1\n  secretKey: late-secret\n  defaultTopicPerm: PUB\n",
  );
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(
    await step(java, `send ${ns} AclOrders lateUser1 late-secret plain 1`),
    "ok SEND_OK",
  );

  // mqadmin's ACL commands, signed with tools.yml.
  assert.match(
    await mqadmin(
      java,
      `updateAclConfig -b ${broker} -a mqUser01 -s mq-secret-1 -t AclOrders=PUB -m false`,
    ),
    /create or update plain access config to .* success/,
  );
  assert.equal(await step(java, `send ${ns} AclOrders mqUser01 mq-secret-1 plain 1`), "ok SEND_OK");
  assert.match(await mqadmin(java, `updateGlobalWhiteAddr -b ${broker} -g 10.77.0.*`), /success/);
  const version = await mqadmin(java, `clusterAclConfigVersion -n ${ns} -c DefaultCluster`);
  // Two changes since the test rewrote the file (without a dataVersion).
  assert.match(version, /broker-a\s+127\.0\.0\.1:\d+\s+2\s/);
  const config = await mqadmin(java, `getAccessConfigSubCommand -n ${ns} -c DefaultCluster`);
  assert.match(config, /globalWhiteRemoteAddresses: \[10\.77\.0\.\*\]/);
  assert.match(config, /accessKey\s+: mqUser01/);
  assert.match(
    await mqadmin(java, `deleteAccessConfig -b ${broker} -a mqUser01`),
    /delete plain access config account to .* success/,
  );
  const onDisk = parseAclFile(await Deno.readTextFile(aclFile));
  assert.deepEqual(onDisk.globalWhiteRemoteAddresses, ["10.77.0.*"]);
  assert.ok(!onDisk.accounts.some((a) => a.accessKey === "mqUser01"));
  assert.match(
    await step(java, `send ${ns} AclOrders mqUser01 mq-secret-1 plain 1`),
    /No acl config for mqUser01/,
  );
  // Without tools.yml, mqadmin's admin commands are refused.
  await Deno.remove(`${home}/conf/tools.yml`);
  assert.match(
    await mqadmin(java, `updateGlobalWhiteAddr -b ${broker} -g 10.66.0.*`),
    /No accessKey is configured/,
  );

  // Enforcing: the Java client over TLS works, over plain it cannot even reach the name server.
  assert.equal(await step(java, `send ${strict.namesrvAddr} TlsOnlyAuto - - tls 1`), "ok SEND_OK");
  assert.match(await step(java, `send ${strict.namesrvAddr} TlsOnlyAuto - - plain 1`), /^refused/);
  assert.equal(await java.finish(), 0);
});
