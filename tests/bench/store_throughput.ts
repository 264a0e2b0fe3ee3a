/**
 * Store throughput and memory, all on one disk in one run:
 *
 *   deno run -A tests/bench/store_throughput.ts [--dir D] [--gib 2] [--runs 3] [--seconds 3]
 *
 * 1. raw: sequential 4 MiB writes to one file, then fsync (the ceiling);
 * 2. puts of 128 B and 1 KiB messages with 1 and 64 concurrent putters, ASYNC_FLUSH and
 *    SYNC_FLUSH (each case time-boxed to --seconds);
 * 3. reads: a consumer pulling 32 at a time, of recent messages (memory) and of old ones;
 * 4. resident memory while --gib GiB are put (1 KiB, 64 putters, ASYNC_FLUSH): peak RSS.
 *
 * Throughput cases run --runs times and print min / median / max.
 */
import { parseArgs } from "node:util";
import { MessageStore } from "../../src/store/message_store.ts";
import type { MessageInput, StoreConfig } from "../../src/store/message_store.ts";

const args = parseArgs({
  options: {
    dir: { type: "string" },
    gib: { type: "string", default: "2" },
    runs: { type: "string", default: "3" },
    seconds: { type: "string", default: "3" },
    "memory-only": { type: "boolean", default: false },
  },
});
const base = args.values.dir ?? await Deno.makeTempDir({ prefix: "store_bench_" });
await Deno.mkdir(base, { recursive: true });
const GIB = Number(args.values.gib);
const RUNS = Number(args.values.runs);
const SECONDS = Number(args.values.seconds);
const MIB = 1024 * 1024;

const host = { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 };
const hex = "0123456789ABCDEF";

/** 4096 distinct property strings like a producer's (UNIQ_KEY + TAGS), cycled. */
const PROPS = Array.from({ length: 4096 }, (_, i) => {
  let id = "7F0000010001B4AAC2D5";
  for (let k = 0; k < 12; k++) id += hex[(i >> ((k % 4) * 4)) & 15];
  return `UNIQ_KEY\u0001${id}\u0002TAGS\u0001TagA\u0002`;
});

function message(body: Uint8Array, i: number): MessageInput {
  return {
    topic: "BenchTopic",
    queueId: i & 7,
    flag: 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: host,
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body,
    properties: PROPS[i & 4095],
  };
}

async function freshDir(name: string): Promise<string> {
  const d = `${base}/${name}`;
  await Deno.remove(d, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  return d;
}

/** Sequential writes of `chunkSize` to a new file, then fsync: MB/s. */
async function raw(bytes: number, chunkSize: number, sync: boolean): Promise<number> {
  const path = `${base}/raw.bin`;
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(chunkSize).fill(7);
  const t0 = performance.now();
  for (let done = 0; done < bytes; done += chunk.length) {
    let n = 0;
    while (n < chunk.length) {
      n += sync ? f.writeSync(chunk.subarray(n)) : await f.write(chunk.subarray(n));
    }
  }
  await f.syncData();
  const s = (performance.now() - t0) / 1000;
  f.close();
  await Deno.remove(path);
  return bytes / MIB / s;
}

interface PutFigures {
  msgsPerSec: number;
  mbPerSec: number;
  /** Puts per commit-log sync. */
  perSync: number;
  peakRss?: number;
}

async function puts(
  name: string,
  config: Partial<StoreConfig>,
  bodySize: number,
  putters: number,
  limit: { seconds?: number; bytes?: number },
  sampleRss = false,
): Promise<PutFigures> {
  const dir = await freshDir(name);
  const store = await MessageStore.open({ storePathRootDir: dir, ...config });
  const body = new Uint8Array(bodySize).fill(97);
  let sent = 0;
  let bytes = 0;
  let stop = false;
  let peak = Deno.memoryUsage().rss;
  const sampler = sampleRss
    ? setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 50)
    : undefined;
  const t0 = performance.now();
  const deadline = limit.seconds ? t0 + limit.seconds * 1000 : Infinity;
  const putter = async (p: number) => {
    let i = p;
    while (!stop) {
      const r = await store.putMessage(message(body, i));
      if (r.status !== "PUT_OK" && r.status !== "OS_PAGECACHE_BUSY") {
        throw new Error(`put failed: ${r.status} ${r.remark}`);
      }
      if (r.status === "PUT_OK") {
        sent++;
        bytes += r.append!.wroteBytes;
      }
      i += putters;
      if ((sent & 255) === 0) {
        if (performance.now() > deadline || bytes >= (limit.bytes ?? Infinity)) stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: putters }, (_, p) => putter(p)));
  const perSync = sent / Math.max(1, store.stats.commitLogSyncTimes);
  await store.close();
  const s = (performance.now() - t0) / 1000;
  if (sampler !== undefined) clearInterval(sampler);
  peak = Math.max(peak, Deno.memoryUsage().rss);
  await Deno.remove(dir, { recursive: true });
  return {
    msgsPerSec: sent / s,
    mbPerSec: bytes / MIB / s,
    perSync,
    peakRss: sampleRss ? peak : undefined,
  };
}

