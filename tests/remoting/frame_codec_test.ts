import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import RemotingCommandJs from "ali-ons/lib/protocol/command/remoting_command.js";
import MessageDecoderJs from "ali-ons/lib/message/message_decoder.js";
import {
  createRequest,
  createResponse,
  isOneway,
  isResponse,
  type RemotingCommand,
  RemotingFlag,
  SerializeType,
} from "../../src/remoting/command.ts";
import {
  decodeBinaryHeader,
  decodeFrame,
  decodeFrameContent,
  decodeJsonHeader,
  encodeBinaryHeader,
  encodeFrame,
  encodeHeader,
  encodeJsonHeader,
  MAX_FRAME_LENGTH,
  MAX_FRAME_SIZE,
} from "../../src/remoting/frame_codec.ts";
import { encodeHeader as encodeCustomHeader } from "../../src/remoting/header_codec.ts";
import { SendMessageRequestHeaderV2 } from "../../src/remoting/headers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { loadHexFixture } from "../helpers/fixtures.ts";

// Golden vectors, read before the tests so each can run without permissions.
const ALIONS_SEND_V2_REQUEST = loadHexFixture("frame_alions_send_v2_request.hex");
const JSON_SEND_V2_REQUEST = loadHexFixture("frame_json_send_v2_request.hex");
const JSON_SEND_V2_RESPONSE = loadHexFixture("frame_json_send_v2_response.hex");
const ROCKETMQ_REQUEST = loadHexFixture("frame_rocketmq_request.hex");
const ROCKETMQ_RESPONSE = loadHexFixture("frame_rocketmq_response.hex");

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The property string inside the REMOTING.md §1.2 example, with a concrete UNIQ_KEY. */
const EXAMPLE_PROPERTIES =
  "KEYS\u0001k1\u0002UNIQ_KEY\u00017F0000010001000000000000000000AB\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002";

/** The command in tests/fixtures/frame_json_send_v2_request.hex (REMOTING.md §1.2 example). */
function exampleSendRequest(): RemotingCommand {
  return {
    code: RequestCode.SEND_MESSAGE_V2,
    language: "JAVA",
    version: 409,
    opaque: 12,
    flag: 0,
    remark: undefined,
    extFields: {
      a: "PG",
      b: "TopicTest",
      bname: "broker-a",
      c: "TBW102",
      d: "4",
      e: "1",
      f: "0",
      g: "1700000000000",
      h: "0",
      i: EXAMPLE_PROPERTIES,
      j: "0",
      k: "false",
      m: "false",
      n: "broker-a",
    },
    body: enc.encode("Hello RocketMQ"),
    serializeType: SerializeType.JSON,
  };
}

const EXAMPLE_RESPONSE_EXT = {
  MSG_REGION: "DefaultRegion",
  TRACE_ON: "true",
  msgId: "7F00000100002A9F0000000000001234",
  queueId: "1",
  queueOffset: "42",
};

/** A JSON frame around arbitrary header text (for headers a real peer might send). */
function jsonFrame(headerText: string, body = new Uint8Array(0)): Uint8Array {
  const header = enc.encode(headerText);
  const out = new Uint8Array(8 + header.length + body.length);
  const v = new DataView(out.buffer);
  v.setInt32(0, 4 + header.length + body.length);
  v.setInt32(4, header.length);
  out.set(header, 8);
  out.set(body, 8 + header.length);
  return out;
}

// ---- golden vectors ----

Deno.test({
  name: "encodeFrame() writes the REMOTING.md §1.2 example request byte for byte",
  permissions: "none",
  fn() {
    assert.deepEqual(
      encodeFrame(exampleSendRequest()),
      JSON_SEND_V2_REQUEST,
    );
  },
});

Deno.test({
  name: "decodeFrame() reads the REMOTING.md §1.2 example request",
  permissions: "none",
  fn() {
    const cmd = decodeFrame(JSON_SEND_V2_REQUEST);
    assert.deepEqual(cmd, exampleSendRequest());
    assert.equal(cmd.extFields.i, EXAMPLE_PROPERTIES); // \u0001 and \u0002 unescaped
  },
});

