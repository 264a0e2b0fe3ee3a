import assert from "node:assert/strict";
import { javaStringHashCode } from "../../src/common/java_hash.ts";
import {
  BLANK_MAGIC,
  decodeMessageRecord,
  type MessageRecord,
  verifyRecordCrc,
} from "../../src/common/message/message_codec.ts";
import { createOffsetMsgId } from "../../src/common/message/message_id.ts";
import { decodeProperties } from "../../src/common/message/properties.ts";
import { MessageSysFlag } from "../../src/common/message/sys_flag.ts";
import { encodeCqEntry } from "../../src/store/consume_queue.ts";
import {
  GetStatus,
  MessageStore,
  PutStatus,
  SCHEDULE_TOPIC,
} from "../../src/store/message_store.ts";
import { offsetToFileName } from "../../src/store/segment_file.ts";
import { HOST, message, openStore, SMALL_FILES } from "../helpers/store.ts";
import { tempDir } from "../helpers/temp_dir.ts";

function decode(b: Uint8Array): MessageRecord {
  return decodeMessageRecord(b);
}

async function putAll(store: MessageStore, n: number, topics = ["TopicA", "TopicB"], queues = 3) {
  const results = [];
  for (let i = 0; i < n; i++) {
    const topic = topics[i % topics.length];
    const r = await store.putMessage(
      message(topic, i % queues, {
        TAGS: `tag${i % 4}`,
        KEYS: `key${i} shared`,
        UNIQ_KEY: `U${i}`,
      }),
    );
    assert.equal(r.status, PutStatus.PUT_OK, r.remark);
    results.push(r);
  }
  return results;
}

/**
 * Checks every consume-queue entry against the commit log, and that the commit log holds
 * exactly the records the queues point at (blank records aside).
 */
async function crossCheck(store: MessageStore, dir: string): Promise<number> {
  const pointed = new Set<number>();
  for (const topic of store.topics()) {
    for (let q = 0; q < 64; q++) {
      const max = store.getMaxOffsetInQueue(topic, q);
      for (let off = store.getMinOffsetInQueue(topic, q); off < max; off++) {
        const [e] = store.readConsumeQueue(topic, q, off, 1);
        const rec = await store.lookMessageByOffset(e.commitLogOffset);
        assert.ok(rec, `${topic}/${q}@${off} points at a record`);
        const m = decode(rec);
        assert.equal(m.topic, topic);
        assert.equal(m.queueId, q);
        assert.equal(m.queueOffset, off);
        assert.equal(m.storeSize, e.size);
        assert.ok(verifyRecordCrc(m));
        const tags = decodeProperties(m.properties).TAGS;
        assert.equal(e.tagsCode, tags ? javaStringHashCode(tags) : 0);
        pointed.add(e.commitLogOffset);
      }
    }
  }
  // Walk the commit log files: every record is one the queues point at.
  let walked = 0;
  const files = [...Deno.readDirSync(`${dir}/commitlog`)].map((e) => e.name).sort();
  for (const name of files) {
    const bytes = Deno.readFileSync(`${dir}/commitlog/${name}`);
    const v = new DataView(bytes.buffer);
    let pos = 0;
    while (pos + 8 <= bytes.length) {
      const size = v.getInt32(pos);
      const magic = v.getInt32(pos + 4);
      if (size === 0) break;
      if (magic === BLANK_MAGIC) {
        assert.equal(pos + size, bytes.length, "blank record ends the segment");
        break;
      }
      const m = decodeMessageRecord(bytes, pos);
      assert.equal(m.physicalOffset, Number(name) + pos);
      assert.ok(pointed.has(m.physicalOffset), `record at ${m.physicalOffset} is in a queue`);
      walked++;
      pos += size;
    }
  }
  assert.equal(walked, pointed.size);
  return walked;
}

