/**
 * What idle connections cost a server (the project's issue 15): `rmq broker` and `rmq namesrv`
 * as separate processes, RSS from /proc before, with --conns idle connections (each made one
 * request, then went quiet), and --settle seconds after they all closed.
 *
 *   deno run -A tests/bench/connection_memory.ts [--conns 2000] [--settle 15]
 *
 * Linux only (RSS from /proc).
 */
import { parseArgs } from "node:util";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { measureConnectionMemory } from "../helpers/connection_memory.ts";
import { startRmq } from "../helpers/rmq.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    conns: { type: "string", default: "2000" },
    settle: { type: "string", default: "15" },
  },
});
const CONNS = Number(values.conns);

const ns = await startRmq(["namesrv", "-p", "0", "--host", "127.0.0.1"], /listening on \S+/);
const nsAddr = ns.line.split(" ").pop()!;
const store = await Deno.makeTempDir({ prefix: "rmq-conn-" });
const broker = await startRmq(
  ["broker", "-n", nsAddr, "-p", "0", "--host", "127.0.0.1", "--store", store],
  /listening on \S+/,
);
const brokerAddr = broker.line.split(" ").pop()!;
try {
  await new Promise((r) => setTimeout(r, 2000));
  for (
    const [name, pid, addr, code] of [
      ["broker", broker.child.pid, brokerAddr, RequestCode.GET_BROKER_RUNTIME_INFO],
      ["namesrv", ns.child.pid, nsAddr, RequestCode.GET_BROKER_CLUSTER_INFO],
    ] as const
  ) {
    const { before, open, after, perConnectionKiB } = await measureConnectionMemory(
      pid,
      addr,
      code,
      CONNS,
      Number(values.settle) * 1000,
    );
    console.log(
      `${name}: ${before.toFixed(1)} MiB idle, ${open.toFixed(1)} MiB with ${CONNS} idle ` +
        `connections (${perConnectionKiB.toFixed(1)} KiB each), ` +
        `${after.toFixed(1)} MiB ${values.settle} s after closing them`,
    );
  }
} finally {
  broker.child.kill("SIGTERM");
  await broker.child.status;
  ns.child.kill("SIGTERM");
  await ns.child.status;
  await Deno.remove(store, { recursive: true });
}