Deno.test({
  name: "encodeFrame() writes a createResponse() answer as the §1.2 example response",
  permissions: "none",
  fn() {
    const request = { ...exampleSendRequest(), opaque: 12 };
    const response = createResponse(request, ResponseCode.SUCCESS, undefined, EXAMPLE_RESPONSE_EXT);
    assert.deepEqual(encodeFrame(response), JSON_SEND_V2_RESPONSE);
  },
});

Deno.test({
  name: "decodeFrame() reads the §1.2 example response with its flag and opaque",
  permissions: "none",
  fn() {
    const cmd = decodeFrame(JSON_SEND_V2_RESPONSE);
    assert.equal(cmd.code, 0);
    assert.equal(cmd.opaque, 12);
    assert.equal(cmd.flag, RemotingFlag.RESPONSE);
    assert.ok(isResponse(cmd));
    assert.equal(cmd.body, undefined);
    assert.deepEqual(cmd.extFields, EXAMPLE_RESPONSE_EXT);
  },
});

const ROCKETMQ_REQUEST_CMD: RemotingCommand = {
  code: RequestCode.SEND_MESSAGE_V2,
  language: "JAVA",
  version: 409,
  opaque: 12,
  flag: 0,
  remark: undefined,
  extFields: { a: "PG", e: "1", g: "1700000000000" },
  body: enc.encode("hi"),
  serializeType: SerializeType.ROCKETMQ,
};

Deno.test({
  name: "encodeFrame() writes a ROCKETMQ binary header byte for byte (§1.3)",
  permissions: "none",
  fn() {
    assert.deepEqual(encodeFrame(ROCKETMQ_REQUEST_CMD), ROCKETMQ_REQUEST);
  },
});

Deno.test({
  name: "decodeFrame() reads a ROCKETMQ binary request (§1.3)",
  permissions: "none",
  fn() {
    assert.deepEqual(decodeFrame(ROCKETMQ_REQUEST), ROCKETMQ_REQUEST_CMD);
  },
});

Deno.test({
  name: "decodeFrame() reads a ROCKETMQ response: language number, signed opaque, UTF-8 remark",
  permissions: "none",
  fn() {
    const cmd = decodeFrame(ROCKETMQ_RESPONSE);
    assert.deepEqual(cmd, {
      code: ResponseCode.SYSTEM_ERROR,
      language: "GO",
      version: 317,
      opaque: -2,
      flag: RemotingFlag.RESPONSE,
      remark: "boom \u00e9",
      // The empty value of "k" decodes as absent (§1.3).
      extFields: { x: "y" },
      serializeType: SerializeType.ROCKETMQ,
    });
  },
});

Deno.test({
  name: "encodeFrame() writes an empty extFields value with length 0 in a ROCKETMQ header",
  permissions: "none",
  fn() {
    const cmd: RemotingCommand = {
      code: ResponseCode.SYSTEM_ERROR,
      language: "GO",
      version: 317,
      opaque: -2,
      flag: RemotingFlag.RESPONSE,
      remark: "boom \u00e9",
      extFields: { k: "", x: "y" },
      serializeType: SerializeType.ROCKETMQ,
    };
    assert.deepEqual(encodeFrame(cmd), ROCKETMQ_RESPONSE);
  },
});

// ---- ali-ons, a third-party codec ----

function aliOnsSendRequest() {
  const header = {
    a: "PG",
    b: "TopicTest",
    c: "TBW102",
    d: 4,
    e: 0,
    f: 0,
    g: 1700000000000,
    h: 0,
    i: MessageDecoderJs.messageProperties2String({
      KEYS: "k1",
      UNIQ_KEY: "7F0000010001000000000000000000AB",
      WAIT: "true",
      TAGS: "TagA",
    }),
    j: 0,
    k: false,
    l: undefined,
  };
  const cmd = RemotingCommandJs.createRequestCommand(RequestCode.SEND_MESSAGE_V2, header);
  cmd.opaque = 7;
  cmd.body = Buffer.from("Hello RocketMQ");
  return cmd;
}

