import assert from "node:assert/strict";
import { createRequest, type RemotingCommand, SerializeType } from "../../src/remoting/command.ts";
import { decodeFrame, encodeFrame, MAX_FRAME_LENGTH } from "../../src/remoting/frame_codec.ts";
import { FrameReader } from "../../src/remoting/frame_reader.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";

// Golden frames of both header types (tests/fixtures/*.hex), read before the tests.
const GOLDEN = [
  "frame_json_send_v2_request.hex",
  "frame_json_send_v2_response.hex",
  "frame_rocketmq_request.hex",
  "frame_rocketmq_response.hex",
  "frame_alions_send_v2_request.hex",
].map((name) => loadHexFixture(name));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

const STREAM = concat(GOLDEN);
const EXPECTED = GOLDEN.map(decodeFrame);

function drain(reader: FrameReader, into: RemotingCommand[]): void {
  let cmd: RemotingCommand | undefined;
  while ((cmd = reader.next()) !== undefined) into.push(cmd);
}

Deno.test({
  name: "FrameReader yields every golden frame when fed byte by byte",
  permissions: "none",
  fn() {
    const reader = new FrameReader();
    const got: RemotingCommand[] = [];
    for (let i = 0; i < STREAM.length; i++) {
      reader.push(STREAM.subarray(i, i + 1));
      drain(reader, got);
    }
    assert.deepEqual(got, EXPECTED);
    assert.equal(reader.buffered, 0);
  },
});

Deno.test({
  name: "FrameReader yields every golden frame when the stream is split at any point",
  permissions: "none",
  fn() {
    for (let i = 0; i <= STREAM.length; i++) {
      const reader = new FrameReader();
      const got: RemotingCommand[] = [];
      reader.push(STREAM.subarray(0, i));
      drain(reader, got);
      reader.push(STREAM.subarray(i));
      drain(reader, got);
      assert.deepEqual(got, EXPECTED, `split at ${i}`);
      assert.equal(reader.buffered, 0);
    }
  },
});

Deno.test({
  name: "FrameReader yields both binary frames for every pair of split points",
  permissions: "none",
  fn() {
    const stream = concat(GOLDEN.slice(2, 4));
    const expected = EXPECTED.slice(2, 4);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const reader = new FrameReader();
        const got: RemotingCommand[] = [];
        for (const part of [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]) {
          reader.push(part);
          drain(reader, got);
        }
        assert.deepEqual(got, expected, `split at ${i} and ${j}`);
      }
    }
  },
});

Deno.test({
  name: "FrameReader waits for the length field and then for the whole frame",
  permissions: "none",
  fn() {
    const frame = GOLDEN[2];
    const reader = new FrameReader();
    reader.push(frame.subarray(0, 3));
    assert.equal(reader.next(), undefined);
    assert.equal(reader.buffered, 3);
    reader.push(frame.subarray(3, frame.length - 1));
    assert.equal(reader.next(), undefined);
    assert.equal(reader.buffered, frame.length - 1);
    reader.push(frame.subarray(frame.length - 1));
    assert.deepEqual(reader.next(), EXPECTED[2]);
    assert.equal(reader.next(), undefined);
    assert.equal(reader.buffered, 0);
  },
});