async function reads(bodySize: number, count: number): Promise<{ recent: number; old: number }> {
  const dir = await freshDir("reads");
  const store = await MessageStore.open({
    storePathRootDir: dir,
    accessMessageInMemoryMaxRatio: 100,
  });
  const body = new Uint8Array(bodySize).fill(97);
  const m = (i: number) => ({ ...message(body, i), queueId: 0 });
  const write = async (n: number, from: number) => {
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      inflight.push(store.putMessage(m(from + i)));
      if (inflight.length >= 256) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
  };
  const drain = async (from: number, to: number) => {
    const t0 = performance.now();
    let offset = from;
    let got = 0;
    while (offset < to) {
      const r = await store.getMessage("g", "BenchTopic", 0, offset, 32);
      got += r.messageCount;
      offset = r.nextBeginOffset;
    }
    return got / ((performance.now() - t0) / 1000);
  };
  // Old: far more than the hot cache holds, read from the start.
  await write(count, 0);
  const old = await drain(0, count);
  // Recent: a consumer right behind the producer, batches of 4096 just written.
  let recentSum = 0;
  let recentTime = 0;
  let offset = store.getMaxOffsetInQueue("BenchTopic", 0);
  for (let round = 0; round < 16; round++) {
    await write(4096, count + round * 4096);
    const t0 = performance.now();
    let got = 0;
    const to = offset + 4096;
    while (offset < to) {
      const r = await store.getMessage("g", "BenchTopic", 0, offset, 32);
      got += r.messageCount;
      offset = r.nextBeginOffset;
    }
    recentTime += performance.now() - t0;
    recentSum += got;
  }
  await store.close();
  await Deno.remove(dir, { recursive: true });
  return { recent: recentSum / (recentTime / 1000), old };
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (n: number) => n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1);
  return `${f(s[0])} / ${f(s[Math.floor(s.length / 2)])} / ${f(s[s.length - 1])}`;
}

interface MemoryFigures {
  before: number;
  idle: number;
  peak: number;
  msgsPerSec: number;
  mbPerSec: number;
}

const mib = (n: number) => `${(n / MIB).toFixed(0)} MiB`;

/** RSS of a fresh process: before opening a store, with it open and idle, and while --gib GiB are put. */
async function memoryCase(): Promise<MemoryFigures> {
  const before = Deno.memoryUsage().rss;
  const dir = await freshDir("memory-idle");
  const idleStore = await MessageStore.open({ storePathRootDir: dir });
  await new Promise((r) => setTimeout(r, 200));
  const idle = Deno.memoryUsage().rss;
  await idleStore.close();
  await Deno.remove(dir, { recursive: true });
  const r = await puts("memory", { flushDiskType: "ASYNC_FLUSH" }, 1024, 64, {
    bytes: GIB * 1024 * MIB,
  }, true);
  return { before, idle, peak: r.peakRss!, msgsPerSec: r.msgsPerSec, mbPerSec: r.mbPerSec };
}