Deno.test("the ali-ons fixture is what ali-ons 3.12.0's encoder writes today", () => {
  const bytes = new Uint8Array(aliOnsSendRequest().encode());
  assert.deepEqual(bytes, ALIONS_SEND_V2_REQUEST);
});

Deno.test({
  name: "decodeFrame() reads ali-ons's frame: raw numbers and booleans become strings",
  permissions: "none",
  fn() {
    const cmd = decodeFrame(ALIONS_SEND_V2_REQUEST);
    assert.equal(cmd.code, RequestCode.SEND_MESSAGE_V2);
    assert.equal(cmd.language, "JAVA");
    assert.equal(cmd.version, 121);
    assert.equal(cmd.opaque, 7);
    assert.equal(cmd.flag, 0);
    assert.equal(cmd.serializeType, SerializeType.JSON);
    assert.deepEqual(cmd.extFields, {
      a: "PG",
      b: "TopicTest",
      c: "TBW102",
      d: "4",
      e: "0",
      f: "0",
      g: "1700000000000",
      h: "0",
      i: EXAMPLE_PROPERTIES,
      j: "0",
      k: "false",
    });
    assert.equal(dec.decode(cmd.body), "Hello RocketMQ");
  },
});

Deno.test("encodeFrame() output is read back by ali-ons's decoder", () => {
  const request = createRequest(
    RequestCode.PULL_MESSAGE,
    { consumerGroup: "CG", queueOffset: "42", subscription: "TagA || TagB" },
    { body: enc.encode("body \u4e2d"), remark: "r\u00e9mark" },
  );
  request.opaque = 99;
  const response = createResponse(request, ResponseCode.PULL_NOT_FOUND, "no new message", {
    nextBeginOffset: "42",
  });
  for (const cmd of [request, response]) {
    const js = RemotingCommandJs.decode(Buffer.from(encodeFrame(cmd)));
    assert.equal(js.code, cmd.code);
    assert.equal(js.opaque, cmd.opaque);
    assert.equal(js.flag, cmd.flag);
    assert.equal(js.isResponseType, isResponse(cmd));
    assert.equal(js.remark, cmd.remark);
    assert.deepEqual({ ...js.extFields }, cmd.extFields);
    assert.deepEqual(js.body ? new Uint8Array(js.body) : undefined, cmd.body);
  }
});

// ---- flags, opaque, serialize type ----

Deno.test({
  name: "createRequest() and createResponse() set the flag bits and copy opaque and type",
  permissions: "none",
  fn() {
    const req = createRequest(RequestCode.HEART_BEAT, {}, {
      serializeType: SerializeType.ROCKETMQ,
    });
    assert.equal(req.flag, 0);
    assert.ok(!isResponse(req) && !isOneway(req));
    const oneway = createRequest(RequestCode.UNREGISTER_CLIENT, {}, { oneway: true });
    assert.equal(oneway.flag, RemotingFlag.ONEWAY);
    assert.ok(isOneway(oneway) && !isResponse(oneway));
    const res = createResponse(req, ResponseCode.SUCCESS);
    assert.equal(res.flag, RemotingFlag.RESPONSE);
    assert.equal(res.opaque, req.opaque);
    assert.equal(res.serializeType, SerializeType.ROCKETMQ);
    assert.equal(res.version, 409);
    assert.deepEqual(res.extFields, {});
    assert.notEqual(createRequest(1).opaque, createRequest(1).opaque);
  },
});

