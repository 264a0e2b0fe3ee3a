/**
 * Measures the performance targets (the project's issue 6) the way a user would: `rmq namesrv`,
 * `rmq broker` (default config, or SYNC_FLUSH) and `rmq bench` as separate processes on this
 * machine, each case run --runs times; prints min / median / max per figure as a Markdown table.
 * Topics are created with 8 queues (as `mqadmin updateTopic` does by default); a consumer keeps
 * one pull in flight per queue, so auto-created 4-queue topics consume more slowly.
 *
 *   deno run -A tests/bench/targets.ts [--runs 3] [--dir DIR]
 *
 * Linux only (broker memory is read from /proc). Takes a few minutes: the memory case waits for
 * the broker's idle release (memoryReleaseIdleInterval, 60 s by default) once.
 */
import { parseArgs } from "node:util";
import { type RmqProcess, startRmq } from "../helpers/rmq.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "3" }, dir: { type: "string" } },
});
const RUNS = Number(values.runs);
const ROOT = values.dir ?? await Deno.makeTempDir({ prefix: "rmq-targets-" });
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function stop(p: RmqProcess): Promise<void> {
  p.child.kill("SIGTERM");
  await p.child.status;
}

function rssMiB(pid: number, key = "VmRSS"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)![1]) / 1024;
}

/** The fields of `rmq bench --json` used here. */
interface BenchSummary {
  tps: number;
  brokerPeakRssMiB: number;
  latencyMs: { p99: number };
}

/** `rmq bench … --json`: the summary object. */
async function bench(args: string[]): Promise<BenchSummary> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "bench", ...args, "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").pop()!;
  return JSON.parse(line);
}

const rows: [string, number[], string, string][] = [];
function record(name: string, samples: number[], unit: string, target: string) {
  rows.push([name, samples, unit, target]);
  console.error(`${name}: ${samples.map((s) => s.toFixed(2)).join(" ")} ${unit}`);
}

const namesrv = await startRmq(["namesrv", "-p", "0", "--host", "127.0.0.1"], /listening on \S+/);
const ns = namesrv.line.split(" ").pop()!;
const common = ["-n", ns, "--interval", "60s", "--queues", "8"];
try {
  // Default broker: produce, sync latency, consume, e2e, memory.
  const produced: number[] = [];
  const syncP99: number[] = [];
  const consumed: number[] = [];
  const e2eP99: number[] = [];
  const idle: number[] = [];
  const peak: number[] = [];
  let afterIdle = 0;
  for (let r = 0; r < RUNS; r++) {
    const store = `${ROOT}/async-${r}`;
    const broker = await startRmq(
      ["broker", "-n", ns, "-p", "0", "--host", "127.0.0.1", "--store", store],
      /listening on \S+/,
    );
    const pid = broker.child.pid;
    await new Promise((res) => setTimeout(res, 2000));
    idle.push(rssMiB(pid));
    const topic = `Targets${r}`;
    const p = await bench([
      "produce",
      ...common,
      "-t",
      topic,
      "--size",
      "1024",
      "--clients",
      "4",
      "--inflight",
      "256",
      "--count",
      "500000",
      "--watch-pid",
      String(pid),
    ]);
    produced.push(p.tps);
    peak.push(p.brokerPeakRssMiB);
    const c = await bench(["consume", ...common, "-t", topic, "--count", "500000"]);
    consumed.push(c.tps);
    const s = await bench([
      "produce",
      ...common,
      "-t",
      `${topic}Sync`,
      "--size",
      "1024",
      "--mode",
      "sync",
      "--count",
      "20000",
    ]);
    syncP99.push(s.latencyMs.p99);
    const e = await bench([
      "e2e",
      ...common,
      "-t",
      `${topic}E2e`,
      "--size",
      "1024",
      "--rate",
      "10000",
      "--duration",
      "20s",
    ]);
    e2eP99.push(e.latencyMs.p99);
    if (r === RUNS - 1) {
      await new Promise((res) => setTimeout(res, 75_000));
      afterIdle = rssMiB(pid);
    }
    await stop(broker);
  }
  record("produce 1 KiB, 256 in flight over 4 connections", produced, "msg/s", "≥ 100,000");
  record("produce 1 KiB, 1 client sync: P99", syncP99, "ms", "≤ 1");
  record("consume (push consumer, stored messages)", consumed, "msg/s", "≥ 200,000");
  record("e2e latency at 10,000 msg/s: P99", e2eP99, "ms", "≤ 5");
  record("broker RSS idle", idle, "MiB", "≤ 61 (64 MB)");
  record("broker peak RSS during the produce run", peak, "MiB", "≤ 244 (256 MB)");
  record("broker RSS 75 s after the last run", [afterIdle], "MiB", "toward idle");

  // SYNC_FLUSH broker: group commit.
  const syncFlush: number[] = [];
  const config = `${ROOT}/sync.toml`;
  Deno.writeTextFileSync(config, 'flushDiskType = "SYNC_FLUSH"\n');
  for (let r = 0; r < RUNS; r++) {
    const broker = await startRmq(
      [
        "broker",
        "-c",
        config,
        "-n",
        ns,
        "-p",
        "0",
        "--host",
        "127.0.0.1",
        "--store",
        `${ROOT}/sync-${r}`,
      ],
      /listening on \S+/,
    );
    const p = await bench([
      "produce",
      ...common,
      "-t",
      `SyncFlush${r}`,
      "--size",
      "1024",
      "--clients",
      "4",
      "--inflight",
      "256",
      "--count",
      "100000",
    ]);
    syncFlush.push(p.tps);
    await stop(broker);
  }
  record("SYNC_FLUSH, 1 KiB, 256 in flight", syncFlush, "msg/s", "≥ 30,000");

  // Start-up: launch to the NAMESRV_ADDR line of `rmq dev`.
  const startup: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const dev = await startRmq(
      ["dev", "-p", "0", "--broker-port", "0", "--no-dashboard", "--store", `${ROOT}/dev-${r}`],
      /NAMESRV_ADDR=\S+/,
    );
    startup.push(performance.now() - t0);
    await stop(dev);
  }
  record("rmq dev ready (launch to NAMESRV_ADDR)", startup, "ms", "≤ 300");
} finally {
  await stop(namesrv);
  if (values.dir === undefined) await Deno.remove(ROOT, { recursive: true });
}

const fmt = (n: number) => n >= 1000 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2);
console.log("| figure | min | median | max | unit | target |");
console.log("|---|---|---|---|---|---|");
for (const [name, s, unit, target] of rows) {
  const sorted = [...s].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `| ${name} | ${fmt(sorted[0])} | ${fmt(median)} | ${
      fmt(sorted.at(-1)!)
    } | ${unit} | ${target} |`,
  );
}
