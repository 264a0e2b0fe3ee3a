/** Messages, small-file settings and a self-checking store for store tests. */
import { encodeProperties, type Properties } from "../../src/common/message/properties.ts";
import {
  type MessageInput,
  MessageStore,
  type StoreConfig,
} from "../../src/store/message_store.ts";
import { verifyStore } from "./verify_store.ts";

export const HOST = { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 };
export const BORN = { ip: new Uint8Array([192, 168, 0, 10]), port: 51234 };

/**
 * Files small enough that a few hundred messages roll commit-log segments, consume-queue files
 * and index files; timers slow enough that only the test drives them.
 */
export const SMALL_FILES: Partial<StoreConfig> = {
  mappedFileSizeCommitLog: 16 * 1024,
  mappedFileSizeConsumeQueue: 50 * 20,
  maxHashSlotNum: 64,
  maxIndexNum: 200,
  commitLogCacheSize: 32 * 1024,
  commitLogCacheChunkSize: 4096,
  maxMessageSize: 8 * 1024,
};

const enc = new TextEncoder();

/** A message with `props` as its properties; body defaults to `body-<TAGS or n>`. */
export function message(
  topic: string,
  queueId: number,
  props: Properties = {},
  over: Partial<MessageInput> = {},
): MessageInput {
  return {
    topic,
    queueId,
    flag: 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: BORN,
    storeHost: HOST,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: enc.encode(`body of ${JSON.stringify(props)}`),
    properties: encodeProperties(props),
    ...over,
  };
}

export const text = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * MessageStore.open() for tests that write: closing the store (or disposing it) also runs the
 * store consistency check (verify_store.ts) on what it left on disk.
 *
 * @example
 * ```ts
 * await using store = await openStore({ storePathRootDir: dir.path, ...SMALL_FILES });
 * ```
 */
export async function openStore(
  config: Partial<StoreConfig> & { storePathRootDir: string },
): Promise<MessageStore> {
  const store = await MessageStore.open(config);
  const close = store.close.bind(store);
  let closing: Promise<void> | undefined;
  store.close = () => closing ??= close().then(() => void verifyStore(store.config));
  return store;
}