Deno.test({
  name: "decodeFrame() keeps both flag bits and any int32 opaque in both header types",
  permissions: "none",
  fn() {
    for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      for (const opaque of [0, 1, -1, 2147483647, -2147483648]) {
        for (const flag of [0, 1, 2, 3]) {
          const cmd: RemotingCommand = {
            code: 34,
            language: "JAVA",
            version: 409,
            opaque,
            flag,
            extFields: {},
            serializeType,
          };
          const back = decodeFrame(encodeFrame(cmd));
          assert.equal(back.opaque, opaque);
          assert.equal(back.flag, flag);
          assert.equal(isResponse(back), (flag & 1) === 1);
          assert.equal(isOneway(back), (flag & 2) === 2);
          assert.equal(back.serializeType, serializeType);
        }
      }
    }
  },
});

Deno.test({
  name: "encodeFrame() puts the serialize type in the high byte of the header-length word",
  permissions: "none",
  fn() {
    const cmd = createRequest(1, { k: "v" });
    for (const type of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      cmd.serializeType = type;
      const frame = encodeFrame(cmd);
      const v = new DataView(frame.buffer);
      assert.equal(frame[4], type);
      assert.equal(v.getInt32(4) & 0xffffff, encodeHeader(cmd).length);
      assert.equal(v.getInt32(0), frame.length - 4);
    }
  },
});

// ---- extFields: written as strings, read leniently ----

Deno.test({
  name: "encodeJsonHeader() writes every extFields value as a JSON string",
  permissions: "none",
  fn() {
    const ext = encodeCustomHeader(SendMessageRequestHeaderV2, {
      producerGroup: "PG",
      topic: "T",
      defaultTopic: "TBW102",
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: 0,
      bornTimestamp: 1700000000000,
      flag: 0,
      unitMode: false,
      batch: true,
    });
    const text = encodeJsonHeader(createRequest(RequestCode.SEND_MESSAGE_V2, ext));
    const parsed = JSON.parse(text);
    for (const [k, v] of Object.entries(parsed.extFields)) {
      assert.equal(typeof v, "string", `extFields.${k} is ${typeof v}`);
    }
    assert.ok(text.includes('"e":"0"') && text.includes('"k":"false"'), text);
    assert.ok(text.includes('"g":"1700000000000"'), text);
  },
});

Deno.test({
  name: "encodeJsonHeader() is compact, sorted, omits a null remark, always has extFields",
  permissions: "none",
  fn() {
    const res = createResponse(createRequest(1), 0);
    assert.equal(
      encodeJsonHeader(res),
      `{"code":0,"extFields":{},"flag":1,"language":"JAVA","opaque":${res.opaque},` +
        `"serializeTypeCurrentRPC":"JSON","version":409}`,
    );
    res.remark = "x";
    assert.match(encodeJsonHeader(res), /"opaque":-?\d+,"remark":"x","serializeTypeCurrentRPC"/);
  },
});

Deno.test({
  name: "decodeFrame() reads extFields numbers, booleans and strings, keeping 64-bit digits",
  permissions: "none",
  fn() {
    const text = '{"code":11,"extFields":{"commitOffset":9223372036854775807,' +
      '"queueOffset":9007199254740993,"neg":-9007199254740993,"queueId":0,"maxMsgNums":32,' +
      '"unitMode":true,"order":false,"topic":"T","ratio":1.5,"gone":null},' +
      '"flag":0,"language":"JAVA","opaque":1,"version":121}';
    const cmd = decodeFrame(jsonFrame(text));
    assert.deepEqual(cmd.extFields, {
      commitOffset: "9223372036854775807",
      queueOffset: "9007199254740993",
      neg: "-9007199254740993",
      queueId: "0",
      maxMsgNums: "32",
      unitMode: "true",
      order: "false",
      topic: "T",
      ratio: "1.5",
    });
  },
});

Deno.test({
  name: "decodeFrame() keeps a big extFields number whose key is also a top-level key",
  permissions: "none",
  fn() {
    // The top-level "opaque" and "version" come after extFields in fastjson's key order.
    const text = '{"code":11,"extFields":{"opaque":9007199254740993,"version":18014398509481985},' +
      '"flag":0,"language":"JAVA","opaque":5,"version":121}';
    const cmd = decodeFrame(jsonFrame(text));
    assert.equal(cmd.opaque, 5);
    assert.equal(cmd.version, 121);
    assert.deepEqual(cmd.extFields, {
      opaque: "9007199254740993",
      version: "18014398509481985",
    });
  },
});