async function memoryInFreshProcess(v8Flags: string[] = []): Promise<MemoryFigures> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...v8Flags.map((f) => `--v8-flags=${f}`),
      new URL(import.meta.url).pathname,
      "--memory-only",
      "--gib",
      String(GIB),
      "--dir",
      base,
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("memory case failed");
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

if (args.values["memory-only"]) {
  console.log(JSON.stringify(await memoryCase()));
  Deno.exit(0);
}

const rows: string[][] = [];
const rawRuns: number[] = [];
const rawSmall: number[] = [];
for (let r = 0; r < RUNS; r++) {
  rawRuns.push(await raw(1024 * MIB, 4 * MIB, false));
  rawSmall.push(await raw(1024 * MIB, 64 * 1024, true));
}
rows.push(["raw 1 GiB, 4 MiB writes + fsync", "", `${stats(rawRuns)} MB/s`, "the ceiling"]);
rows.push(["raw 1 GiB, 64 KiB writeSync + fsync", "", `${stats(rawSmall)} MB/s`, ""]);
const rawMedian = [...rawRuns].sort((a, b) => a - b)[Math.floor(RUNS / 2)];

const medians = new Map<string, PutFigures>();
for (const flush of ["ASYNC_FLUSH", "SYNC_FLUSH"] as const) {
  for (const size of [128, 1024]) {
    for (const putters of [1, 64]) {
      const figs: PutFigures[] = [];
      for (let r = 0; r < RUNS; r++) {
        figs.push(
          await puts(`put_${flush}_${size}_${putters}`, { flushDiskType: flush }, size, putters, {
            seconds: SECONDS,
          }),
        );
      }
      const key = `${flush} ${size} B x${putters}`;
      const byMsgs = [...figs].sort((a, b) => a.msgsPerSec - b.msgsPerSec);
      medians.set(key, byMsgs[Math.floor(RUNS / 2)]);
      rows.push([
        `put ${key}`,
        `${stats(figs.map((f) => f.msgsPerSec))} msg/s`,
        `${stats(figs.map((f) => f.mbPerSec))} MB/s`,
        flush === "SYNC_FLUSH" ? `${stats(figs.map((f) => f.perSync))} puts/sync` : "",
      ]);
    }
  }
}

const readRuns = [];
for (let r = 0; r < RUNS; r++) readRuns.push(await reads(1024, 200_000));
rows.push([
  "read 1 KiB, recent (32/pull)",
  `${stats(readRuns.map((x) => x.recent))} msg/s`,
  "",
  "",
]);
rows.push(["read 1 KiB, 200k old (32/pull)", `${stats(readRuns.map((x) => x.old))} msg/s`, "", ""]);

for (const flags of [[], ["--max-semi-space-size=4"]]) {
  const memory = await memoryInFreshProcess(flags);
  rows.push([
    `put ${GIB} GiB, 1 KiB x64 ASYNC${flags.length ? ` (V8 ${flags.join(" ")})` : ""}`,
    `${Math.round(memory.msgsPerSec).toLocaleString("en-US")} msg/s`,
    `${memory.mbPerSec.toFixed(1)} MB/s`,
    `peak RSS ${mib(memory.peak)}; idle store ${mib(memory.idle)} (process before open ${
      mib(memory.before)
    })`,
  ]);
}

console.log(`store throughput on ${base} (min / median / max of ${RUNS} runs, ${SECONDS} s each)`);
const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
const asyncKiB = medians.get("ASYNC_FLUSH 1024 B x64")!;
const sync1 = medians.get("SYNC_FLUSH 1024 B x1")!;
const sync64 = medians.get("SYNC_FLUSH 1024 B x64")!;
console.log(
  `ASYNC 1 KiB x64 / raw ceiling: ${
    (asyncKiB.mbPerSec / rawMedian * 100).toFixed(0)
  } % (target >= 50 %)`,
);
console.log(
  `SYNC 1 KiB x64 / x1: ${(sync64.msgsPerSec / sync1.msgsPerSec).toFixed(1)}x (target >= 20x)`,
);
if (!args.values.dir) await Deno.remove(base, { recursive: true });
