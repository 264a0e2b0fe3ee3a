/**
 * Child process for the crash test: appends under SYNC_FLUSH and prints one line per
 * acknowledged message until it is killed.
 *
 *   deno run -A tests/helpers/store_crash_writer.ts <storeDir> <firstId>
 *
 * Output lines: `ack <id> <queueId> <queueOffset> <commitLogOffset>`, written synchronously
 * after the put resolved, so every printed message was acknowledged.
 */
import { MessageStore, PutStatus } from "../../src/store/message_store.ts";
import type { StoreConfig } from "../../src/store/message_store.ts";
import { message } from "./store.ts";

/** Small files so a few thousand messages roll segments, queue files and index files. */
export const CRASH_CONFIG: Partial<StoreConfig> = {
  flushDiskType: "SYNC_FLUSH",
  mappedFileSizeCommitLog: 32 * 1024,
  mappedFileSizeConsumeQueue: 100 * 20,
  maxHashSlotNum: 128,
  maxIndexNum: 1000,
  commitLogCacheSize: 64 * 1024,
  commitLogCacheChunkSize: 8 * 1024,
  maxMessageSize: 4096,
  flushIntervalConsumeQueue: 50,
  flushConsumeQueueThoroughInterval: 200,
};

export const CRASH_QUEUES = 4;

/** The body message `id` carries: its id repeated to a length that varies with the id. */
export function crashBody(id: number): Uint8Array {
  const unit = `msg-${id};`;
  return new TextEncoder().encode(unit.repeat(1 + ((id * 7) % 60)));
}

if (import.meta.main) {
  const [dir, first] = Deno.args;
  const store = await MessageStore.open({ storePathRootDir: dir, ...CRASH_CONFIG });
  const out = new TextEncoder();
  let next = Number(first);
  const putter = async () => {
    while (true) {
      const id = next++;
      const r = await store.putMessage(
        message("Crash", id % CRASH_QUEUES, { KEYS: `id-${id}`, UNIQ_KEY: `U${id}` }, {
          body: crashBody(id),
        }),
      );
      if (r.status !== PutStatus.PUT_OK) continue;
      const a = r.append!;
      Deno.stdout.writeSync(
        out.encode(`ack ${id} ${id % CRASH_QUEUES} ${a.queueOffset} ${a.wroteOffset}\n`),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, putter));
}
