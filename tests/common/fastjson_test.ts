import assert from "node:assert/strict";
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  type JsonMap,
  type JsonValue,
  mapEntries,
  parseFastJson,
  stringifyFastJson,
} from "../../src/common/fastjson.ts";

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

// ---- reading: fastjson's dialect (REMOTING.md §3.11) ----

test("parseFastJson() reads standard JSON like JSON.parse", () => {
  const samples = [
    '{"a":1,"b":[true,false,null],"c":{"d":"e\\n\\"\\\\\\/\\u00e9"},"f":-1.5e3,"g":""}',
    "[]",
    "{}",
    '"\\ud83d\\ude00"',
    "0",
    "-0.25",
    '  {"spaced" : [ 1 , 2 ] }  ',
    '{"x":"\\u0001\\u0002"}',
  ];
  for (const s of samples) assert.deepEqual(parseFastJson(s), JSON.parse(s), s);
});

test("parseFastJson() reads unquoted numeric keys as string keys", () => {
  // fastjson writes HashMap<Long,String> brokerAddrs as {0:"a",1:"b"} (§3.11 quirk 1).
  const route = parseFastJson(
    '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},' +
      '"brokerName":"broker-a","cluster":"DefaultCluster"}]}',
  );
  assert.deepEqual(route, {
    brokerDatas: [{
      brokerAddrs: { "0": "127.0.0.1:10911", "1": "127.0.0.1:10921" },
      brokerName: "broker-a",
      cluster: "DefaultCluster",
    }],
  });
  assert.deepEqual(parseFastJson("{0:12,1:34}"), { "0": 12, "1": 34 });
  assert.deepEqual(parseFastJson("{-1:true}"), { "-1": true });
  assert.deepEqual(parseFastJson("{name:'x',$a_b:1}"), { name: "x", $a_b: 1 });
});

test("parseFastJson() reads object keys into a Map", () => {
  // ConsumeStats.offsetTable: MessageQueue keys written inline (§3.11 quirk 2).
  const text = '{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:' +
    '{"brokerOffset":5,"consumerOffset":3,"lastTimestamp":0},' +
    '{"brokerName":"b","queueId":1,"topic":"t"}:' +
    '{"brokerOffset":7,"consumerOffset":7,"lastTimestamp":1700000000000}}}';
  const v = parseFastJson(text) as { consumeTps: number; offsetTable: JsonMap };
  assert.equal(v.consumeTps, 0);
  assert.ok(v.offsetTable instanceof Map);
  assert.deepEqual([...v.offsetTable.entries()], [
    [{ brokerName: "b", queueId: 0, topic: "t" }, {
      brokerOffset: 5,
      consumerOffset: 3,
      lastTimestamp: 0,
    }],
    [{ brokerName: "b", queueId: 1, topic: "t" }, {
      brokerOffset: 7,
      consumerOffset: 7,
      lastTimestamp: 1700000000000,
    }],
  ]);
});

test("parseFastJson() keeps string keys read before the first object key", () => {
  const v = parseFastJson('{"a":1,{"k":2}:3,"b":4}') as JsonMap;
  assert.deepEqual([...v.entries()], [["a", 1], [{ k: 2 }, 3], ["b", 4]]);
});

test("parseFastJson() reads integers past 2^53 as bigint with every digit", () => {
  const v = parseFastJson(
    '{"max":9223372036854775807,"min":-9223372036854775808,"safe":9007199254740991,' +
      '"unsafe":9007199254740993}',
  );
  assert.deepEqual(v, {
    max: 9223372036854775807n,
    min: -9223372036854775808n,
    safe: 9007199254740991,
    unsafe: 9007199254740993n,
  });
  assert.deepEqual(parseFastJson("{1:9007199254740993}"), { "1": 9007199254740993n });
});

test("parseFastJson() accepts fastjson's leniencies: quotes, suffixes, trailing commas", () => {
  assert.deepEqual(parseFastJson("{'a':'it\\'s'}"), { a: "it's" });
  assert.deepEqual(parseFastJson("[12L,1.5F,2D,3]"), [12, 1.5, 2, 3]);
  assert.deepEqual(parseFastJson('{"a":[1,2,],}'), { a: [1, 2] });
  assert.deepEqual(parseFastJson('"\\x41\\q"'), "Aq");
});