Deno.test("putMessage() stores the V1 record that getMessage() returns", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  const m = message("TopicA", 2, { TAGS: "TagA", KEYS: "k1", UNIQ_KEY: "U1" }, { flag: 7 });
  const r = await store.putMessage(m);
  assert.equal(r.status, PutStatus.PUT_OK);
  assert.equal(r.append!.wroteOffset, 0);
  assert.equal(r.append!.queueOffset, 0);
  assert.equal(r.append!.msgNum, 1);
  assert.equal(r.append!.msgId, createOffsetMsgId(HOST, 0));
  const r2 = await store.putMessage(m);
  assert.equal(r2.append!.wroteOffset, r.append!.wroteBytes);
  assert.equal(r2.append!.queueOffset, 1);
  assert.equal(r2.append!.msgId, createOffsetMsgId(HOST, r.append!.wroteBytes));

  const g = await store.getMessage("G", "TopicA", 2, 0, 32);
  assert.equal(g.status, GetStatus.FOUND);
  assert.equal(g.messageCount, 2);
  assert.equal(g.nextBeginOffset, 2);
  assert.equal(g.minOffset, 0);
  assert.equal(g.maxOffset, 2);
  assert.equal(g.bufferTotalSize, r.append!.wroteBytes * 2);
  assert.deepEqual(g.body.subarray(0, g.messages[0].length), g.messages[0]);
  const rec = decode(g.messages[1]);
  assert.equal(rec.topic, "TopicA");
  assert.equal(rec.queueId, 2);
  assert.equal(rec.flag, 7);
  assert.equal(rec.queueOffset, 1);
  assert.equal(rec.physicalOffset, r2.append!.wroteOffset);
  assert.equal(rec.storeTimestamp, r2.append!.storeTimestamp);
  assert.deepEqual(rec.storeHost, HOST);
  assert.equal(rec.bornTimestamp, m.bornTimestamp);
  assert.equal(rec.properties, m.properties);
  assert.deepEqual(rec.body, m.body);
  assert.ok(verifyRecordCrc(rec));
});

Deno.test("MessageStore reopens with every record and queue entry intact", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  {
    await using store = await openStore(config);
    await putAll(store, 600);
    assert.ok(store.maxPhyOffset > 3 * SMALL_FILES.mappedFileSizeCommitLog!, "rolled segments");
    await crossCheck(store, dir.path);
  }
  assert.equal(
    Deno.statSync(`${dir.path}/commitlog/${offsetToFileName(0)}`).size,
    SMALL_FILES.mappedFileSizeCommitLog,
  );
  await using store = await openStore(config);
  assert.equal(store.recovery.records, 0);
  assert.equal(await crossCheck(store, dir.path), 600);
  assert.equal(store.getMaxOffsetInQueue("TopicA", 0), 100);
  // Writing goes on where it stopped.
  const r = await store.putMessage(message("TopicA", 0, { TAGS: "tag0" }));
  assert.equal(r.append!.queueOffset, 100);
  let g = await store.getMessage("G", "TopicA", 0, 90, 32);
  assert.equal(g.messageCount, 10, "a read stops at the end of a 50-entry queue file");
  assert.equal(g.nextBeginOffset, 100);
  assert.deepEqual(
    g.messages.map((m) => decode(m).queueOffset),
    [...Array(10).keys()].map((i) => 90 + i),
  );
  g = await store.getMessage("G", "TopicA", 0, 100, 32);
  assert.equal(g.messageCount, 1);
});

Deno.test("putMessage() rolls to a new segment behind a blank record", async () => {
  await using dir = await tempDir();
  const segment = 4096;
  await using store = await openStore({
    storePathRootDir: dir.path,
    mappedFileSizeCommitLog: segment,
  });
  const body = new Uint8Array(1000);
  const offsets: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await store.putMessage(message("T", 0, {}, { body }));
    offsets.push(r.append!.wroteOffset);
    assert.ok(r.append!.wroteOffset % segment + r.append!.wroteBytes + 8 <= segment);
  }
  const size = 1000 + 91 + 1;
  assert.deepEqual(offsets, [0, size, 2 * size, segment, segment + size]);
  await store.flush();
  const first = Deno.readFileSync(`${dir.path}/commitlog/${offsetToFileName(0)}`);
  const v = new DataView(first.buffer);
  assert.equal(v.getInt32(3 * size), segment - 3 * size, "blank TOTALSIZE is the rest of the file");
  assert.equal(v.getInt32(3 * size + 4), BLANK_MAGIC);
  const g = await store.getMessage("G", "T", 0, 0, 32);
  assert.equal(g.messageCount, 5);
});

