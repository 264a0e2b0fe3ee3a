/**
 * GET_BROKER_RUNTIME_INFO: the keys a 4.8 broker reports (DefaultMessageStore, StoreStatsService,
 * AdminBrokerProcessor), in their formats, since mqadmin clusterList and brokerStatus read them:
 * rates as "10s 1min 10min" (a window not yet covered is empty), byte counts human-readable
 * where Java makes them so, queue sizes of the thread pools Java has (rmq's requests have no
 * pools: 0 waiting, the configured capacities).
 */
import type { BrokerContext, BrokerServices } from "./broker_context.ts";
import { diskSpace } from "../store/clean_service.ts";
import { SCHEDULE_TOPIC } from "../store/message_store.ts";
import type { Tps } from "../store/store_types.ts";
import { ROCKETMQ_VERSION, ROCKETMQ_VERSION_NAME } from "../version.ts";

/** Java's BrokerConfig defaults for the thread-pool queues rmq does not have. */
const PULL_QUEUE_CAPACITY = 100_000;
const QUERY_QUEUE_CAPACITY = 20_000;
const END_TRANSACTION_QUEUE_CAPACITY = 100_000;

export function runtimeInfo(
  ctx: BrokerContext,
  s: Pick<BrokerServices, "schedule" | "stats">,
  now = Date.now(),
): Map<string, string> {
  const store = ctx.store;
  const st = store.stats;
  const flow = ctx.sendFlowControl;
  const morning = s.stats.morning;
  const disk = store.diskUsageRatio < 0 ? "-1" : String(store.diskUsageRatio / 100);
  const space = diskSpace(store.config.storePathRootDir);
  const info: [string, string | number][] = [
    ["brokerVersionDesc", ROCKETMQ_VERSION_NAME],
    ["brokerVersion", ROCKETMQ_VERSION],
    ["bootTimestamp", ctx.bootTimestamp],
    ["runtime", formatRuntime(now - ctx.bootTimestamp)],
    ["startAcceptSendRequestTimeStamp", ctx.startAcceptSendRequestTimeStamp],
    ["msgPutTotalYesterdayMorning", morning.msgPutTotalYesterdayMorning],
    ["msgPutTotalTodayMorning", morning.msgPutTotalTodayMorning],
    ["msgPutTotalTodayNow", st.putMessageTimesTotal],
    ["msgGetTotalYesterdayMorning", morning.msgGetTotalYesterdayMorning],
    ["msgGetTotalTodayMorning", morning.msgGetTotalTodayMorning],
    ["msgGetTotalTodayNow", st.getMessageTransferedMsgCount],
    ["sendThreadPoolQueueSize", flow.size],
    ["sendThreadPoolQueueCapacity", flow.capacity],
    ["sendThreadPoolQueueHeadWaitTimeMills", flow.headWaitMs(now)],
    ["pullThreadPoolQueueSize", 0],
    ["pullThreadPoolQueueCapacity", PULL_QUEUE_CAPACITY],
    ["pullThreadPoolQueueHeadWaitTimeMills", 0],
    ["queryThreadPoolQueueSize", 0],
    ["queryThreadPoolQueueCapacity", QUERY_QUEUE_CAPACITY],
    ["queryThreadPoolQueueHeadWaitTimeMills", 0],
    ["EndTransactionQueueSize", 0],
    ["EndTransactionThreadPoolQueueCapacity", END_TRANSACTION_QUEUE_CAPACITY],
    ["putMessageEntireTimeMax", st.putMessageEntireTimeMax],
    ["putMessageTimesTotal", st.putMessageTimesTotal],
    ["putMessageSizeTotal", st.putMessageSizeTotal],
    ["putMessageFailedTimes", st.putMessageFailedTimes],
    ["putMessageDistributeTime", st.putMessageDistributeTime],
    [
      "putMessageAverageSize",
      javaDouble(
        st.putMessageTimesTotal > 0 ? st.putMessageSizeTotal / st.putMessageTimesTotal : 0,
      ),
    ],
    ["dispatchMaxBuffer", 0],
    ["getMessageEntireTimeMax", st.getMessageEntireTimeMax],
    ["putTps", tps(st.putTps)],
    ["getFoundTps", tps(st.getFoundTps)],
    ["getMissTps", tps(st.getMissTps)],
    ["getTotalTps", tps(st.getTotalTps)],
    ["getTransferedTps", tps(st.getTransferedTps)],
    ["dispatchBehindBytes", store.dispatchBehindBytes],
    ["pageCacheLockTimeMills", 0],
    ["earliestMessageTimeStamp", store.getEarliestCommitLogTime()],
    ["commitLogMinOffset", store.minPhyOffset],
    ["commitLogMaxOffset", store.maxPhyOffset],
    [
      "remainHowManyDataToFlush",
      humanReadableBytes(Math.max(0, store.maxPhyOffset - store.flushedPhyOffset)),
    ],
    ["commitLogDiskRatio", disk],
    ["consumeQueueDiskRatio", disk],
  ];
  if (space) {
    info.push([
      "commitLogDirCapacity",
      `Total : ${humanReadableBytes(space.total)}, Free : ${humanReadableBytes(space.free)}.`,
    ]);
  }
  for (const [level, offset] of s.schedule.offsetTable()) {
    const max = store.getMaxOffsetInQueue(SCHEDULE_TOPIC, level - 1);
    info.push([`scheduleMessageOffset_${level}`, `${offset},${max}`]);
  }
  return new Map(info.map(([k, v]) => [k, String(v)]));
}

/** "10s 1min 10min" rates; a window the broker has not run for yet is empty, as on Java. */
function tps(t: Tps): string {
  return t.map((v) => v === undefined ? "" : javaDouble(v)).join(" ");
}

/** A double as Java's Double.toString writes it (the forms admin tools parse back). */
export function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) {
    const [mantissa, exp] = n.toExponential().split("e");
    return `${mantissa.includes(".") ? mantissa : mantissa + ".0"}E${Number(exp)}`;
  }
  const s = String(n);
  return s.includes(".") ? s : `${s}.0`;
}

/** MixAll.humanReadableByteCount(bytes, false): "512 B", "1.5 KiB", "2.0 GiB". */
export function humanReadableBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const exp = Math.floor(Math.log(bytes) / Math.log(1024));
  return `${(bytes / 1024 ** exp).toFixed(1)} ${"KMGTPE"[exp - 1]}iB`;
}

/** `[ d days, h hours, m minutes, s seconds ]`, as the Java broker formats its uptime. */
export function formatRuntime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `[ ${Math.floor(s / 86400)} days, ${Math.floor(s / 3600) % 24} hours, ` +
    `${Math.floor(s / 60) % 60} minutes, ${s % 60} seconds ]`;
}
