import assert from "node:assert/strict";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { measureConnectionMemory } from "../helpers/connection_memory.ts";
import { firstLine, rmq } from "../helpers/rmq.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const CONNS = 2000;
/** Idle connections cost ~20 KiB each; they cost 107–165 KiB when every one kept 64 KiB slabs. */
const MAX_KIB_PER_CONNECTION = 60;
const hasProc = await Deno.stat("/proc/self/status").then(() => true, () => false);
if (!hasProc) console.log("connection_memory_test: skipped, RSS is read from /proc (Linux only)");

Deno.test({
  name: `rmq broker and rmq namesrv hold ${CONNS} idle connections cheaply and give memory back`,
  ignore: !hasProc,
}, async () => {
  await using dir = await tempDir();
  const ns = rmq(["namesrv", "-p", "0", "--host", "127.0.0.1", "--log-level", "warn"]).spawn();
  const broker = { child: undefined as Deno.ChildProcess | undefined };
  try {
    const nsAddr = (await firstLine(ns.stdout)).split(" ").pop()!;
    broker.child = rmq([
      "broker",
      ...["-n", nsAddr, "-p", "0", "--host", "127.0.0.1", "--store", dir.path],
      ...["--log-level", "warn"],
    ]).spawn();
    const brokerAddr = (await firstLine(broker.child.stdout)).split(" ").pop()!;
    for (
      const [name, pid, addr, code] of [
        ["broker", broker.child.pid, brokerAddr, RequestCode.GET_BROKER_RUNTIME_INFO],
        ["namesrv", ns.pid, nsAddr, RequestCode.GET_BROKER_CLUSTER_INFO],
      ] as const
    ) {
      // Closed connections must give back at least a quarter of what they took.
      const m = await measureConnectionMemory(
        pid,
        addr,
        code,
        CONNS,
        15_000,
        (m, rss) => rss < m.open - (m.open - m.before) / 4,
      );
      const what = `${name}: ${m.before.toFixed(1)} MiB idle, ${m.open.toFixed(1)} MiB open ` +
        `(${m.perConnectionKiB.toFixed(1)} KiB each), ${m.after.toFixed(1)} MiB after closing`;
      assert.ok(m.perConnectionKiB < MAX_KIB_PER_CONNECTION, what);
      assert.ok(m.after < m.open - (m.open - m.before) / 4, what);
    }
  } finally {
    broker.child?.kill("SIGTERM");
    await broker.child?.status;
    ns.kill("SIGTERM");
    await ns.status;
  }
});
