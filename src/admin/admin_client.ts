/**
 * What `rmq admin` asks a cluster, over the remoting protocol only, so it works against Java
 * RocketMQ 4.x clusters as well as rmq: the name servers for the cluster layout and routes, the
 * brokers for their statistics, offsets and settings. A refusal becomes an AdminError carrying
 * the answer's code and remark.
 */
import { parseAddrList } from "../common/address.ts";
import { errorMessage } from "../common/errors.ts";
import type { ClientSecurity } from "../cli/args.ts";
import {
  type ClusterInfo,
  decodeClusterInfo,
  decodeTopicRouteData,
  type TopicRouteData,
} from "../remoting/body/topic_route_data.ts";
import { decodeKVTable, decodeTopicList } from "../remoting/body/topic_list.ts";
import { type ConsumeStats, decodeConsumeStats } from "../remoting/body/consume_stats.ts";
import { decodeTopicStatsTable, type TopicStatsTable } from "../remoting/body/topic_stats_table.ts";
import { decodeProperties } from "../remoting/body/properties_body.ts";
import { RemotingClient } from "../remoting/client.ts";
import { createRequest, type RemotingCommand } from "../remoting/command.ts";
import { encodeHeader } from "../remoting/header_codec.ts";
import { CreateTopicRequestHeader } from "../remoting/headers.ts";
import { RequestCode, requestCodeName } from "../remoting/request_code.ts";
import { ResponseCode, responseCodeName } from "../remoting/response_code.ts";
import { MASTER_ID } from "../remoting/body/topic_route_data.ts";

/** A server answered with an error code. */
export class AdminError extends Error {
  override name = "AdminError";
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export interface AdminClientOptions {
  namesrvAddr: string;
  timeoutMs?: number;
  security?: ClientSecurity;
}

/** A topic as updateTopic creates it. */
export interface TopicSpec {
  topic: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  order: boolean;
}

export class AdminClient implements AsyncDisposable {
  /** For commands that need rmq's client library (sendMessage). */
  readonly namesrvAddr: string;
  readonly security: ClientSecurity;
  readonly #remoting: RemotingClient;
  readonly #namesrvs: string[];
  readonly #timeoutMs: number;

  constructor(o: AdminClientOptions) {
    this.namesrvAddr = o.namesrvAddr;
    this.security = o.security ?? {};
    this.#namesrvs = parseAddrList(o.namesrvAddr);
    this.#timeoutMs = o.timeoutMs ?? 5000;
    const sec = o.security ?? {};
    this.#remoting = new RemotingClient({
      connectTimeoutMs: Math.min(3000, this.#timeoutMs),
      credentials: sec.accessKey && sec.secretKey
        ? { accessKey: sec.accessKey, secretKey: sec.secretKey }
        : undefined,
      tls: sec.tls ? { caCerts: sec.tlsCaCerts } : undefined,
    });
  }

  /** One request to `addr`; the answer, or AdminError when it is not SUCCESS. */
  async call(
    addr: string,
    code: number,
    ext: Record<string, string> = {},
    body?: Uint8Array,
  ): Promise<RemotingCommand> {
    const res = await this.#remoting.invokeSync(
      addr,
      createRequest(code, ext, { body }),
      this.#timeoutMs,
    );
    if (res.code !== ResponseCode.SUCCESS) {
      throw new AdminError(
        res.code,
        `${requestCodeName(code)} to ${addr}: ${responseCodeName(res.code)} (${res.code})${
          res.remark ? `: ${res.remark}` : ""
        }`,
      );
    }
    return res;
  }

  /** A name-server request, tried on each name server until one answers. */
  async namesrv(code: number, ext: Record<string, string> = {}): Promise<RemotingCommand> {
    let last: unknown;
    for (const addr of this.#namesrvs) {
      try {
        return await this.call(addr, code, ext);
      } catch (e) {
        if (e instanceof AdminError) throw e; // It answered: the answer stands.
        last = e;
      }
    }
    throw new Error(
      `cannot reach the name server (${this.#namesrvs.join(";")}): ${errorMessage(last)}`,
    );
  }

  /** A request every name server must take (each keeps its own state); their answers. */
  async everyNamesrv(
    code: number,
    ext: Record<string, string> = {},
  ): Promise<[string, RemotingCommand][]> {
    const out: [string, RemotingCommand][] = [];
    for (const addr of this.#namesrvs) out.push([addr, await this.call(addr, code, ext)]);
    return out;
  }

  async clusterInfo(): Promise<ClusterInfo> {
    return decodeClusterInfo((await this.namesrv(RequestCode.GET_BROKER_CLUSTER_INFO)).body!);
  }

  async topicList(): Promise<string[]> {
    const res = await this.namesrv(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    return [...decodeTopicList(res.body!).topicList].sort();
  }

  async topicRoute(topic: string): Promise<TopicRouteData> {
    const res = await this.namesrv(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    return decodeTopicRouteData(res.body!);
  }

  async topicStats(brokerAddr: string, topic: string): Promise<TopicStatsTable> {
    const res = await this.call(brokerAddr, RequestCode.GET_TOPIC_STATS_INFO, { topic });
    return decodeTopicStatsTable(res.body!);
  }

  async consumeStats(brokerAddr: string, group: string, topic?: string): Promise<ConsumeStats> {
    const ext: Record<string, string> = { consumerGroup: group };
    if (topic !== undefined) ext.topic = topic;
    const res = await this.call(brokerAddr, RequestCode.GET_CONSUME_STATS, ext);
    return decodeConsumeStats(res.body!);
  }

  async brokerRuntime(brokerAddr: string): Promise<Map<string, string>> {
    const res = await this.call(brokerAddr, RequestCode.GET_BROKER_RUNTIME_INFO);
    return new Map(decodeKVTable(res.body!));
  }

  async brokerConfig(brokerAddr: string): Promise<Map<string, string>> {
    const res = await this.call(brokerAddr, RequestCode.GET_BROKER_CONFIG);
    return decodeProperties(res.body ?? new Uint8Array(0));
  }

  async createTopic(brokerAddr: string, t: TopicSpec): Promise<void> {
    await this.call(
      brokerAddr,
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      encodeHeader(CreateTopicRequestHeader, {
        topic: t.topic,
        defaultTopic: "TBW102",
        readQueueNums: t.readQueueNums,
        writeQueueNums: t.writeQueueNums,
        perm: t.perm,
        topicFilterType: "SINGLE_TAG",
        topicSysFlag: 0,
        order: t.order,
      }),
    );
  }

  async deleteTopicInBroker(brokerAddr: string, topic: string): Promise<void> {
    await this.call(brokerAddr, RequestCode.DELETE_TOPIC_IN_BROKER, { topic });
  }

  /** DELETE_TOPIC_IN_NAMESRV on every name server (each keeps its own routes). */
  async deleteTopicInNamesrvs(topic: string): Promise<void> {
    await this.everyNamesrv(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic });
  }

  /** Master addresses of a cluster (every cluster when none is named), by broker name. */
  async masters(cluster?: string): Promise<Map<string, string>> {
    const info = await this.clusterInfo();
    const names = cluster === undefined
      ? [...info.brokerAddrTable.keys()]
      : info.clusterAddrTable.get(cluster);
    if (!names) throw new Error(`no cluster named ${cluster}`);
    const out = new Map<string, string>();
    for (const name of [...names].sort()) {
      const addr = info.brokerAddrTable.get(name)?.brokerAddrs.get(MASTER_ID);
      if (addr) out.set(name, addr);
    }
    return out;
  }

  close(): Promise<void> {
    return this.#remoting.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
