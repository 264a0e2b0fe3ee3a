/**
 * Replication under load (the project's issue 13): `rmq namesrv`, an `rmq broker` master and an
 * `rmq broker` slave as separate processes, `rmq bench produce` at full speed against the
 * master, the slave's lag (master's commit-log end minus the slave's) sampled every 50 ms, and
 * how long the slave takes to catch up once the bench stops. Runs ASYNC_MASTER, SYNC_MASTER and
 * a master without a slave, in that order, --runs times, so their throughput compares in one
 * run.
 *
 *   deno run -A tests/bench/replication.ts [--count 200000] [--runs 1]
 */
import { parseArgs } from "node:util";
import { decodeKVTable } from "../../src/remoting/body/topic_list.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { freePortPair } from "../helpers/ports.ts";
import { startRmq } from "../helpers/rmq.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "200000" },
    runs: { type: "string", default: "1" },
  },
});
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const MiB = 1024 * 1024;

async function broker(root: string, name: string, nsAddr: string, extra: string[]) {
  const port = freePortPair();
  const conf = `${root}/${name}.toml`;
  await Deno.writeTextFile(conf, extra.join("\n"));
  const b = await startRmq(
    [
      "broker",
      "-c",
      conf,
      "-n",
      nsAddr,
      "-p",
      String(port),
      "--host",
      "127.0.0.1",
      "--store",
      `${root}/${name}`,
    ],
    /listening on \S+/,
  );
  return { ...b, addr: `127.0.0.1:${port}` };
}

const client = new RemotingClient();
async function maxOffset(addr: string): Promise<number> {
  const res = await client.invokeSync(
    addr,
    createRequest(RequestCode.GET_BROKER_RUNTIME_INFO),
    3000,
  );
  return Number(decodeKVTable(res.body!).get("commitLogMaxOffset"));
}

for (let run = 0; run < Number(values.runs); run++) {
  for (const role of ["ASYNC_MASTER", "SYNC_MASTER", "no slave"] as const) {
    const root = await Deno.makeTempDir({ prefix: "rmq-repl-" });
    const ns = await startRmq(["namesrv", "-p", "0", "--host", "127.0.0.1"], /listening on \S+/);
    const nsAddr = ns.line.split(" ").pop()!;
    const master = await broker(root, "master", nsAddr, [
      'brokerName = "broker-a"',
      `brokerRole = "${role === "no slave" ? "ASYNC_MASTER" : role}"`,
    ]);
    const slave = role === "no slave" ? undefined : await broker(root, "slave", nsAddr, [
      'brokerName = "broker-a"',
      'brokerRole = "SLAVE"',
      "brokerId = 1",
    ]);
    await new Promise((r) => setTimeout(r, 2000));
    const lags: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling && slave) {
        const [m, s] = await Promise.all([maxOffset(master.addr), maxOffset(slave.addr)]);
        lags.push(Math.max(0, m - s));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        ...["run", "-A", MAIN, "bench", "produce", "-n", nsAddr, "--interval", "600s"],
        ...["--queues", "8", "-t", "Repl", "--size", "1024", "--clients", "4"],
        ...["--inflight", "256", "--count", values.count!, "--json"],
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    sampling = false;
    await sampler;
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    let catchUp = 0;
    if (slave) {
      const end = await maxOffset(master.addr);
      const t0 = performance.now();
      while (await maxOffset(slave.addr) < end) await new Promise((r) => setTimeout(r, 5));
      catchUp = performance.now() - t0;
    }
    const max = lags.length ? Math.max(...lags) : 0;
    const mean = lags.length ? lags.reduce((a, b) => a + b, 0) / lags.length : 0;
    console.log(
      `${role.padEnd(12)} ${String(r.tps).padStart(7)} msg/s  p99 ${r.latencyMs?.p99} ms` +
        (slave
          ? `  slave lag: mean ${(mean / MiB).toFixed(2)} MiB, max ${(max / MiB).toFixed(2)} MiB ` +
            `(${lags.length} samples); caught up ${catchUp.toFixed(0)} ms after the last send`
          : ""),
    );
    for (const p of [slave, master, ns]) {
      if (!p) continue;
      p.child.kill("SIGTERM");
      await p.child.status;
    }
    await Deno.remove(root, { recursive: true });
  }
}
await client.close();