Deno.test({
  name: "decodeJsonHeader() treats a missing or null extFields as empty and defaults the rest",
  permissions: "none",
  fn() {
    for (const ext of ["", ',"extFields":null']) {
      const cmd = decodeJsonHeader(enc.encode(`{"code":34${ext}}`));
      assert.deepEqual(cmd, {
        code: 34,
        language: "OTHER",
        version: 0,
        opaque: 0,
        flag: 0,
        remark: undefined,
        extFields: {},
        serializeType: SerializeType.JSON,
      });
    }
  },
});

Deno.test({
  name: "decodeJsonHeader() accepts fastjson's looser dialect: unquoted keys, single quotes",
  permissions: "none",
  fn() {
    const cmd = decodeJsonHeader(
      enc.encode("{code:310,flag:0,opaque:7,extFields:{a:'PG',e:1,g:12345678901234567890}}"),
    );
    assert.equal(cmd.code, 310);
    assert.equal(cmd.opaque, 7);
    assert.deepEqual(cmd.extFields, { a: "PG", e: "1", g: "12345678901234567890" });
  },
});

Deno.test({
  name: "decodeJsonHeader() rejects headers that are not a JSON object with a numeric code",
  permissions: "none",
  fn() {
    for (
      const text of [
        "",
        "{",
        "null",
        "[]",
        '"code"',
        '{"language":"JAVA"}',
        '{"code":1,"extFields":[]}',
        '{"code":1,"extFields":"a"}',
        "{code:'x'}",
      ]
    ) {
      assert.throws(() => decodeJsonHeader(enc.encode(text)), SyntaxError, text);
    }
  },
});

// ---- unicode, bodies, round trips ----

Deno.test({
  name: "encodeFrame() counts header length in UTF-8 bytes for both header types",
  permissions: "none",
  fn() {
    for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      const cmd: RemotingCommand = {
        code: 1,
        language: "JAVA",
        version: 409,
        opaque: 3,
        flag: 1,
        remark: "\u4e2d\u6587 \u{1f680} caf\u00e9",
        extFields: { "k\u00e9y": "v\u{1f600}", props: "A\u0001b\u0002" },
        body: enc.encode("\u00ff"),
        serializeType,
      };
      const back = decodeFrame(encodeFrame(cmd));
      assert.deepEqual(back, cmd);
    }
  },
});

Deno.test({
  name: "decodeFrameContent() copies the body out of the caller's buffer",
  permissions: "none",
  fn() {
    const frame = encodeFrame(createRequest(1, {}, { body: enc.encode("abc") }));
    const cmd = decodeFrameContent(frame, 4, frame.length - 4);
    frame.fill(0);
    assert.equal(dec.decode(cmd.body), "abc");
  },
});

Deno.test({
  name: "decodeFrame() gives an empty body as absent",
  permissions: "none",
  fn() {
    const cmd = createRequest(1, {}, { body: new Uint8Array(0) });
    assert.equal(decodeFrame(encodeFrame(cmd)).body, undefined);
  },
});

Deno.test({
  name: "encodeBinaryHeader() writes an unknown language as OTHER and decode tolerates any number",
  permissions: "none",
  fn() {
    const cmd = createRequest(1, {}, { serializeType: SerializeType.ROCKETMQ });
    cmd.language = "KLINGON";
    const frame = encodeFrame(cmd);
    assert.equal(frame[8 + 2], 7);
    frame[8 + 2] = 200;
    assert.equal(decodeFrame(frame).language, "OTHER");
    frame[8 + 2] = 9;
    assert.equal(decodeFrame(frame).language, "GO");
  },
});