test("parseFastJson() does not let __proto__ reach the prototype", () => {
  const v = parseFastJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(Object.keys(v), ["__proto__"]);
});

test("parseFastJson() rejects bad input with a SyntaxError naming the position", () => {
  const bad: [string, RegExp][] = [
    ["", /unexpected end at position 0/],
    ["{", /position 1/],
    ['{"a" 1}', /expected : at position \d+$/],
    ['{"a":1 "b":2}', /expected , or \} at position \d+$/],
    ["[1 2]", /expected , or \] at position \d+$/],
    ['"abc', /unterminated string/],
    ['"\\u12"', /bad \\u escape/],
    ["tru", /unexpected word tru/],
    ["undefined", /unexpected word undefined/],
    ["@", /unexpected character "@"/],
    ["{} x", /unexpected trailing text at position 3/],
    ["-", /bad number/],
    ["{,}", /expected a key/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parseFastJson(text),
      (e) => e instanceof SyntaxError && message.test(e.message),
      text,
    );
  }
});

// ---- writing ----

test("stringifyFastJson() is compact and sorts plain-object keys", () => {
  assert.equal(
    stringifyFastJson({ topic: "t", brokerName: "b", queueId: 0, nested: { z: 1, a: [1, "x"] } }),
    '{"brokerName":"b","nested":{"a":[1,"x"],"z":1},"queueId":0,"topic":"t"}',
  );
  assert.equal(
    stringifyFastJson({ B: 1, a: 2, _: 3, "10": 4, "9": 5 }),
    '{"10":4,"9":5,"B":1,"_":3,"a":2}',
  );
});

test("stringifyFastJson() omits null and undefined fields but keeps nulls in arrays", () => {
  assert.equal(stringifyFastJson({ a: null, b: undefined, c: 1 }), '{"c":1}');
  assert.equal(stringifyFastJson([null, 1]), "[null,1]");
  assert.equal(stringifyFastJson(undefined), "null");
  assert.equal(
    stringifyFastJson(new Map<JsonValue, JsonValue>([["a", null], ["b", 2]])),
    '{"b":2}',
  );
});

test("stringifyFastJson() writes numeric Map keys unquoted unless asked", () => {
  const brokerAddrs = new Map<JsonValue, JsonValue>([[0, "127.0.0.1:10911"], [
    1,
    "127.0.0.1:10921",
  ]]);
  assert.equal(stringifyFastJson(brokerAddrs), '{0:"127.0.0.1:10911",1:"127.0.0.1:10921"}');
  assert.equal(
    stringifyFastJson(brokerAddrs, { quoteKeys: true }),
    '{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"}',
  );
  assert.equal(
    stringifyFastJson(new Map<JsonValue, JsonValue>([[9007199254740993n, 1]])),
    "{9007199254740993:1}",
  );
});

test("stringifyFastJson() writes object Map keys inline with no whitespace", () => {
  const offsetTable = new Map<JsonValue, JsonValue>([
    [{ topic: "t", queueId: 0, brokerName: "b" }, { consumerOffset: 3, brokerOffset: 5 }],
    [{ topic: "t", queueId: 1, brokerName: "b" }, { consumerOffset: 7, brokerOffset: 7 }],
  ]);
  const text = stringifyFastJson({ offsetTable, consumeTps: 1.5 });
  assert.equal(
    text,
    '{"consumeTps":1.5,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:' +
      '{"brokerOffset":5,"consumerOffset":3},{"brokerName":"b","queueId":1,"topic":"t"}:' +
      '{"brokerOffset":7,"consumerOffset":7}}}',
  );
  // The Go client splits this text on "},{" and "}:" (§3.11 quirk 2).
  assert.equal(text.split("},{").length, 2);
  assert.ok(!/\s/.test(text));
});

test("stringifyFastJson() escapes control characters and, if asked, non-ASCII", () => {
  assert.equal(stringifyFastJson('a\u0001b\u0002\n"'), '"a\\u0001b\\u0002\\n\\""');
  assert.equal(stringifyFastJson("caf\u00e9 \u4e2d"), '"caf\u00e9 \u4e2d"');
  assert.equal(stringifyFastJson("caf\u00e9 \u4e2d", { asciiOnly: true }), '"caf\\u00e9 \\u4e2d"');
  assert.equal(stringifyFastJson({ "\u00e9": 1 }, { asciiOnly: true }), '{"\\u00e9":1}');
});

