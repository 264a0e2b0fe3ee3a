/**
 * ali-ons (npm, a pure-JS RocketMQ 4.x client written by others) asks rmq's name server for
 * routes. ali-ons sends version 121, so it gets fastjson's unquoted brokerAddrs keys and parses
 * them with its JSON2 dependency, as it does against a Java name server.
 */
import assert from "node:assert/strict";
import ons from "ali-ons";
import { delay } from "../../src/common/timer.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { registerTestBroker, startNamesrv } from "../helpers/namesrv.ts";

/** ali-ons' scheduled tasks sleep this long between runs; short so they end soon after close. */
const TASK_INTERVAL_MS = 20;

interface AliOnsMessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

/** The parts of ali-ons' producer (and its MQClient) this test reaches into. */
interface AliOnsProducer {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: "error", listener: (e: Error) => void): void;
  tryToFindTopicPublishInfo(topic: string): Promise<{ messageQueueList: AliOnsMessageQueue[] }>;
  _mqClient: {
    getTopicRouteInfoFromNameServer(topic: string, timeoutMs: number): Promise<unknown>;
    findBrokerAddressInPublish(brokerName: string): string | undefined;
    _brokerAddrTable: Map<string, unknown>;
  };
}

interface AliOnsProducerClass {
  new (options: Record<string, unknown>): AliOnsProducer;
  /** A process-wide inner producer ali-ons creates next to the first user producer. */
  defaultProducer: AliOnsProducer | null;
}

const Producer = (ons as unknown as { Producer: AliOnsProducerClass }).Producer;

/** ali-ons logs to the console by default; this keeps what it says for failure messages. */
function quietLogger(lines: string[]) {
  const keep = (level: string) => (...args: unknown[]) =>
    lines.push(`${level} ${args.map(String).join(" ")}`);
  return { info() {}, debug() {}, warn: keep("warn"), error: keep("error") };
}

Deno.test("ali-ons gets the route of a topic a registered broker serves from NamesrvController", async () => {
  await using ns = await startNamesrv();
  await using brokers = new RemotingClient();
  // broker-a: a master and a slave; broker-b: a master. Nothing listens on these addresses:
  // fetching a route needs only the name server.
  await registerTestBroker(brokers, ns.addr, {
    brokerAddr: "127.0.0.1:10911",
    topics: { TopicTest: 4 },
  });
  await registerTestBroker(brokers, ns.addr, {
    brokerAddr: "127.0.0.1:10921",
    brokerId: 1,
    topics: { TopicTest: 4 },
  });
  await registerTestBroker(brokers, ns.addr, {
    brokerName: "broker-b",
    brokerAddr: "127.0.0.1:10931",
    topics: { TopicTest: 2 },
  });

  const logs: string[] = [];
  const producer = new Producer({
    nameSrv: ns.addr,
    producerGroup: "rmq_interop_pg",
    // Required by ali-ons' constructor, used only to look name servers up over HTTP (onsAddr).
    httpclient: {},
    logger: quietLogger(logs),
    pollNameServerInteval: TASK_INTERVAL_MS,
    heartbeatBrokerInterval: TASK_INTERVAL_MS,
    persistConsumerOffsetInterval: TASK_INTERVAL_MS,
    rebalanceInterval: TASK_INTERVAL_MS,
  });
  const errors: Error[] = [];
  producer.on("error", (e) => errors.push(e));
  try {
    await producer.ready();

    const route = await producer._mqClient.getTopicRouteInfoFromNameServer("TopicTest", 3000);
    assert.deepEqual(route, {
      brokerDatas: [
        {
          brokerAddrs: { 0: "127.0.0.1:10911", 1: "127.0.0.1:10921" },
          brokerName: "broker-a",
          cluster: "DefaultCluster",
        },
        {
          brokerAddrs: { 0: "127.0.0.1:10931" },
          brokerName: "broker-b",
          cluster: "DefaultCluster",
        },
      ],
      filterServerTable: {},
      queueDatas: [
        {
          brokerName: "broker-a",
          perm: 6,
          readQueueNums: 4,
          topicSynFlag: 0,
          topicSysFlag: 0,
          writeQueueNums: 4,
        },
        {
          brokerName: "broker-b",
          perm: 6,
          readQueueNums: 2,
          topicSynFlag: 0,
          topicSysFlag: 0,
          writeQueueNums: 2,
        },
      ],
    });

    const info = await producer.tryToFindTopicPublishInfo("TopicTest");
    const queues = info.messageQueueList.map((q) => `${q.brokerName}/${q.queueId}`).sort();
    assert.deepEqual(queues, [
      "broker-a/0",
      "broker-a/1",
      "broker-a/2",
      "broker-a/3",
      "broker-b/0",
      "broker-b/1",
    ]);
    assert.ok(info.messageQueueList.every((q) => q.topic === "TopicTest"));
    assert.equal(producer._mqClient.findBrokerAddressInPublish("broker-a"), "127.0.0.1:10911");
    assert.equal(producer._mqClient.findBrokerAddressInPublish("broker-b"), "127.0.0.1:10931");

    await assert.rejects(
      producer._mqClient.getTopicRouteInfoFromNameServer("NoSuchTopic", 3000),
      (e: Error & { code?: number }) => {
        assert.equal(e.code, ResponseCode.TOPIC_NOT_EXIST);
        assert.match(e.message, /^No topic route info in name server for the topic: NoSuchTopic/);
        return true;
      },
    );
  } finally {
    // On close ali-ons says goodbye (UNREGISTER_CLIENT) to every broker it learned of; no broker
    // runs here, so it is made to forget them first.
    producer._mqClient._brokerAddrTable.clear();
    await producer.close();
    await Producer.defaultProducer?.close();
    Producer.defaultProducer = null;
    // ali-ons' task loops check for close after each sleep; let the last sleeps run out.
    await delay(TASK_INTERVAL_MS * 10);
  }
  // A heartbeat ali-ons' timer sends to the (absent) brokers fails with ECONNREFUSED; anything
  // else is a real failure.
  const unexpected = errors.filter((e) => !/ECONNREFUSED/.test(String(e)));
  assert.deepEqual(unexpected, [], logs.join("\n"));
});