/** A small deterministic PRNG (mulberry32) so random tests are repeatable. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test({
  name: "decodeFrame(encodeFrame(x)) is x for random commands in both header types",
  permissions: "none",
  fn() {
    const rand = prng(42);
    const int = (n: number) => Math.floor(rand() * n);
    const alphabet = 'abcXYZ019 _-\u0001\u0002\u00e9\u4e2d\u{1f600}"\\/{}:,';
    const str = (max: number) => {
      const chars = [...alphabet];
      let s = "";
      for (let i = 1 + int(max); i > 0; i--) s += chars[int(chars.length)];
      return s;
    };
    const languages = ["JAVA", "CPP", "GO", "OTHER", "NODE_JS", "RUST"];
    for (let i = 0; i < 300; i++) {
      const extFields: Record<string, string> = {};
      for (let n = int(6); n > 0; n--) extFields[str(8)] = str(40);
      const cmd: RemotingCommand = {
        code: int(32768),
        language: languages[int(languages.length)],
        version: int(32768),
        opaque: (rand() * 2 ** 32) | 0,
        flag: int(4),
        remark: int(2) === 0 ? undefined : str(30),
        extFields,
        serializeType: int(2) === 0 ? SerializeType.JSON : SerializeType.ROCKETMQ,
      };
      if (int(3) > 0) cmd.body = crypto.getRandomValues(new Uint8Array(1 + int(300)));
      assert.deepEqual(decodeFrame(encodeFrame(cmd)), cmd);
    }
  },
});

// ---- the 16 MiB cap and malformed frames ----

Deno.test({
  name: "encodeFrame() accepts a frame of exactly 16 MiB and rejects one byte more",
  permissions: "none",
  fn() {
    const cmd = createRequest(RequestCode.SEND_MESSAGE_V2, { a: "PG" });
    const headerLength = encodeHeader(cmd).length;
    cmd.body = new Uint8Array(MAX_FRAME_SIZE - 8 - headerLength);
    const frame = encodeFrame(cmd);
    assert.equal(frame.length, MAX_FRAME_SIZE);
    assert.equal(new DataView(frame.buffer).getInt32(0), MAX_FRAME_LENGTH);
    assert.equal(decodeFrame(frame).body?.length, cmd.body.length);
    cmd.body = new Uint8Array(cmd.body.length + 1);
    assert.throws(() => encodeFrame(cmd), {
      name: "RangeError",
      message: `Cannot encode frame: ${MAX_FRAME_SIZE + 1} bytes exceeds ${MAX_FRAME_SIZE}`,
    });
  },
});

Deno.test({
  name: "decodeFrameContent() rejects a length below 4 or above 16 MiB - 4",
  permissions: "none",
  fn() {
    const bytes = new Uint8Array(16);
    for (const length of [-1, 0, 3, MAX_FRAME_LENGTH + 1, 2 ** 31 - 1]) {
      assert.throws(() => decodeFrameContent(bytes, 0, length), {
        name: "RangeError",
        message: `Cannot decode frame: length ${length} out of range`,
      });
    }
  },
});

Deno.test({
  name: "decodeFrame() rejects a header longer than the frame",
  permissions: "none",
  fn() {
    const frame = new Uint8Array(124);
    const v = new DataView(frame.buffer);
    v.setInt32(0, 120);
    v.setInt32(4, 70000);
    assert.throws(() => decodeFrame(frame), {
      name: "RangeError",
      message: "Cannot decode frame: header length 70000 exceeds frame length 120",
    });
  },
});

Deno.test({
  name: "decodeFrame() rejects an unknown serialize type and a length that disagrees",
  permissions: "none",
  fn() {
    const frame = encodeFrame(createRequest(1));
    frame[4] = 2;
    assert.throws(() => decodeFrame(frame), /unknown serialize type 2/);
    const good = encodeFrame(createRequest(1));
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    assert.throws(() => decodeFrame(longer), RangeError);
    assert.throws(() => decodeFrame(good.subarray(0, good.length - 1)), RangeError);
    assert.throws(() => decodeFrame(good.subarray(0, 3)), RangeError);
  },
});

/** Builds a ROCKETMQ header by hand: fixed part, then the remark and extFields as given. */
function binaryHeader(remarkLength: number, remark: Uint8Array, extLength: number, ext: number[]) {
  const out = new Uint8Array(21 + remark.length + ext.length);
  const v = new DataView(out.buffer);
  v.setInt16(0, 1);
  v.setInt16(3, 409);
  v.setInt32(13, remarkLength);
  out.set(remark, 17);
  v.setInt32(17 + remark.length, extLength);
  out.set(ext, 21 + remark.length);
  return out;
}

