import assert from "node:assert/strict";
import {
  type HeldPull,
  PullRequestHoldService,
} from "../../src/broker/pull_request_hold_service.ts";
import { logger } from "../../src/common/log.ts";
import { Channel } from "../../src/remoting/channel.ts";
import { createRequest, createResponse, type RemotingCommand } from "../../src/remoting/command.ts";
import { socketPair } from "../helpers/remoting.ts";
import { message, openStore, SMALL_FILES } from "../helpers/store.ts";
import { tempDir } from "../helpers/temp_dir.ts";

/** A held pull that records its retries and answers; `keep` makes non-final retries hold on. */
function pull(channel: Channel, queueId: number, offset: number, keep = false) {
  const answers: (RemotingCommand | null)[] = [];
  const retries: boolean[] = [];
  const req = createRequest(11);
  const p: HeldPull = {
    topic: "T",
    queueId,
    channel,
    offset,
    retry: (final) => {
      retries.push(final);
      if (keep && !final) {
        p.offset++;
        return Promise.resolve(undefined);
      }
      return Promise.resolve(createResponse(req, final ? 19 : 0));
    },
    answer: (r) => answers.push(r),
  };
  return { p, answers, retries };
}

async function setup() {
  const dir = await tempDir();
  const store = await openStore({ storePathRootDir: dir.path, ...SMALL_FILES });
  const pair = await socketPair();
  const channel = new Channel(pair.server, { onRequest: () => null, log: logger("test") });
  const holds = new PullRequestHoldService(store);
  holds.start();
  return {
    store,
    channel,
    holds,
    async [Symbol.asyncDispose]() {
      holds.shutdown();
      channel.close();
      pair[Symbol.dispose]();
      await store.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Response codes of the answers (null: dropped). */
function codes(answers: (RemotingCommand | null)[]): (number | undefined)[] {
  return answers.map((r) => r?.code);
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

Deno.test("PullRequestHoldService answers once, when the queue grows, and not again at the deadline", async () => {
  await using s = await setup();
  const a = pull(s.channel, 0, 0);
  const b = pull(s.channel, 1, 0);
  s.holds.suspend(a.p, 100);
  s.holds.suspend(b.p, 100);
  assert.equal(s.holds.size, 2);
  await s.store.putMessage(message("T", 0));
  await tick();
  assert.deepEqual(codes(a.answers), [0]);
  assert.deepEqual(b.answers, [], "another queue's pull stays held");
  await tick(150);
  assert.deepEqual(codes(a.answers), [0], "answered exactly once");
  assert.deepEqual(a.retries, [false]);
  assert.deepEqual(codes(b.answers), [19], "the other ran out");
  assert.deepEqual(b.retries, [true]);
  assert.equal(s.holds.size, 0);
});

Deno.test("PullRequestHoldService holds on while retries want more, until the deadline", async () => {
  await using s = await setup();
  const a = pull(s.channel, 0, 0, true);
  s.holds.suspend(a.p, 150);
  await s.store.putMessage(message("T", 0));
  await s.store.putMessage(message("T", 0));
  await tick(50);
  assert.deepEqual(a.answers, []);
  assert.equal(a.p.offset, 2, "moved past both messages");
  await tick(150);
  assert.deepEqual(codes(a.answers), [19]);
  assert.equal(a.retries.at(-1), true);
});

Deno.test("PullRequestHoldService drops a closed channel's pulls and answers the rest at shutdown", async () => {
  await using s = await setup();
  const pair = await socketPair();
  const other = new Channel(pair.server, { onRequest: () => null, log: logger("test") });
  const gone = pull(other, 0, 0);
  const kept = pull(s.channel, 0, 0);
  s.holds.suspend(gone.p, 10_000);
  s.holds.suspend(kept.p, 10_000);
  s.holds.channelClosed(other);
  assert.deepEqual(gone.answers, [null]);
  assert.equal(s.holds.size, 1);
  await s.holds.answerAll();
  assert.deepEqual(codes(kept.answers), [19]);
  assert.equal(s.holds.accepting, false);
  other.close();
  pair[Symbol.dispose]();
});

Deno.test("PullRequestHoldService runs a pull at once when its queue grew before it was held", async () => {
  await using s = await setup();
  await s.store.putMessage(message("T", 0));
  const a = pull(s.channel, 0, 0);
  s.holds.suspend(a.p, 10_000);
  await tick();
  assert.deepEqual(codes(a.answers), [0]);
});
