/**
 * The broker's Prometheus metrics, read at scrape time straight from what the broker keeps
 * (statistics, offsets, the store, client tables) — never by asking itself over the wire, as
 * the 4.x exporter asks a cluster. Two name sets (metric_names.ts) and the process figures
 * prom-client collects (RSS, CPU, event-loop lag, GC).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { requestCodeName } from "../../remoting/request_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { responseCodeName } from "../../remoting/response_code.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { StatsName } from "../broker_stats.ts";
import {
  Exporter,
  EXPORTER_BROKER_LABELS,
  EXPORTER_GROUP_DIFF_LABELS,
  EXPORTER_GROUP_LABELS,
  EXPORTER_TOPIC_LABELS,
  MESSAGE_SIZE_BUCKETS,
  Native,
  NativeLabel as L,
  NODE_TYPE_BROKER,
  PROTOCOL_TYPE_REMOTING,
  RPC_LATENCY_BUCKETS_MS,
} from "./metric_names.ts";

/** `topic@group`, as the statistics key group gets. */
const AT = "@";

/** What the metrics read. */
export interface MetricsSources {
  ctx: BrokerContext;
  services: BrokerServices;
  /** When a name server last accepted this broker's registration (0: never). */
  lastRegisteredAt: () => number;
}

export interface Health {
  up: boolean;
  storeWritable: boolean;
  registered: boolean;
}

export class BrokerMetrics {
  readonly #native = new Registry();
  readonly #exporter = new Registry();
  readonly #process = new Registry();
  readonly #rpc: Histogram<string>;
  readonly #sizes: Histogram<string>;
  readonly #src: MetricsSources;