Deno.test("getMessage() answers each status with RocketMQ's next offset", async () => {
  await using dir = await tempDir();
  Deno.mkdirSync(`${dir.path}/consumequeue/Empty/0`, { recursive: true });
  await using store = await openStore({ storePathRootDir: dir.path });
  await putAll(store, 10, ["T"], 1);
  const get = (
    topic: string,
    offset: number,
    filter?: { isMatchedByConsumeQueue(t: number): boolean },
  ) => store.getMessage("G", topic, 0, offset, 32, undefined, filter);

  let g = await get("Nope", 5);
  assert.equal(g.status, GetStatus.NO_MATCHED_LOGIC_QUEUE);
  assert.equal(g.nextBeginOffset, 0);
  g = await get("Empty", 3);
  assert.equal(g.status, GetStatus.NO_MESSAGE_IN_QUEUE);
  assert.equal(g.nextBeginOffset, 0);
  g = await get("T", 10);
  assert.equal(g.status, GetStatus.OFFSET_OVERFLOW_ONE);
  assert.equal(g.nextBeginOffset, 10);
  g = await get("T", 15);
  assert.equal(g.status, GetStatus.OFFSET_OVERFLOW_BADLY);
  assert.equal(g.nextBeginOffset, 10);
  g = await get("T", 4);
  assert.equal(g.status, GetStatus.FOUND);
  assert.equal(g.nextBeginOffset, 10);
  assert.equal(g.maxOffset, 10);

  const tag1 = javaStringHashCode("tag1");
  g = await get("T", 0, { isMatchedByConsumeQueue: (c) => c === tag1 });
  assert.equal(g.status, GetStatus.FOUND);
  assert.deepEqual(g.messages.map((m) => decode(m).queueOffset), [1, 5, 9]);
  assert.equal(g.nextBeginOffset, 10);
  g = await get("T", 0, { isMatchedByConsumeQueue: () => false });
  assert.equal(g.status, GetStatus.NO_MATCHED_MESSAGE);
  assert.equal(g.messageCount, 0);
  assert.equal(g.nextBeginOffset, 10, "filtered entries count as scanned");
  g = await store.getMessage("G", "T", 0, 0, 32, undefined, {
    isMatchedByConsumeQueue: () => true,
    isMatchedByCommitLog: (r) => decode(r).queueOffset % 3 === 0,
  });
  assert.deepEqual(g.messages.map((m) => decode(m).queueOffset), [0, 3, 6, 9]);
});

Deno.test("MessageStore.open() rebuilds consume-queue files deleted while it was stopped", async () => {
  for (
    const [what, lose] of [
      ["a middle file", (d: string) => Deno.removeSync(`${d}/${offsetToFileName(200)}`)],
      ["the newest file", (d: string) => Deno.removeSync(`${d}/${offsetToFileName(600)}`)],
      ["the oldest file", (d: string) => Deno.removeSync(`${d}/${offsetToFileName(0)}`)],
      ["the whole queue", (d: string) => Deno.removeSync(d, { recursive: true })],
    ] as const
  ) {
    await using dir = await tempDir();
    const config = { storePathRootDir: dir.path, mappedFileSizeConsumeQueue: 10 * 20 };
    {
      await using store = await openStore(config);
      await putAll(store, 40, ["T"], 1);
    }
    lose(`${dir.path}/consumequeue/T/0`);
    await using store = await openStore(config);
    assert.equal(store.rebuiltQueues.length, 1, what);
    assert.equal(store.getMinOffsetInQueue("T", 0), 0, what);
    assert.equal(store.getMaxOffsetInQueue("T", 0), 40, what);
    let offset = 0;
    let read = 0;
    while (offset < 40) {
      const g = await store.getMessage("G", "T", 0, offset, 32);
      assert.equal(g.status, GetStatus.FOUND, `${what} at ${offset}`);
      read += g.messageCount;
      offset = g.nextBeginOffset;
    }
    assert.equal(read, 40, what);
  }
});