test("stringifyFastJson() writes bigint, booleans and non-finite numbers", () => {
  assert.equal(
    stringifyFastJson([9223372036854775807n, true, false, NaN, Infinity, -0]),
    "[9223372036854775807,true,false,null,null,0]",
  );
});

test("parseFastJson(stringifyFastJson(x)) is x, Maps and bigints included", () => {
  const values: JsonValue[] = [
    { a: 1, b: "two", c: [true, false, null, 1.25, -3], d: { e: {} } },
    { big: 9223372036854775807n, neg: -9007199254740993n },
    new Map<JsonValue, JsonValue>([[{ brokerName: "b", queueId: 0, topic: "t" }, 5]]),
    { table: new Map<JsonValue, JsonValue>([[{ k: 1 }, { v: [1, 2] }], [{ k: 2 }, { v: [] }]]) },
    ["\u0001\u0002", "\ud83d\ude00", "\\", "'", '"'],
  ];
  for (const v of values) assert.deepEqual(parseFastJson(stringifyFastJson(v)), v);
  // Numeric keys come back as strings, which is how the reader names them.
  const m = new Map<JsonValue, JsonValue>([[0, "a"], [1, "b"]]);
  assert.deepEqual(parseFastJson(stringifyFastJson(m)), { "0": "a", "1": "b" });
});

// ---- lenient field readers ----

test("asString() coerces scalars and writes objects as compact JSON", () => {
  assert.equal(asString("x"), "x");
  assert.equal(asString(12), "12");
  assert.equal(asString(9223372036854775807n), "9223372036854775807");
  assert.equal(asString(true), "true");
  assert.equal(asString(null), undefined);
  assert.equal(asString(undefined), undefined);
  assert.equal(asString({ b: 1, a: 2 }), '{"a":2,"b":1}');
});

test("asNumber() coerces numeric strings, bigint and booleans; rejects the rest", () => {
  assert.equal(asNumber(5), 5);
  assert.equal(asNumber("42"), 42);
  assert.equal(asNumber(" -7 "), -7);
  assert.equal(asNumber("1.5"), 1.5);
  assert.equal(asNumber(12n), 12);
  assert.equal(asNumber(true), 1);
  assert.equal(asNumber(false), 0);
  assert.equal(asNumber(""), undefined);
  assert.equal(asNumber("  "), undefined);
  assert.equal(asNumber("abc"), undefined);
  assert.equal(asNumber(null), undefined);
  assert.equal(asNumber([1]), undefined);
});

test("asBoolean() reads booleans, strings and numbers", () => {
  assert.equal(asBoolean(true), true);
  assert.equal(asBoolean("TRUE"), true);
  assert.equal(asBoolean("false"), false);
  assert.equal(asBoolean("yes"), false);
  assert.equal(asBoolean(1), true);
  assert.equal(asBoolean(0), false);
  assert.equal(asBoolean(null), undefined);
});

test("asArray(), asObject() and mapEntries() fall back to empty values", () => {
  assert.deepEqual(asArray([1]), [1]);
  assert.deepEqual(asArray("x"), []);
  assert.deepEqual(asObject({ a: 1 }), { a: 1 });
  assert.deepEqual(asObject([1]), {});
  assert.deepEqual(asObject(new Map()), {});
  assert.deepEqual(asObject(null), {});
  assert.deepEqual(mapEntries({ a: 1, b: undefined }), [["a", 1]]);
  assert.deepEqual(mapEntries(new Map<JsonValue, JsonValue>([[{ k: 1 }, 2]])), [[{ k: 1 }, 2]]);
  assert.deepEqual(mapEntries([1, 2]), []);
  assert.deepEqual(mapEntries(undefined), []);
  // The same table read either way: quoted keys (an object) or inline keys (a Map).
  assert.deepEqual(mapEntries(parseFastJson('{"0":"a"}')), mapEntries(parseFastJson('{0:"a"}')));
});
