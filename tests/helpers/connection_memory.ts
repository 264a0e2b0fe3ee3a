/**
 * What idle connections cost a server process, from its RSS in /proc (Linux only): before,
 * with `conns` connections that each made one request and went quiet, and after they closed.
 * Used by tests/bench/connection_memory.ts and the CI test beside the server's tests.
 */
import { createRequest } from "../../src/remoting/command.ts";
import { encodeFrame } from "../../src/remoting/frame_codec.ts";

export interface ConnectionMemory {
  /** RSS in MiB before, with the connections open, and after closing them. */
  before: number;
  open: number;
  after: number;
  /** KiB per connection while open. */
  perConnectionKiB: number;
}

export function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `conns` connections to the server `pid` listening at `addr`, each sending one `code`
 * request and reading its answer, measures, closes them and measures again after `settleMs`
 * (or as soon as `settled(rss)` says it has come down enough).
 */
export async function measureConnectionMemory(
  pid: number,
  addr: string,
  code: number,
  conns: number,
  settleMs: number,
  settled: (m: Omit<ConnectionMemory, "after">, rss: number) => boolean = () => false,
): Promise<ConnectionMemory> {
  const [hostname, port] = addr.split(":");
  const before = rssMiB(pid);
  const open: Deno.Conn[] = [];
  const frame = encodeFrame(createRequest(code, {}));
  const buf = new Uint8Array(64 * 1024);
  let openRss: number;
  try {
    for (let i = 0; i < conns; i++) {
      const c = await Deno.connect({ hostname, port: Number(port) });
      open.push(c);
      await c.write(frame);
      await c.read(buf);
    }
    await sleep(1000);
    openRss = rssMiB(pid);
  } finally {
    for (const c of open) c.close();
  }
  const m = { before, open: openRss, perConnectionKiB: (openRss - before) * 1024 / conns };
  const deadline = Date.now() + settleMs;
  let after = rssMiB(pid);
  while (Date.now() < deadline && !settled(m, after)) {
    await sleep(250);
    after = rssMiB(pid);
  }
  return { ...m, after };
}
