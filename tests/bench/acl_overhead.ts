/**
 * What the ACL costs a producer (issue 14: `rmq bench produce` with the ACL on within 15 % of the
 * ACL off, in one run). `rmq namesrv`, `rmq broker` and `rmq bench produce` (defaults: 128-byte
 * bodies, one client, 256 in flight) as separate processes, three ways in turn, --runs times:
 * the ACL off; on, hashing with OpenSSL's SHA-1 where it loads; and on with `--deny-ffi`, hashing
 * with rmq's own. Each line has msg/s and, on Linux, the CPU each process spent per message (from
 * /proc: the broker's measured across the bench, the bench's sampled every 50 ms, start-up
 * included); the medians close the run.
 *
 *   deno run -A tests/bench/acl_overhead.ts [--count 300000] [--runs 5]
 */
import { parseArgs } from "node:util";
import { startRmq } from "../helpers/rmq.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "300000" },
    runs: { type: "string", default: "5" },
  },
});
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ACCESS_KEY = "benchAdmin";
const SECRET_KEY = "bench-secret-1";
const CLK_TCK = 100;

const ACL_FILE = `accounts:
- accessKey: ${ACCESS_KEY}
  secretKey: ${SECRET_KEY}
  admin: true
`;

interface Way {
  name: string;
  acl: boolean;
  denoFlags: string[];
}
const WAYS: Way[] = [
  { name: "ACL off", acl: false, denoFlags: [] },
  { name: "ACL on", acl: true, denoFlags: [] },
  { name: "ACL on, --deny-ffi", acl: true, denoFlags: ["--deny-ffi"] },
];

/** User + system CPU of a live process in ms, or undefined where there is no /proc. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 1000 / CLK_TCK;
  } catch {
    return undefined;
  }
}

async function once(way: Way, run: number) {
  const root = await Deno.makeTempDir({ prefix: "rmq-acl-bench-" });
  const conf = `${root}/broker.toml`;
  await Deno.writeTextFile(
    conf,
    way.acl ? `aclEnable = true\naclFile = "${root}/plain_acl.yml"\n` : "",
  );
  await Deno.writeTextFile(`${root}/plain_acl.yml`, ACL_FILE);
  const ns = await startRmq(["namesrv", "-p", "0", "--host", "127.0.0.1"], /listening on \S+/);
  const nsAddr = ns.line.split(" ").pop()!;
  const broker = await startRmq(
    [
      "broker",
      "-c",
      conf,
      "-n",
      nsAddr,
      "-p",
      "0",
      "--host",
      "127.0.0.1",
      "--store",
      `${root}/store`,
    ],
    /listening on \S+/,
    way.denoFlags,
  );
  await new Promise((r) => setTimeout(r, 1000));
  const brokerCpu0 = cpuMs(broker.child.pid);
  const bench = new Deno.Command(Deno.execPath(), {
    args: [
      ...["run", "-A", ...way.denoFlags, MAIN, "bench", "produce", "-n", nsAddr],
      ...["-t", `AclBench${run}`, "--count", values.count!, "--interval", "600s", "--json"],
      ...(way.acl ? ["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY] : []),
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let benchCpu: number | undefined;
  const sampler = setInterval(() => benchCpu = cpuMs(bench.pid) ?? benchCpu, 50);
  const out = await bench.output();
  clearInterval(sampler);
  const brokerCpu1 = cpuMs(broker.child.pid);
  for (const p of [broker, ns]) {
    p.child.kill("SIGTERM");
    await p.child.status;
  }
  await Deno.remove(root, { recursive: true });
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  const perMessage = (ms: number | undefined) =>
    ms === undefined ? undefined : ms * 1000 / r.messages;
  return {
    tps: r.tps as number,
    broker: perMessage(
      brokerCpu0 === undefined || brokerCpu1 === undefined ? undefined : brokerCpu1 - brokerCpu0,
    ),
    bench: perMessage(benchCpu),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (x: number | undefined) => x === undefined ? "-" : `${x.toFixed(2)} µs`;
const results = new Map<string, { tps: number[]; broker: number[]; bench: number[] }>();

for (let run = 0; run < Number(values.runs); run++) {
  for (const way of WAYS) {
    const r = await once(way, run);
    const acc = results.get(way.name) ?? { tps: [], broker: [], bench: [] };
    acc.tps.push(r.tps);
    if (r.broker !== undefined) acc.broker.push(r.broker);
    if (r.bench !== undefined) acc.bench.push(r.bench);
    results.set(way.name, acc);
    console.log(
      `run ${run} ${way.name.padEnd(19)} ${String(r.tps).padStart(7)} msg/s  ` +
        `CPU per message: broker ${us(r.broker)}, bench ${us(r.bench)}`,
    );
  }
}
const off = median(results.get(WAYS[0].name)!.tps);
for (const [name, r] of results) {
  const tps = median(r.tps);
  const vsOff = name === WAYS[0].name ? "" : ` (${((tps / off - 1) * 100).toFixed(1)} %)`;
  console.log(
    `median ${name.padEnd(19)} ${String(tps).padStart(7)} msg/s${vsOff}  CPU per message: ` +
      `broker ${us(r.broker.length ? median(r.broker) : undefined)}, ` +
      `bench ${us(r.bench.length ? median(r.bench) : undefined)}`,
  );
}
