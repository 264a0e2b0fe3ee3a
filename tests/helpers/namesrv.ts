/**
 * An in-process name server on 127.0.0.1, port 0, its KV config in a temp dir:
 * `await using ns = await startNamesrv();` then give clients `ns.addr`.
 */
import { NamesrvController } from "../../src/namesrv/namesrv.ts";
import type { NamesrvConfig } from "../../src/namesrv/namesrv_config.ts";
import type { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { encodeHeader } from "../../src/remoting/header_codec.ts";
import { RegisterBrokerRequestHeader } from "../../src/remoting/headers.ts";
import type { DataVersion } from "../../src/remoting/body/data_version.ts";
import { encodeRegisterBrokerBody } from "../../src/remoting/body/register_broker_body.ts";
import { createTopicConfig, type TopicConfig } from "../../src/remoting/body/topic_config.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { maskedCrc32 } from "../../src/common/crc32.ts";

export interface TestNamesrv extends AsyncDisposable {
  controller: NamesrvController;
  /** `127.0.0.1:PORT` */
  addr: string;
  port: number;
  /** Temp dir holding the KV config file (removed on dispose). */
  dir: string;
}

export async function startNamesrv(config: Partial<NamesrvConfig> = {}): Promise<TestNamesrv> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-namesrv-" });
  const controller = new NamesrvController({
    listenPort: 0,
    bindAddress: "127.0.0.1",
    kvConfigPath: `${dir}/kvConfig.json`,
    ...config,
  });
  try {
    const { port } = await controller.start();
    return {
      controller,
      addr: `127.0.0.1:${port}`,
      port,
      dir,
      async [Symbol.asyncDispose]() {
        await controller.shutdown(1000);
        await Deno.remove(dir, { recursive: true });
      },
    };
  } catch (e) {
    await controller.shutdown(0);
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
}

export interface TestBroker {
  clusterName?: string;
  brokerName?: string;
  brokerAddr: string;
  brokerId?: number;
  haServerAddr?: string;
  /** Topic name → queue count (read = write), or full TopicConfigs. */
  topics?: Record<string, number> | TopicConfig[];
  dataVersion?: DataVersion;
  compressed?: boolean;
}

/** The REGISTER_BROKER request a Java broker sends, body checksummed as 4.9 does. */
export function registerBrokerRequest(b: TestBroker): RemotingCommand {
  const table = new Map<string, TopicConfig>();
  const topics = b.topics ?? {};
  const list = Array.isArray(topics)
    ? topics
    : Object.entries(topics).map(([name, n]) =>
      createTopicConfig(name, { readQueueNums: n, writeQueueNums: n })
    );
  for (const tc of list) table.set(tc.topicName, tc);
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: {
      topicConfigTable: table,
      dataVersion: b.dataVersion ?? { timestamp: 1_700_000_000_000, counter: 1 },
    },
    filterServerList: [],
  }, b.compressed ?? false);
  const header = encodeHeader(RegisterBrokerRequestHeader, {
    brokerName: b.brokerName ?? "broker-a",
    brokerAddr: b.brokerAddr,
    clusterName: b.clusterName ?? "DefaultCluster",
    haServerAddr: b.haServerAddr ?? "127.0.0.1:10912",
    brokerId: b.brokerId ?? 0,
    compressed: b.compressed ?? false,
    bodyCrc32: maskedCrc32(body),
  });
  return createRequest(RequestCode.REGISTER_BROKER, header, { body });
}

/** Registers a broker through `client`, as a broker's periodic registration does. */
export function registerTestBroker(
  client: RemotingClient,
  namesrvAddr: string,
  broker: TestBroker,
): Promise<RemotingCommand> {
  return client.invokeSync(namesrvAddr, registerBrokerRequest(broker), 3000);
}
