/**
 * Short store benchmarks for `deno task bench`. Each iteration opens a fresh store (untimed),
 * then times the puts or reads. The full throughput and memory figures come from
 * tests/bench/store_throughput.ts.
 */
import { MessageStore } from "../../src/store/message_store.ts";
import type { MessageInput, StoreConfig } from "../../src/store/message_store.ts";

const host = { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 };

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
    properties: `UNIQ_KEY\u00017F0000010001B4AAC2D5${
      String(i).padStart(12, "0")
    }\u0002TAGS\u0001TagA\u0002`,
  };
}

async function withStore(
  b: Deno.BenchContext,
  config: Partial<StoreConfig>,
  timed: (store: MessageStore) => Promise<void>,
  prepare?: (store: MessageStore) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "store_bench_" });
  const store = await MessageStore.open({ storePathRootDir: dir, ...config });
  await prepare?.(store);
  b.start();
  await timed(store);
  b.end();
  await store.close();
  await Deno.remove(dir, { recursive: true });
}

async function putConcurrently(store: MessageStore, body: Uint8Array, n: number, putters: number) {
  let next = 0;
  await Promise.all(Array.from({ length: putters }, async () => {
    while (next < n) await store.putMessage(message(body, next++));
  }));
}

const KiB = new Uint8Array(1024).fill(97);
const SMALL = new Uint8Array(128).fill(97);

Deno.bench({
  name: "put 2000 x 1 KiB, 64 putters, ASYNC_FLUSH",
  group: "put",
  baseline: true,
  n: 20,
  async fn(b) {
    await withStore(b, {}, (s) => putConcurrently(s, KiB, 2000, 64));
  },
});

Deno.bench({
  name: "put 2000 x 128 B, 64 putters, ASYNC_FLUSH",
  group: "put",
  n: 20,
  async fn(b) {
    await withStore(b, {}, (s) => putConcurrently(s, SMALL, 2000, 64));
  },
});

Deno.bench({
  name: "put 2000 x 1 KiB, 64 putters, SYNC_FLUSH (group commit)",
  group: "put",
  n: 10,
  async fn(b) {
    await withStore(b, { flushDiskType: "SYNC_FLUSH" }, (s) => putConcurrently(s, KiB, 2000, 64));
  },
});

Deno.bench({
  name: "get 2048 recent 1 KiB messages, 32 per read",
  group: "get",
  n: 20,
  async fn(b) {
    await withStore(
      b,
      {},
      async (s) => {
        let offset = 0;
        while (offset < 2048) {
          offset = (await s.getMessage("G", "BenchTopic", 0, offset, 32)).nextBeginOffset;
        }
      },
      async (s) => {
        await Promise.all(
          Array.from({ length: 2048 }, (_, i) => s.putMessage({ ...message(KiB, i), queueId: 0 })),
        );
      },
    );
  },
});
