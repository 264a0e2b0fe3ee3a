/**
 * Prometheus metrics of a whole cluster, for clusters whose brokers serve none themselves (Java
 * 4.x): `rmq dashboard` answers `/metrics` with the 4.x rocketmq-exporter's names and labels,
 * asked of the brokers when scraped. Unlike the exporter it polls nothing in the background and
 * caches one answer for a few seconds, so a scrape costs the cluster one round of requests and
 * nothing grows between scrapes. (rmq brokers serve their own, richer /metrics.)
 */
import { Gauge, Registry } from "prom-client";
import type { AdminClient } from "../admin/admin_client.ts";
import { decodeSubscriptionGroupWrapper } from "../remoting/body/subscription_group_config.ts";
import { RequestCode } from "../remoting/request_code.ts";
import {
  Exporter,
  EXPORTER_BROKER_LABELS,
  EXPORTER_GROUP_DIFF_LABELS,
  EXPORTER_GROUP_LABELS,
  EXPORTER_TOPIC_LABELS,
} from "../broker/metrics/metric_names.ts";

/** A scrape within this of the last one gets the same text. */
const CACHE_MS = 5000;

/** Topics and groups the brokers keep for themselves. */
function isSystem(name: string): boolean {
  return name.startsWith("%") || name.startsWith("rmq_sys_") || name.startsWith("RMQ_SYS_") ||
    name === "TBW102" || name === "SCHEDULE_TOPIC_XXXX" || name === "OFFSET_MOVED_EVENT" ||
    name.endsWith("_REPLY_TOPIC") || name === "SELF_TEST_TOPIC" || name === "BenchmarkTest";
}

export class ClusterMetrics {
  readonly #admin: AdminClient;
  #cached: { at: number; text: Promise<string> } | undefined;

  constructor(admin: AdminClient) {
    this.#admin = admin;
  }

  get contentType(): string {
    return new Registry().contentType;
  }

  text(now = Date.now()): Promise<string> {
    if (this.#cached && now - this.#cached.at < CACHE_MS) return this.#cached.text;
    const text = this.#collect();
    this.#cached = { at: now, text };
    text.catch(() => this.#cached = undefined);
    return text;
  }

  async #collect(): Promise<string> {
    const admin = this.#admin;
    const reg = new Registry();
    const gauge = (name: string, help: string, labelNames: readonly string[]) =>
      new Gauge({ name, help, labelNames: [...labelNames], registers: [reg] });
    const brokerTps = gauge(Exporter.BROKER_TPS, "BrokerPutNums", EXPORTER_BROKER_LABELS);
    const brokerQps = gauge(Exporter.BROKER_QPS, "BrokerGetNums", EXPORTER_BROKER_LABELS);
    const producerOffset = gauge(Exporter.PRODUCER_OFFSET, "TopicOffset", EXPORTER_TOPIC_LABELS);
    const consumerOffset = gauge(
      Exporter.CONSUMER_OFFSET,
      "GroupBrokerTotalOffset",
      EXPORTER_GROUP_LABELS,
    );
    const groupDiff = gauge(Exporter.GROUP_DIFF, "GroupDiff", EXPORTER_GROUP_DIFF_LABELS);
    const consumerTps = gauge(Exporter.CONSUMER_TPS, "GroupGetNums", EXPORTER_GROUP_LABELS);

    const info = await admin.clusterInfo();
    const topics = (await admin.topicList()).filter((t) => !isSystem(t));
    for (const [cluster, names] of info.clusterAddrTable) {
      for (const broker of names) {
        const addr = info.brokerAddrTable.get(broker)?.brokerAddrs.get(0);
        if (!addr) continue;
        const labels = { cluster, brokerIP: addr, broker };
        try {
          const rt = await admin.brokerRuntime(addr);
          const first = (k: string) => Number(rt.get(k)?.trim().split(/\s+/)[0] ?? 0) || 0;
          brokerTps.set(labels, first("putTps"));
          brokerQps.set(labels, first("getTransferedTps"));
        } catch {
          // A broker that cannot answer yet (a Java broker's first seconds) is left out.
        }
        for (const topic of topics) {
          try {
            const stats = await admin.topicStats(addr, topic);
            producerOffset.set(
              { cluster, broker, topic },
              stats.reduce((n, [, o]) => n + o.maxOffset, 0),
            );
          } catch {
            // Not on this broker.
          }
        }
        let groups: string[] = [];
        try {
          const res = await admin.call(addr, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
          groups = [...decodeSubscriptionGroupWrapper(res.body!).subscriptionGroupTable.keys()]
            .filter((g) => !isSystem(g) && !g.startsWith("CID_RMQ_SYS_") && g !== "TOOLS_CONSUMER");
        } catch {
          // No groups readable.
        }
        for (const group of groups) {
          let stats;
          try {
            stats = await admin.consumeStats(addr, group);
          } catch {
            continue; // A group that never consumed here.
          }
          const byTopic = new Map<string, { offset: number; diff: number }>();
          for (const [mq, o] of stats.offsetTable) {
            const t = byTopic.get(mq.topic) ?? { offset: 0, diff: 0 };
            t.offset += o.consumerOffset;
            t.diff += Math.max(0, o.brokerOffset - o.consumerOffset);
            byTopic.set(mq.topic, t);
          }
          for (const [topic, t] of byTopic) {
            if (topic.startsWith("%")) continue;
            consumerOffset.set({ cluster, broker, topic, group }, t.offset);
            consumerTps.set({ cluster, broker, topic, group }, stats.consumeTps);
            groupDiff.set(
              { group, topic, countOfOnlineConsumers: "0", msgModel: "0" },
              t.diff,
            );
          }
        }
      }
    }
    return await reg.metrics();
  }
}