/** Simulates a socket: reads into writable(), a random number of bytes at a time. */
function feedLikeASocket(reader: FrameReader, stream: Uint8Array, rand: () => number) {
  const got: RemotingCommand[] = [];
  let pos = 0;
  while (pos < stream.length) {
    const buf = reader.writable();
    assert.ok(buf.length >= 4096);
    const n = Math.min(buf.length, stream.length - pos, 1 + Math.floor(rand() * 9000));
    buf.set(stream.subarray(pos, pos + n));
    reader.commit(n);
    pos += n;
    drain(reader, got);
  }
  return got;
}

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test({
  name: "FrameReader grows for frames larger than its buffer and compacts between them",
  permissions: "none",
  fn() {
    const rand = prng(7);
    const cmds: RemotingCommand[] = [];
    for (let i = 0; i < 40; i++) {
      const size = i % 10 === 3 ? 200_000 + i : Math.floor(rand() * 3000);
      const body = new Uint8Array(size).map((_, k) => (k * 31 + i) & 0xff);
      cmds.push(
        createRequest(310, { i: String(i) }, {
          body,
          serializeType: i % 2 ? SerializeType.ROCKETMQ : SerializeType.JSON,
        }),
      );
    }
    const stream = concat(cmds.map(encodeFrame));
    const reader = new FrameReader();
    const got = feedLikeASocket(reader, stream, rand);
    assert.equal(got.length, cmds.length);
    for (let i = 0; i < cmds.length; i++) {
      assert.equal(got[i].extFields.i, String(i));
      assert.deepEqual(got[i].body ?? new Uint8Array(0), cmds[i].body);
    }
  },
});

Deno.test({
  name: "FrameReader reads a frame of the largest allowed length, then shrinks its buffer",
  permissions: "none",
  fn() {
    const cmd = createRequest(310, { a: "PG" });
    const headerLength = encodeFrame(cmd).length - 8;
    cmd.body = new Uint8Array(MAX_FRAME_LENGTH - 4 - headerLength).fill(7);
    const frame = encodeFrame(cmd);
    const reader = new FrameReader();
    const got: RemotingCommand[] = [];
    for (let pos = 0; pos < frame.length; pos += 1 << 20) {
      reader.push(frame.subarray(pos, pos + (1 << 20)));
      drain(reader, got);
    }
    assert.equal(got.length, 1);
    assert.equal(got[0].body?.length, cmd.body.length);
    assert.equal(got[0].body?.[cmd.body.length - 1], 7);
    // Idle and empty: the 16 MiB buffer has been dropped for a small one.
    assert.ok(reader.writable(1).length < 1 << 20, `${reader.writable(1).length} bytes kept`);
  },
});

function lengthOnly(length: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, length);
  return b;
}

Deno.test({
  name: "FrameReader rejects a bad length as soon as the length field arrives",
  permissions: "none",
  fn() {
    for (const length of [0, 3, -1, -2147483648, MAX_FRAME_LENGTH + 1, 2147483647]) {
      const reader = new FrameReader();
      reader.push(lengthOnly(length));
      assert.throws(() => reader.next(), {
        name: "RangeError",
        message: `Cannot decode frame: length ${length} out of range`,
      });
    }
    const reader = new FrameReader();
    reader.push(lengthOnly(MAX_FRAME_LENGTH));
    assert.equal(reader.next(), undefined); // waits for the rest
  },
});

Deno.test({
  name: "FrameReader rejects a header longer than the frame once the frame is in",
  permissions: "none",
  fn() {
    const frame = new Uint8Array(124);
    const v = new DataView(frame.buffer);
    v.setInt32(0, 120);
    v.setInt32(4, 70000);
    const reader = new FrameReader();
    reader.push(frame.subarray(0, 100));
    assert.equal(reader.next(), undefined);
    reader.push(frame.subarray(100));
    assert.throws(() => reader.next(), {
      name: "RangeError",
      message: "Cannot decode frame: header length 70000 exceeds frame length 120",
    });
  },
});

Deno.test({
  name: "FrameReader yields the frames before a malformed one, then throws",
  permissions: "none",
  fn() {
    const bad = new Uint8Array([0, 0, 0, 6, 0, 0, 0, 2, 0x7b, 0x7d]); // header "{}" has no code
    const reader = new FrameReader();
    reader.push(concat([GOLDEN[0], bad, GOLDEN[1]]));
    assert.deepEqual(reader.next(), EXPECTED[0]);
    assert.throws(() => reader.next(), SyntaxError);
  },
});
