/**
 * Restart time of a store after SIGKILL against a clean restart of the same store, in one run
 * (the project's issue 15): a child process fills a store with --gib GiB of 1 KiB messages
 * under the default config (1 GiB segments, ASYNC_FLUSH) as fast as it can and is killed with
 * SIGKILL --settle seconds after it has written them (0: at once, in the middle of the burst's
 * writeback); then the store is opened (crash recovery), closed cleanly, and opened again
 * (clean start). Each open is timed in its own process, from spawn to the store being open.
 *
 *   deno run -A tests/bench/recovery_time.ts [--gib 2] [--settle 0] [--dir DIR]
 */
import { parseArgs } from "node:util";
import { MessageStore, PutStatus } from "../../src/store/message_store.ts";
import { message } from "../helpers/store.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    gib: { type: "string", default: "2" },
    settle: { type: "string", default: "0" },
    dir: { type: "string" },
    write: { type: "string" },
    open: { type: "string" },
  },
});

const BODY = 1024;

if (values.write) {
  // Child: fill the store, say so, and wait to be killed.
  const store = await MessageStore.open({ storePathRootDir: values.write });
  const target = Number(values.gib) * 1024 ** 3;
  const body = new Uint8Array(BODY).fill(7);
  let written = 0;
  let id = 0;
  const putter = async () => {
    while (written < target) {
      const n = id++;
      const r = await store.putMessage(
        message(`Recover${n % 8}`, n % 4, { KEYS: `k${n}` }, { body }),
      );
      if (r.status === PutStatus.PUT_OK) written += r.append!.wroteBytes;
    }
  };
  await Promise.all(Array.from({ length: 64 }, putter));
  console.log(`written ${written} ${id}`);
  await new Promise(() => {}); // Until SIGKILL.
} else if (values.open) {
  // Child: open (recovering as needed), report, close cleanly.
  const t = performance.now();
  const store = await MessageStore.open({ storePathRootDir: values.open });
  const ms = performance.now() - t;
  console.log(JSON.stringify({ ms, ...store.recovery, damaged: store.recovery.damaged.length }));
  await store.close();
} else {
  const dir = values.dir ?? await Deno.makeTempDir({ prefix: "rmq-recovery-" });
  const self = new URL(import.meta.url).pathname;
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", self, ...args],
      stdout: "piped",
      stderr: "null",
    });
  const writer = run(["--write", dir, "--gib", values.gib!]).spawn();
  const reader = writer.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("writer exited early");
    text += value;
  }
  await new Promise((r) => setTimeout(r, Number(values.settle) * 1000));
  writer.kill("SIGKILL");
  await writer.status;
  reader.releaseLock();
  console.error(text.trim());
  const open = async (what: string) => {
    const t = performance.now();
    const out = await run(["--open", dir]).output();
    const total = performance.now() - t;
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim());
    console.log(
      `${what}: open ${r.ms.toFixed(0)} ms (process ${total.toFixed(0)} ms), replayed ` +
        `${r.records} records from ${r.from} to ${r.end}`,
    );
  };
  await open("after SIGKILL");
  await open("after a clean stop");
  if (!values.dir) await Deno.remove(dir, { recursive: true });
}
