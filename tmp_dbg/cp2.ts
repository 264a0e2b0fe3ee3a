import { MessageStore } from "../src/store/message_store.ts";
import { decodeCheckpoint } from "../src/store/checkpoint.ts";
import { message } from "../tests/helpers/store.ts";
const dir = await Deno.makeTempDir();
const store = await MessageStore.open({ storePathRootDir: dir, mappedFileSizeCommitLog: 4 << 20 });
const body = new Uint8Array(1024);
let n = 0;
const putter = async () => {
  while (n < 30000) {
    n++;
    await store.putMessage(message("T", n % 4, { KEYS: `k${n}` }, { body }));
  }
};
await Promise.all(Array.from({ length: 64 }, putter));
console.log("max", store.maxPhyOffset);
await new Promise((r) => setTimeout(r, 500));
console.log(decodeCheckpoint(Deno.readFileSync(`${dir}/checkpoint`)));
Deno.exit(0);