Deno.test("MessageStore.open() rebuilds nothing for a store without losses, and no deleted topic", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  {
    await using store = await openStore(config);
    await putAll(store, 40, ["Kept", "Gone"], 2);
    await store.deleteTopics(["Gone"]);
  }
  // A crash right after the delete must not bring the topic back.
  Deno.writeFileSync(`${dir.path}/abort`, new Uint8Array(0));
  await using store = await openStore(config);
  assert.deepEqual(store.rebuiltQueues, []);
  assert.deepEqual(store.topics(), ["Kept"]);
});

Deno.test("getMessage() answers OFFSET_TOO_SMALL once retention moved the min offset", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path, ...SMALL_FILES });
  const body = new Uint8Array(1000);
  for (let i = 0; i < 40; i++) await store.putMessage(message("T", 0, {}, { body }));
  const segs = [...Deno.readDirSync(`${dir.path}/commitlog`)].map((e) => e.name).sort();
  assert.ok(segs.length >= 3);
  const old = new Date(Date.now() - 100 * 3_600_000);
  for (const s of segs.slice(0, 2)) Deno.utimeSync(`${dir.path}/commitlog/${s}`, old, old);
  await store.flush();
  store.executeDeleteFilesManually();
  assert.equal(store.cleanExpiredFiles(), 2);
  assert.equal(store.minPhyOffset, 2 * SMALL_FILES.mappedFileSizeCommitLog!);
  const min = store.getMinOffsetInQueue("T", 0);
  assert.equal(min, 28, "14 records of 1092 bytes per 16 KiB segment");
  const g = await store.getMessage("G", "T", 0, 3, 32);
  assert.equal(g.status, GetStatus.OFFSET_TOO_SMALL);
  assert.equal(g.nextBeginOffset, min);
  assert.equal(g.minOffset, min);
  assert.equal(await store.lookMessageByOffset(0), undefined);
  assert.equal((await store.getMessage("G", "T", 0, min, 32)).messageCount, 12);
});

Deno.test("getMessage() answers MESSAGE_WAS_REMOVING for entries whose record is gone", async () => {
  await using dir = await tempDir();
  const config = { storePathRootDir: dir.path, ...SMALL_FILES };
  {
    await using store = await openStore(config);
    const body = new Uint8Array(1000);
    for (let i = 0; i < 50; i++) await store.putMessage(message("T", 0, {}, { body }));
  }
  // Entry 50 claims a record in segment 0 after segment 0 is gone: a queue that has not caught
  // up with retention yet.
  Deno.removeSync(`${dir.path}/commitlog/${offsetToFileName(0)}`);
  const entry = new Uint8Array(20);
  encodeCqEntry(entry, 0, 100, 300, 0);
  const f = Deno.openSync(`${dir.path}/consumequeue/T/0/${offsetToFileName(1000)}`, {
    write: true,
    create: true,
  });
  f.writeSync(entry);
  f.truncateSync(1000);
  f.close();
  await using store = await openStore(config);
  assert.equal(store.minPhyOffset, SMALL_FILES.mappedFileSizeCommitLog);
  assert.equal(store.getMaxOffsetInQueue("T", 0), 51);
  const g = await store.getMessage("G", "T", 0, 50, 32);
  assert.equal(g.status, GetStatus.MESSAGE_WAS_REMOVING);
  assert.equal(g.nextBeginOffset, 51);
});

