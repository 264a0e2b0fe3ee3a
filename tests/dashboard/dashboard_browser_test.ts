/**
 * The dashboard in a real headless browser against a live rmq (and a Java 4.8.0 cluster): each
 * page loads and shows what the cluster holds; creating a topic and resetting a group's offsets
 * (previewed first) go through to the broker. Screenshots land in test-artifacts/dashboard/.
 */
import assert from "node:assert/strict";
import { DashboardServer } from "../../src/dashboard/dashboard_server.ts";
import { startCluster } from "../helpers/cluster.ts";
import { sendMany, startProducer } from "../helpers/consumers.ts";
import { ARTIFACTS, CHROMIUM_MISSING, launchBrowser } from "../helpers/browser.ts";
import { JAVA_MISSING, startJavaBroker, startJavaNamesrv } from "../helpers/java.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { request } from "../helpers/consume.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { ConsumerSendMsgBackRequestHeader } from "../../src/remoting/headers.ts";
import { createOffsetMsgId, decodeOffsetMsgId } from "../../src/common/message/message_id.ts";

if (CHROMIUM_MISSING) console.log(`dashboard_browser_test: skipped, ${CHROMIUM_MISSING}`);

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchBrowser>>["newPage"]>>;

/** The page's document as these callbacks use it (they run in the browser, not in Deno). */
interface PageDocument {
  querySelector(s: string): { textContent: string | null; value?: string } | null;
}

async function textOf(page: Page, selector: string, want: string | RegExp, timeoutMs = 15_000) {
  await page.waitForFunction(
    (sel: string, w: string, isRe: boolean) => {
      const d = (globalThis as unknown as { document: PageDocument }).document;
      const t = d.querySelector(sel)?.textContent ?? "";
      return isRe ? new RegExp(w).test(t) : t.includes(w);
    },
    { timeout: timeoutMs },
    selector,
    typeof want === "string" ? want : want.source,
    typeof want !== "string",
  );
  return await page.evaluate(
    (sel: string) =>
      (globalThis as unknown as { document: PageDocument }).document.querySelector(sel)
        ?.textContent ?? "",
    selector,
  );
}

