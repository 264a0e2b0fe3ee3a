import assert from "node:assert/strict";
import { ConsumerOffsetManager } from "../../src/broker/consumer_offset_manager.ts";
import { tempDir } from "../helpers/temp_dir.ts";

Deno.test("ConsumerOffsetManager commits, queries and answers who consumes what", {
  permissions: "none",
}, () => {
  const m = new ConsumerOffsetManager("/nonexistent/consumerOffset.json");
  assert.equal(m.queryOffset("g", "T", 0), -1);
  m.commitOffset("10.0.0.1:1", "g", "T", 0, 5);
  m.commitOffset("10.0.0.1:1", "g", "T", 1, 7);
  m.commitOffset("10.0.0.1:1", "h", "T", 0, 1);
  m.commitOffset("10.0.0.1:1", "g", "U", 0, 2);
  assert.equal(m.queryOffset("g", "T", 1), 7);
  assert.deepEqual([...m.whichTopicByConsumer("g")].sort(), ["T", "U"]);
  assert.deepEqual([...m.whichGroupByTopic("T")].sort(), ["g", "h"]);
  m.cloneOffset("g", "k", "T");
  assert.deepEqual(m.queryOffsets("k", "T"), new Map([[0, 5], [1, 7]]));
  m.removeOffset("g");
  assert.equal(m.queryOffset("g", "T", 0), -1);
  assert.deepEqual([...m.snapshot().keys()].sort(), ["T@h", "T@k"]);
});

Deno.test("ConsumerOffsetManager loads Java's pretty file and writes fastjson", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/config/consumerOffset.json`;
  await Deno.mkdir(`${dir.path}/config`);
  // As a Java broker leaves it: pretty-printed, unquoted int keys.
  await Deno.writeTextFile(
    path,
    '{\n\t"offsetTable":{\n\t\t"%RETRY%g@g":{0:0\n\t\t},\n\t\t"T@g":{0:12,1:7\n\t\t}\n\t}\n}',
  );
  const m = new ConsumerOffsetManager(path);
  await m.load();
  assert.equal(m.queryOffset("g", "T", 0), 12);
  assert.equal(m.queryOffset("g", "%RETRY%g", 0), 0);
  m.commitOffset("x", "g", "T", 1, 8);
  await m.shutdown();
  assert.equal(
    await Deno.readTextFile(path),
    '{"offsetTable":{"%RETRY%g@g":{0:0},"T@g":{0:12,1:8}}}',
  );
  // A damaged file falls back to the previous version.
  await Deno.writeTextFile(path, "{broken");
  const again = new ConsumerOffsetManager(path);
  await again.load();
  assert.equal(again.queryOffset("g", "T", 0), 12);
});

Deno.test("ConsumerOffsetManager stores a commit past the queue's end as the end", {
  permissions: "none",
}, () => {
  const max = new Map([["T:0", 10], ["T:1", 0]]);
  const m = new ConsumerOffsetManager(
    "/nonexistent/consumerOffset.json",
    (topic, queueId) => max.get(`${topic}:${queueId}`) ?? 0,
  );
  m.commitOffset("10.0.0.1:1", "g", "T", 0, 10);
  assert.equal(m.queryOffset("g", "T", 0), 10);
  m.commitOffset("10.0.0.1:1", "g", "T", 0, 1_000_000);
  assert.equal(m.queryOffset("g", "T", 0), 10);
  m.commitOffset("10.0.0.1:1", "g", "T", 1, 3);
  assert.equal(m.queryOffset("g", "T", 1), 0);
  m.commitOffset("10.0.0.1:1", "g", "T", 0, 4);
  assert.equal(m.queryOffset("g", "T", 0), 4, "going back is allowed (a reset)");
});