Deno.test("getMessage() limits a read to 32 messages or 256 KiB in memory, 8 or 64 KiB on disk", async () => {
  await using dir = await tempDir();
  {
    await using store = await openStore({ storePathRootDir: dir.path });
    await putAll(store, 40, ["T"], 1);
    let g = await store.getMessage("G", "T", 0, 0, 64);
    assert.equal(g.messageCount, 32);
    assert.equal(g.nextBeginOffset, 32);
    g = await store.getMessage("G", "T", 0, 0, 5);
    assert.equal(g.messageCount, 5);
    const big = new Uint8Array(10_000);
    for (let i = 0; i < 30; i++) await store.putMessage(message("Big", 0, {}, { body: big }));
    g = await store.getMessage("G", "Big", 0, 0, 32);
    assert.equal(g.messageCount, 25, "256 KiB / 10 KiB");
    g = await store.getMessage("G", "Big", 0, 0, 32, 30_000);
    assert.equal(g.messageCount, 2, "maxBytes");
    assert.equal(store.checkInMemByConsumeOffset("T", 0, 0), true);
    assert.equal(store.checkInMemByConsumeOffset("T", 0, 999), true, "no such message");
  }
  await using store = await openStore({
    storePathRootDir: dir.path,
    accessMessageInMemoryMaxRatio: 0,
  });
  let g = await store.getMessage("G", "T", 0, 0, 32);
  assert.equal(g.messageCount, 8);
  assert.equal(g.nextBeginOffset, 8);
  assert.equal(g.suggestPullingFromSlave, true);
  g = await store.getMessage("G", "Big", 0, 0, 32);
  assert.equal(g.messageCount, 6, "64 KiB / 10 KiB");
  assert.equal(store.checkInMemByConsumeOffset("T", 0, 0), false);
  assert.equal(store.checkInDiskByConsumeOffset("T", 0, 0), true);
});

Deno.test("getMessage() scans at most 16000 bytes of queue for a filter", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  await Promise.all(
    Array.from({ length: 1000 }, () => store.putMessage(message("T", 0, { TAGS: "a" }))),
  );
  const g = await store.getMessage("G", "T", 0, 100, 32, undefined, {
    isMatchedByConsumeQueue: () => false,
  });
  assert.equal(g.status, GetStatus.NO_MATCHED_MESSAGE);
  assert.equal(g.nextBeginOffset, 900);
});

Deno.test("putMessage() refuses what cannot be stored with a status", async () => {
  await using dir = await tempDir();
  // A directory where the next segment file should go makes creating it fail.
  Deno.mkdirSync(`${dir.path}/commitlog/${offsetToFileName(4096)}`, { recursive: true });
  await using store = await openStore({
    storePathRootDir: dir.path,
    mappedFileSizeCommitLog: 4096,
    maxMessageSize: 3000,
  });
  let r = await store.putMessage(message("x".repeat(128), 0));
  assert.equal(r.status, PutStatus.MESSAGE_ILLEGAL);
  assert.match(r.remark!, /topic is 128 bytes/);
  r = await store.putMessage(message("T", 0, {}, { body: new Uint8Array(3001) }));
  assert.equal(r.status, PutStatus.MESSAGE_ILLEGAL);
  r = await store.putMessage(
    message("T", 0, { BIG: "p".repeat(32_770) }, { body: new Uint8Array(1) }),
  );
  assert.equal(r.status, PutStatus.PROPERTIES_SIZE_EXCEEDED);
  r = await store.putMessage(message("T", -1));
  assert.equal(r.status, PutStatus.MESSAGE_ILLEGAL);
  r = await store.putMessage(message("../escape", 0));
  assert.equal(r.status, PutStatus.MESSAGE_ILLEGAL);
  assert.match(r.remark!, /characters outside/);
  r = await store.putMessage(message("T", 0, {}, { body: new Uint8Array(2900) }));
  assert.equal(r.status, PutStatus.PUT_OK);
  r = await store.putMessage(message("T", 0, {}, { body: new Uint8Array(2900) }));
  assert.equal(r.status, PutStatus.CREATE_MAPEDFILE_FAILED);
  assert.equal(store.getMaxOffsetInQueue("T", 0), 1);
  await store.close();
  r = await store.putMessage(message("T", 0));
  assert.equal(r.status, PutStatus.SERVICE_NOT_AVAILABLE);
  assert.equal(store.stats.putMessageFailedTimes, 7);
});

Deno.test("putMessage() answers OS_PAGECACHE_BUSY beyond maxPendingWriteBytes", async () => {
  await using dir = await tempDir();
  await using store = await openStore({
    storePathRootDir: dir.path,
    maxPendingWriteBytes: 1,
  });
  const first = store.putMessage(message("T", 0));
  const second = await store.putMessage(message("T", 0));
  assert.equal(second.status, PutStatus.OS_PAGECACHE_BUSY);
  assert.equal((await first).status, PutStatus.PUT_OK);
  assert.equal((await store.putMessage(message("T", 0))).status, PutStatus.PUT_OK);
  assert.equal(store.isWritable, true);
});