Deno.test({
  name: "decodeBinaryHeader() rejects lengths that point outside the header",
  permissions: "none",
  fn() {
    const kv = [0, 1, 0x6b, 0, 0, 0, 1, 0x76]; // "k" -> "v"
    assert.deepEqual(decodeBinaryHeader(binaryHeader(0, new Uint8Array(), 8, kv)).extFields, {
      k: "v",
    });
    const bad: [string, Uint8Array][] = [
      ["shorter than 21", new Uint8Array(20)],
      ["remark length -1", binaryHeader(-1, new Uint8Array(), 0, [])],
      ["remark length 5", binaryHeader(5, new Uint8Array(2), 0, [])],
      ["truncated before extFields", binaryHeader(2, new Uint8Array(2), 0, []).subarray(0, 21)],
      ["extFields length 9", binaryHeader(0, new Uint8Array(), 9, kv)],
      ["extFields length -8", binaryHeader(0, new Uint8Array(), -8, kv)],
      ["key length truncated", binaryHeader(0, new Uint8Array(), 1, [0])],
      ["key length -1", binaryHeader(0, new Uint8Array(), 8, [0xff, 0xff, 0x6b, 0, 0, 0, 1, 0x76])],
      ["key length 2", binaryHeader(0, new Uint8Array(), 8, [0, 2, 0x6b, 0, 0, 0, 1, 0x76])],
      ["value length 2", binaryHeader(0, new Uint8Array(), 8, [0, 1, 0x6b, 0, 0, 0, 2, 0x76])],
      [
        "value length -1",
        binaryHeader(0, new Uint8Array(), 8, [0, 1, 0x6b, 255, 255, 255, 255, 0]),
      ],
    ];
    for (const [what, header] of bad) {
      assert.throws(() => decodeBinaryHeader(header), RangeError, what);
    }
  },
});

Deno.test({
  name: "encodeBinaryHeader() writes UTF-8 lengths of non-ASCII text, lone surrogates included",
  permissions: "none",
  fn() {
    const texts = [
      "",
      "ascii",
      "caf\u00e9",
      "\u4e2d\u6587",
      "\u{1f680}x",
      "a\ud800b",
      "\udc00",
      "z\ud83d",
    ];
    for (const s of texts) {
      const cmd = createRequest(1, { k: s }, { serializeType: SerializeType.ROCKETMQ, remark: s });
      const header = encodeBinaryHeader(cmd);
      const bytes = enc.encode(s);
      const v = new DataView(header.buffer, header.byteOffset);
      assert.equal(v.getInt32(13), bytes.length, `remark length of ${JSON.stringify(s)}`);
      // extFields: total length, then key length 1, "k", value length, value.
      const ext = 17 + bytes.length;
      if (bytes.length > 0) {
        assert.equal(v.getInt32(ext), 2 + 1 + 4 + bytes.length);
        assert.equal(v.getInt32(ext + 4 + 3), bytes.length);
      }
      assert.equal(header.length, 21 + bytes.length + (bytes.length > 0 ? 7 + bytes.length : 7));
    }
    const cmd = createRequest(1, { lone: "a\ud800b" }, { serializeType: SerializeType.ROCKETMQ });
    assert.equal(decodeFrame(encodeFrame(cmd)).extFields.lone, "a\ufffdb");
  },
});