async function shot(page: Page, name: string) {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

Deno.test({
  name: "the dashboard in a browser: cluster, topics, create, groups, reset with preview, messages",
  ignore: CHROMIUM_MISSING !== undefined,
}, async () => {
  await using cluster = await startCluster();
  await cluster.createTopic("DashT", { queues: 2 });
  await using producer = await startProducer(cluster);
  await sendMany(producer, 6, (i) => ({ topic: "DashT", body: `d${i}`, keys: [`dk${i}`] }));
  const offsets = cluster.brokers[0].controller.services.consumerOffsets;
  for (const q of [0, 1]) {
    offsets.commitOffset(
      "127.0.0.1",
      "DashG",
      "DashT",
      q,
      cluster.brokers[0].controller.store.getMaxOffsetInQueue("DashT", q),
    );
  }
  cluster.brokers[0].controller.services.subscriptionGroups.find("DashG"); // As a heartbeat does.
  await using dash = new DashboardServer({ namesrvAddr: cluster.namesrvAddr }, "127.0.0.1", 0);
  await using browser = await launchBrowser();
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 800 });
  await page.goto(dash.url);

  assert.match(await textOf(page, "#brokers", "broker-a"), new RegExp(cluster.brokers[0].addr));
  await page.click("#brokers tr.pick");
  await textOf(page, "#brokerDetail", "commitLogMaxOffset");
  await shot(page, "cluster");

  await page.click('nav button[data-tab="topics"]');
  await textOf(page, "#topicList", "DashT");
  await page.type('#createTopic input[name="topic"]', "DashNew");
  await page.click("#createTopic button");
  await textOf(page, "#topicDetail", "DashNew");
  assert.equal(cluster.brokers[0].controller.topicConfigManager.get("DashNew")?.readQueueNums, 8);
  await shot(page, "topics");

  await page.click('nav button[data-tab="groups"]');
  await textOf(page, "#groupList", "DashG");
  await page.type('#groupForm input[name="group"]', "DashG");
  await page.click("#groupForm button");
  assert.match(await textOf(page, "#groupDetail", "Diff Total"), /Diff Total: 0/);
  await page.type('#resetForm input[name="topic"]', "DashT");
  await page.evaluate(() => {
    const d = (globalThis as unknown as { document: PageDocument }).document;
    const input = d.querySelector('#resetForm input[name="timestamp"]')!;
    input.value = "2000-01-01T00:00:00";
  });
  await page.click('#resetForm button[name="preview"]');
  await textOf(page, "#resetResult", "Dry run");
  assert.notEqual(
    offsets.queryOffset("DashG", "DashT", 0) + offsets.queryOffset("DashG", "DashT", 1),
    0,
    "preview changed nothing",
  );
  await shot(page, "groups-preview");
  await page.click('#resetForm button[name="apply"]');
  await textOf(page, "#resetResult", "success");
  assert.equal(
    offsets.queryOffset("DashG", "DashT", 0) + offsets.queryOffset("DashG", "DashT", 1),
    0,
  );
  await textOf(page, "#groupDetail", /Diff Total: 6/);
  await shot(page, "groups");

  await page.click('nav button[data-tab="messages"]');
  await page.type('#byKey input[name="topic"]', "DashT");
  await page.type('#byKey input[name="key"]', "dk3");
  await page.click("#byKey button");
  await textOf(page, "#messageResult", "broker-a");
  await page.type('#byTime input[name="topic"]', "DashT");
  await page.click("#byTime button");
  assert.match(await textOf(page, "#messageResult", "6 message(s)"), /d0/);

  // A dead letter, found by id, goes back to its topic with one click.
  const sent = await producer.send({ topic: "DashT", body: "doomed" });
  await using client = new RemotingClient();
  const back = await client.invokeSync(
    cluster.brokers[0].addr,
    request(RequestCode.CONSUMER_SEND_MSG_BACK, ConsumerSendMsgBackRequestHeader, {
      offset: decodeOffsetMsgId(sent.offsetMsgId!).offset,
      group: "DashDlq",
      delayLevel: -1,
      originMsgId: sent.msgId,
      originTopic: "DashT",
      maxReconsumeTimes: 0,
    }),
    3000,
  );
  assert.equal(back.code, ResponseCode.SUCCESS);
  const store = cluster.brokers[0].controller.store;
  const dlqOffset = await store.getCommitLogOffsetInQueue("%DLQ%DashDlq", 0, 0);
  const dlqId = createOffsetMsgId(cluster.brokers[0].controller.storeHost, dlqOffset);
  await page.type('#byId input[name="msgId"]', dlqId);
  await page.click("#byId button");
  await textOf(page, "#messageResult", "%DLQ%DashDlq");
  await shot(page, "messages");
  await page.click("#resend");
  assert.match(await textOf(page, "#messageResult", "resent"), /to DashT: SEND_OK/);
});

Deno.test({
  name: "the dashboard in a browser against a Java 4.8.0 name server and broker",
  ignore: CHROMIUM_MISSING !== undefined || JAVA_MISSING !== undefined,
}, async () => {
  await using dir = await tempDir();
  await using ns = await startJavaNamesrv(`${dir.path}/ns`);
  await using broker = await startJavaBroker(`${dir.path}/broker`, {
    namesrvAddr: ns.addr,
    brokerName: "java-dash",
  });
  await using dash = new DashboardServer({ namesrvAddr: ns.addr }, "127.0.0.1", 0);
  await using browser = await launchBrowser();
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 800 });
  await page.goto(dash.url);
  // The page polls every 5 s; the Java broker registers within a few.
  assert.match(await textOf(page, "#brokers", "java-dash", 30_000), new RegExp(broker.addr));
  await page.click('nav button[data-tab="topics"]');
  await textOf(page, "#topicList", "TBW102");
  await shot(page, "java-cluster");
});