Deno.test("putMessage() keeps PREPARED and ROLLBACK records out of the consume queue", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  const half = (type: number, key: string) =>
    store.putMessage(message("T", 0, { KEYS: key }, { sysFlag: type }));
  const p = await half(MessageSysFlag.TRANSACTION_PREPARED_TYPE, "prepared");
  assert.equal(p.append!.queueOffset, 0);
  const rb = await half(MessageSysFlag.TRANSACTION_ROLLBACK_TYPE, "rolledback");
  assert.equal(rb.append!.queueOffset, 0);
  const c = await half(MessageSysFlag.TRANSACTION_COMMIT_TYPE, "committed");
  assert.equal(c.append!.queueOffset, 0);
  const n = await half(MessageSysFlag.TRANSACTION_NOT_TYPE, "plain");
  assert.equal(n.append!.queueOffset, 1);
  assert.equal(store.getMaxOffsetInQueue("T", 0), 2);
  const g = await store.getMessage("G", "T", 0, 0, 32);
  assert.deepEqual(g.messages.map((m) => decode(m).physicalOffset), [
    c.append!.wroteOffset,
    n.append!.wroteOffset,
  ]);
  const q = (k: string) => store.queryMessage("T", k, 32, 0, Date.now() + 60_000);
  assert.equal((await q("prepared")).messages.length, 1, "PREPARED is indexed");
  assert.equal((await q("rolledback")).messages.length, 0, "ROLLBACK is not");
  const prepared = await store.lookMessageByOffset(p.append!.wroteOffset);
  assert.equal(decode(prepared!).sysFlag, MessageSysFlag.TRANSACTION_PREPARED_TYPE);
});

Deno.test("putMessage() moves a delayed message to SCHEDULE_TOPIC_XXXX with its delivery time", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  const r = await store.putMessage(message("T", 3, { TAGS: "a", DELAY: "3" }));
  assert.equal(r.status, PutStatus.PUT_OK);
  const [e] = store.readConsumeQueue(SCHEDULE_TOPIC, 2, 0, 1);
  assert.equal(e.tagsCode, r.append!.storeTimestamp + 10_000);
  const rec = decode((await store.lookMessageByOffset(e.commitLogOffset))!);
  assert.equal(rec.topic, SCHEDULE_TOPIC);
  assert.equal(rec.queueId, 2);
  const props = decodeProperties(rec.properties);
  assert.equal(props.REAL_TOPIC, "T");
  assert.equal(props.REAL_QID, "3");
  assert.equal(props.DELAY, "3");
  assert.equal(store.getMaxOffsetInQueue("T", 3), 0);

  const clamped = await store.putMessage(message("T", 0, { DELAY: "99" }));
  const [e2] = store.readConsumeQueue(SCHEDULE_TOPIC, 17, 0, 1);
  assert.equal(e2.tagsCode, clamped.append!.storeTimestamp + 2 * 3_600_000);
  assert.equal(
    decodeProperties(decode((await store.lookMessageByOffset(e2.commitLogOffset))!).properties)
      .DELAY,
    "18",
  );
  // Already on the schedule topic (the broker re-putting): left alone.
  await store.putMessage(
    message(SCHEDULE_TOPIC, 0, { DELAY: "1", REAL_TOPIC: "T", REAL_QID: "0" }),
  );
  assert.equal(store.getMaxOffsetInQueue(SCHEDULE_TOPIC, 0), 1);
  assert.equal(store.readConsumeQueue(SCHEDULE_TOPIC, 0, 0, 1)[0].tagsCode > 1e12, true);
});