  constructor(src: MetricsSources) {
    this.#src = src;
    const { ctx } = src;
    this.#native.setDefaultLabels({
      [L.CLUSTER]: ctx.clusterName,
      [L.NODE_TYPE]: NODE_TYPE_BROKER,
      [L.NODE_ID]: ctx.brokerName,
    });
    collectDefaultMetrics({ register: this.#process });
    this.#rpc = new Histogram({
      name: Native.RPC_LATENCY,
      help: "Time from a request's arrival to its answer, ms",
      labelNames: [L.PROTOCOL_TYPE, L.REQUEST_CODE, L.RESPONSE_CODE],
      buckets: RPC_LATENCY_BUCKETS_MS,
      registers: [this.#native],
    });
    this.#sizes = new Histogram({
      name: Native.MESSAGE_SIZE,
      help: "Stored message sizes, bytes (a batch's messages each count at its average)",
      labelNames: [L.TOPIC, L.MESSAGE_TYPE],
      buckets: MESSAGE_SIZE_BUCKETS,
      registers: [this.#native],
    });
    this.#defineNative();
    this.#defineExporter();
  }

  /** `p`, reporting each answer's code and time (rocketmq_rpc_latency). */
  timed(p: Processor): Processor {
    return (req, ch) => {
      const start = performance.now();
      const r = p(req, ch);
      if (r instanceof Promise) {
        return r.then((res) => {
          this.#observeRpc(req.code, res?.code, performance.now() - start);
          return res;
        });
      }
      this.#observeRpc(req.code, r?.code, performance.now() - start);
      return r;
    };
  }

  /** One answered request. */
  #observeRpc(requestCode: number, responseCode: number | undefined, ms: number): void {
    this.#rpc.observe({
      [L.PROTOCOL_TYPE]: PROTOCOL_TYPE_REMOTING,
      [L.REQUEST_CODE]: requestCodeName(requestCode).toLowerCase(),
      [L.RESPONSE_CODE]: responseCode === undefined
        ? "none"
        : responseCodeName(responseCode).toLowerCase(),
    }, ms);
  }

  /** Stored messages (from the statistics' put observer). */
  observeMessages(topic: string, messages: number, bytes: number): void {
    const labels = { [L.TOPIC]: topic, [L.MESSAGE_TYPE]: "normal" };
    const each = messages > 0 ? bytes / messages : 0;
    for (let i = 0; i < messages; i++) this.#sizes.observe(labels, each);
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> {
    // Each registry renders its own default labels (a merged one would drop them).
    const parts = await Promise.all(
      [this.#native, this.#exporter, this.#process].map((r) => r.metrics()),
    );
    return parts.map((p) => p.endsWith("\n") ? p : `${p}\n`).join("");
  }

  get contentType(): string {
    return this.#native.contentType;
  }

  health(): Health {
    const storeWritable = this.#src.ctx.store.isWritable;
    const registered = this.#src.lastRegisteredAt() > 0;
    return { up: storeWritable && registered, storeWritable, registered };
  }

  #defineNative(): void {
    const { ctx, services: s } = this.#src;
    const reg = [this.#native];
    const counterOf = (name: string, help: string, stat: StatsName, split: boolean) =>
      new Counter({
        name,
        help,
        labelNames: split ? [L.TOPIC, L.CONSUMER_GROUP] : [L.TOPIC],
        registers: reg,
        collect() {
          this.reset();
          for (const [key, value] of s.stats.totals(stat)) {
            if (!split) this.inc({ [L.TOPIC]: key }, value);
            else {
              const at = key.indexOf(AT);
              this.inc(
                { [L.TOPIC]: key.slice(0, at), [L.CONSUMER_GROUP]: key.slice(at + 1) },
                value,
              );
            }
          }
        },
      });
    counterOf(
      Native.MESSAGES_IN_TOTAL,
      "Messages stored, by topic",
      StatsName.TOPIC_PUT_NUMS,
      false,
    );
    counterOf(
      Native.THROUGHPUT_IN_TOTAL,
      "Bytes stored, by topic",
      StatsName.TOPIC_PUT_SIZE,
      false,
    );
    counterOf(
      Native.MESSAGES_OUT_TOTAL,
      "Messages delivered, by topic and group",
      StatsName.GROUP_GET_NUMS,
      true,
    );
    counterOf(
      Native.THROUGHPUT_OUT_TOTAL,
      "Bytes delivered, by topic and group",
      StatsName.GROUP_GET_SIZE,
      true,
    );
    new Gauge({
      name: Native.PRODUCER_CONNECTIONS,
      help: "Producer connections",
      registers: reg,
      collect() {
        let n = 0;
        for (const [, size] of s.producers.groupSizes()) n += size;
        this.set(n);
      },
    });
    new Gauge({
      name: Native.CONSUMER_CONNECTIONS,
      help: "Consumer connections, by group",
      labelNames: [L.CONSUMER_GROUP],
      registers: reg,
      collect() {
        this.reset();
        for (const g of s.consumers.groups()) {
          this.set({ [L.CONSUMER_GROUP]: g.groupName }, g.channels().length);
        }
      },
    });
    const lag = this.#lagOf.bind(this);
    new Gauge({
      name: Native.CONSUMER_LAG_MESSAGES,
      help: "Messages stored but not yet committed by the group, by topic and group",
      labelNames: [L.TOPIC, L.CONSUMER_GROUP],
      registers: reg,
      collect() {
        this.reset();
        for (const l of lag()) {
          this.set({ [L.TOPIC]: l.topic, [L.CONSUMER_GROUP]: l.group }, l.messages);
        }
      },
    });
    new Gauge({
      name: Native.CONSUMER_LAG_LATENCY,
      help: "Age of the oldest message the group has not consumed, ms, by topic and group",
      labelNames: [L.TOPIC, L.CONSUMER_GROUP],
      registers: reg,
      async collect() {
        this.reset();
        const now = Date.now();
        for (const l of lag()) {
          let oldest = now;
          for (const [queueId, offset] of l.behind) {
            const t = await ctx.store.getMessageStoreTimeStamp(l.topic, queueId, offset);
            if (t > 0 && t < oldest) oldest = t;
          }
          this.set({ [L.TOPIC]: l.topic, [L.CONSUMER_GROUP]: l.group }, now - oldest);
        }
      },
    });
    new Gauge({
      name: Native.BROKER_PERMISSION,
      help: "Broker permission bits (4 read, 2 write)",
      registers: reg,
      collect() {
        this.set(ctx.config.brokerPermission);
      },
    });
    const storageLabels = [L.STORAGE_TYPE, L.STORAGE_MEDIUM];
    const storage = { [L.STORAGE_TYPE]: "local", [L.STORAGE_MEDIUM]: "disk" };
    new Gauge({
      name: Native.STORAGE_SIZE,
      help: "Bytes of commit log kept",
      labelNames: storageLabels,
      registers: reg,
      collect() {
        this.set(storage, ctx.store.maxPhyOffset - ctx.store.minPhyOffset);
      },
    });
    new Gauge({
      name: Native.STORAGE_FLUSH_BEHIND,
      help: "Bytes written but not yet flushed",
      labelNames: storageLabels,
      registers: reg,
      collect() {
        this.set(storage, Math.max(0, ctx.store.maxPhyOffset - ctx.store.flushedPhyOffset));
      },
    });
    new Gauge({
      name: Native.STORAGE_DISPATCH_BEHIND,
      help: "Bytes written but not yet in consume queues and index",
      labelNames: storageLabels,
      registers: reg,
      collect() {
        this.set(storage, ctx.store.dispatchBehindBytes);
      },
    });
    new Gauge({
      name: Native.STORAGE_MESSAGE_RESERVE_TIME,
      help: "Age of the oldest message kept, ms (0: none)",
      labelNames: storageLabels,
      registers: reg,
      collect() {
        const t = ctx.store.getEarliestCommitLogTime();
        this.set(storage, t > 0 ? Date.now() - t : 0);
      },
    });
  }

  #defineExporter(): void {
    const { ctx, services: s } = this.#src;
    const reg = [this.#exporter];
    const base = { cluster: ctx.clusterName, broker: ctx.brokerName };
    const perTopic = (name: string, help: string, stat: StatsName) =>
      new Gauge({
        name,
        help,
        labelNames: [...EXPORTER_TOPIC_LABELS],
        registers: reg,
        collect() {
          this.reset();
          for (const [topic] of s.stats.totals(stat)) {
            this.set({ ...base, topic }, s.stats.minuteTps(stat, topic));
          }
        },
      });
    perTopic(
      Exporter.PRODUCER_TPS,
      "TopicPutNums: messages stored per second",
      StatsName.TOPIC_PUT_NUMS,
    );
    perTopic(
      Exporter.PRODUCER_MESSAGE_SIZE,
      "TopicPutMessageSize: bytes stored per second",
      StatsName.TOPIC_PUT_SIZE,
    );
    const perGroup = (name: string, help: string, stat: StatsName) =>
      new Gauge({
        name,
        help,
        labelNames: [...EXPORTER_GROUP_LABELS],
        registers: reg,
        collect() {
          this.reset();
          for (const [key] of s.stats.totals(stat)) {
            const at = key.indexOf(AT);
            this.set(
              { ...base, topic: key.slice(0, at), group: key.slice(at + 1) },
              s.stats.minuteTps(stat, key),
            );
          }
        },
      });
    perGroup(
      Exporter.CONSUMER_TPS,
      "GroupGetNums: messages delivered per second",
      StatsName.GROUP_GET_NUMS,
    );
    perGroup(
      Exporter.CONSUMER_MESSAGE_SIZE,
      "GroupGetMessageSize: bytes delivered per second",
      StatsName.GROUP_GET_SIZE,
    );
    new Gauge({
      name: Exporter.PRODUCER_OFFSET,
      help: "TopicOffset: the sum of the topic's queue max offsets",
      labelNames: [...EXPORTER_TOPIC_LABELS],
      registers: reg,
      collect() {
        this.reset();
        for (const tc of ctx.topicConfigManager.topics()) {
          let sum = 0;
          for (let q = 0; q < tc.writeQueueNums; q++) {
            sum += ctx.store.getMaxOffsetInQueue(tc.topicName, q);
          }
          this.set({ ...base, topic: tc.topicName }, sum);
        }
      },
    });
    const lag = this.#lagOf.bind(this);
    new Gauge({
      name: Exporter.CONSUMER_OFFSET,
      help: "GroupBrokerTotalOffset: the sum of the group's committed offsets",
      labelNames: [...EXPORTER_GROUP_LABELS],
      registers: reg,
      collect() {
        this.reset();
        for (const l of lag()) this.set({ ...base, topic: l.topic, group: l.group }, l.committed);
      },
    });
    new Gauge({
      name: Exporter.GROUP_DIFF,
      help: "GroupDiff: messages the group has not consumed yet",
      labelNames: [...EXPORTER_GROUP_DIFF_LABELS],
      registers: reg,
      collect() {
        this.reset();
        for (const l of lag()) {
          const info = s.consumers.get(l.group);
          this.set({
            group: l.group,
            topic: l.topic,
            countOfOnlineConsumers: String(info?.clientIds().length ?? 0),
            msgModel: info?.messageModel === "BROADCASTING" ? "1" : "0",
          }, l.messages);
        }
      },
    });
    const brokerRate = (name: string, help: string, stat: StatsName) =>
      new Gauge({
        name,
        help,
        labelNames: [...EXPORTER_BROKER_LABELS],
        registers: reg,
        collect() {
          // brokerAddr is known once the broker listens, after this was built.
          const labels = {
            cluster: ctx.clusterName,
            brokerIP: ctx.brokerAddr,
            broker: ctx.brokerName,
          };
          this.set(labels, s.stats.minuteTps(stat, ctx.clusterName));
        },
      });
    brokerRate(
      Exporter.BROKER_TPS,
      "BrokerPutNums: messages stored per second",
      StatsName.BROKER_PUT_NUMS,
    );
    brokerRate(
      Exporter.BROKER_QPS,
      "BrokerGetNums: messages delivered per second",
      StatsName.BROKER_GET_NUMS,
    );
  }

  /** Each group's committed offsets and backlog on each topic it has committed on. */
  #lagOf(): GroupLag[] {
    const store = this.#src.ctx.store;
    const out: GroupLag[] = [];
    for (const [topic, group, queues] of this.#src.services.consumerOffsets.entries()) {
      if (topic.startsWith("%RETRY%")) continue;
      let committed = 0;
      let messages = 0;
      const behind: [number, number][] = [];
      for (const [queueId, offset] of queues) {
        committed += offset;
        const max = store.getMaxOffsetInQueue(topic, queueId);
        if (max > offset) {
          messages += max - offset;
          behind.push([queueId, offset]);
        }
      }
      out.push({ topic, group, committed, messages, behind });
    }
    return out;
  }
}

interface GroupLag {
  topic: string;
  group: string;
  committed: number;
  messages: number;
  /** Queues with a backlog: (queue id, the first offset not consumed). */
  behind: [number, number][];
}