Deno.test("putMessages() stores a batch with consecutive queue offsets", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  await store.putMessage(message("T", 1));
  const batch = [0, 1, 2].map((i) => message("T", 1, { UNIQ_KEY: `B${i}` }));
  const r = await store.putMessages(batch);
  assert.equal(r.status, PutStatus.PUT_OK);
  assert.equal(r.append!.msgNum, 3);
  assert.equal(r.append!.queueOffset, 1);
  const ids = r.append!.msgId.split(",");
  assert.equal(ids.length, 3);
  const g = await store.getMessage("G", "T", 1, 1, 32);
  assert.deepEqual(g.messages.map((m) => createOffsetMsgId(HOST, decode(m).physicalOffset)), ids);
  assert.deepEqual(g.messages.map((m) => decode(m).queueOffset), [1, 2, 3]);
  assert.equal(r.append!.wroteBytes, g.bufferTotalSize);
  const bad = await store.putMessages([message("T", 1), message("T", 2)]);
  assert.equal(bad.status, PutStatus.MESSAGE_ILLEGAL);
  const delayed = await store.putMessages([message("T", 1, { DELAY: "2" })]);
  assert.equal(delayed.status, PutStatus.MESSAGE_ILLEGAL);
  assert.equal((await store.putMessages([])).status, PutStatus.MESSAGE_ILLEGAL);
});

Deno.test("queryMessage() finds messages by KEYS entry and UNIQ_KEY within a time range", async () => {
  await using dir = await tempDir();
  await using store = await openStore({
    storePathRootDir: dir.path,
    ...SMALL_FILES,
  });
  const put = (i: number, ts: number) =>
    store.putMessage(
      message("T", 0, { KEYS: `order-${i % 5} all`, UNIQ_KEY: `U${i}` }, { storeTimestamp: ts }),
    );
  for (let i = 0; i < 150; i++) await put(i, 1_000_000 + i * 1000);
  let q = await store.queryMessage("T", "order-3", 32, 0, 2_000_000);
  assert.equal(q.messages.length, 30);
  assert.deepEqual(
    q.messages.map((m) => decode(m).storeTimestamp),
    [...Array(30).keys()].map((k) => 1_000_000 + (3 + 5 * k) * 1000),
  );
  assert.equal(q.indexLastUpdateTimestamp, 1_149_000);
  q = await store.queryMessage("T", "U42", 32, 0, 2_000_000);
  assert.equal(q.messages.length, 1);
  assert.equal(decode(q.messages[0]).storeTimestamp, 1_042_000);
  q = await store.queryMessage("T", "order-3", 32, 1_010_000, 1_030_000);
  assert.deepEqual(q.messages.map((m) => decode(m).storeTimestamp), [
    1_013_000,
    1_018_000,
    1_023_000,
    1_028_000,
  ]);
  q = await store.queryMessage("T", "all", 200, 0, 2_000_000);
  assert.equal(q.messages.length, 64, "maxMsgsNumBatch");
  q = await store.queryMessage("Other", "U42", 32, 0, 2_000_000);
  assert.equal(q.messages.length, 0);
  assert.ok([...Deno.readDirSync(`${dir.path}/index`)].length > 2, "index files rolled");
});

Deno.test("getOffsetInQueueByTime() finds the exact or nearer store time", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  for (let i = 0; i < 20; i++) {
    await store.putMessage(message("T", 0, {}, { storeTimestamp: 10_000 + i * 100 }));
  }
  await store.putMessage(message("T", 0, {}, { storeTimestamp: 11_900 }));
  const at = (t: number) => store.getOffsetInQueueByTime("T", 0, t);
  assert.equal(await at(10_500), 5);
  assert.equal(await at(10_520), 5);
  assert.equal(await at(10_580), 6);
  assert.equal(await at(10_550), 5, "a tie goes to the earlier");
  assert.equal(await at(11_900), 19, "the first of equal times");
  assert.equal(await at(5_000), 0);
  assert.equal(await at(99_000), 20, "all older: the last message");
  assert.equal(await store.getOffsetInQueueByTime("T", 7, 10_000), 0);
  assert.equal(await store.getEarliestMessageTime("T", 0), 10_000);
  assert.equal(await store.getEarliestMessageTime("T", 7), -1);
  assert.equal(await store.getMessageStoreTimeStamp("T", 0, 3), 10_300);
  assert.equal(await store.getMessageStoreTimeStamp("T", 0, 30), -1);
  const phy = await store.getCommitLogOffsetInQueue("T", 0, 2);
  assert.equal(decode((await store.lookMessageByOffset(phy))!).queueOffset, 2);
  assert.equal(store.getEarliestCommitLogTime(), 10_000);
});

Deno.test("lookMessageByOffset() returns only whole records", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  const r = await store.putMessage(message("T", 0));
  const r2 = await store.putMessage(message("T", 0));
  assert.equal(decode((await store.lookMessageByOffset(r2.append!.wroteOffset))!).queueOffset, 1);
  assert.equal(await store.lookMessageByOffset(r.append!.wroteOffset + 4), undefined);
  assert.equal(await store.lookMessageByOffset(store.maxPhyOffset), undefined);
  assert.equal(await store.lookMessageByOffset(-1), undefined);
});

Deno.test("onQueueGrow() tells listeners after the entry is readable", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  const seen: string[] = [];
  const off = store.onQueueGrow((topic, queueId, max) => {
    seen.push(`${topic}/${queueId}=${max}`);
    assert.equal(store.getMaxOffsetInQueue(topic, queueId), max);
  });
  await Promise.all([store.putMessage(message("T", 0)), store.putMessage(message("T", 0))]);
  await store.putMessage(message("U", 4));
  off();
  await store.putMessage(message("U", 4));
  assert.deepEqual(seen, ["T/0=2", "U/4=1"]);
  assert.equal(store.dispatchBehindBytes, 0);
});

Deno.test("deleteTopics() drops a topic's consume queues", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  await putAll(store, 6, ["Gone", "Kept"], 1);
  await store.deleteTopics(["Gone"]);
  assert.deepEqual(store.topics(), ["Kept"]);
  assert.equal(
    (await store.getMessage("G", "Gone", 0, 0, 32)).status,
    GetStatus.NO_MATCHED_LOGIC_QUEUE,
  );
  assert.deepEqual([...Deno.readDirSync(`${dir.path}/consumequeue`)].map((e) => e.name), ["Kept"]);
  const r = await store.putMessage(message("Gone", 0));
  assert.equal(r.append!.queueOffset, 0);
});

Deno.test("MessageStore under SYNC_FLUSH answers once the bytes are durable", async () => {
  await using dir = await tempDir();
  await using store = await openStore({
    storePathRootDir: dir.path,
    flushDiskType: "SYNC_FLUSH",
  });
  const results = await Promise.all(
    Array.from(
      { length: 50 },
      (_, i) => store.putMessage(message("T", i % 4, { UNIQ_KEY: `${i}` })),
    ),
  );
  for (const r of results) {
    assert.equal(r.status, PutStatus.PUT_OK);
    assert.ok(store.flushedPhyOffset >= r.append!.wroteOffset + r.append!.wroteBytes);
  }
  const noWait = await store.putMessage(message("T", 0, {}, { waitStoreMsgOK: false }));
  assert.equal(noWait.status, PutStatus.PUT_OK);
  assert.equal(store.stats.putMessageTimesTotal, 51);
});

Deno.test("MessageStore.open() refuses a store another instance holds", async () => {
  await using dir = await tempDir();
  await using store = await openStore({ storePathRootDir: dir.path });
  await assert.rejects(
    () => MessageStore.open({ storePathRootDir: dir.path }),
    /it is open in another process/,
  );
  assert.equal(store.isWritable, true);
});

Deno.test("MessageStore.close() leaves a clean shutdown behind", async () => {
  await using dir = await tempDir();
  const store = await openStore({ storePathRootDir: dir.path });
  assert.ok(Deno.statSync(`${dir.path}/abort`).isFile);
  await store.putMessage(message("T", 0));
  await store.close();
  await store.close();
  assert.throws(() => Deno.statSync(`${dir.path}/abort`), Deno.errors.NotFound);
  assert.equal(Deno.statSync(`${dir.path}/checkpoint`).size, 4096);
  await assert.rejects(() => store.getMessage("G", "T", 0, 0, 1), /store is closed/);
});
