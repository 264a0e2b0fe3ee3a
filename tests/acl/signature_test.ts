import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { aclSignature, signatureMatches, signRequest } from "../../src/acl/signature.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";

/**
 * Golden vector: a SEND_MESSAGE_V2 signed by the official 4.8.0 AclClientRPCHook
 * (tests/interop/java/AclScenario.java, step "vector"; acl_java_test.ts checks it live).
 */
const JAVA_FIELDS = {
  AccessKey: "RocketMQ",
  a: "PID_ACL",
  b: "TopicAcl",
  c: "TBW102",
  d: "4",
  e: "1",
  f: "0",
  g: "1700000000000",
  h: "0",
  i: "KEYSk1\u0001TAGSt\u0001UNIQ_KEY7F0000010001\u0002",
  j: "0",
  k: "false",
  m: "false",
};
const JAVA_BODY = new TextEncoder().encode("Hello ACL \u00e9");
const JAVA_SIGNATURE = "ZEm/bo6QrR3d2VNQvfcAQU/C8W8=";

Deno.test("the Java hook's signature verifies in rmq", () => {
  const fields = { ...JAVA_FIELDS, Signature: JAVA_SIGNATURE };
  assert.equal(aclSignature(fields, JAVA_BODY, "12345678"), JAVA_SIGNATURE);
  assert.notEqual(aclSignature(fields, JAVA_BODY, "12345679"), JAVA_SIGNATURE);
  assert.ok(signatureMatches(fields, JAVA_BODY, "12345678", JAVA_SIGNATURE));
});

Deno.test("a signature matches only whole: any other character, length or key is refused", () => {
  const fields = { ...JAVA_FIELDS, Signature: JAVA_SIGNATURE };
  assert.ok(!signatureMatches(fields, JAVA_BODY, "12345679", JAVA_SIGNATURE));
  for (let i = 0; i < JAVA_SIGNATURE.length; i++) {
    const c = JAVA_SIGNATURE[i] === "A" ? "B" : "A";
    const changed = JAVA_SIGNATURE.slice(0, i) + c + JAVA_SIGNATURE.slice(i + 1);
    assert.ok(!signatureMatches(fields, JAVA_BODY, "12345678", changed), `character ${i}`);
  }
  assert.ok(!signatureMatches(fields, JAVA_BODY, "12345678", JAVA_SIGNATURE.slice(0, 27)));
  assert.ok(!signatureMatches(fields, JAVA_BODY, "12345678", JAVA_SIGNATURE + "="));
  assert.ok(!signatureMatches(fields, JAVA_BODY, "12345678", ""));
  // A big body (node:crypto hashes it where OpenSSL does not load): compared the same way.
  const body = new Uint8Array(10_000).fill(3);
  const big = aclSignature(fields, body, "12345678");
  assert.ok(signatureMatches(fields, body, "12345678", big));
  assert.ok(!signatureMatches(fields, body.fill(4, 9_999), "12345678", big));
});

Deno.test("rmq signs a request exactly as the Java hook does", () => {
  const { AccessKey: _, ...header } = JAVA_FIELDS;
  // Insertion order differs from key order: the signature must not depend on it.
  const shuffled = Object.fromEntries(Object.entries(header).reverse());
  const req = createRequest(RequestCode.SEND_MESSAGE_V2, shuffled, { body: JAVA_BODY });
  signRequest(req, { accessKey: "RocketMQ", secretKey: "12345678" });
  assert.equal(req.extFields.AccessKey, "RocketMQ");
  assert.equal(req.extFields.Signature, JAVA_SIGNATURE);
  // Signing again (a retried request) replaces the signature rather than signing it.
  signRequest(req, { accessKey: "RocketMQ", secretKey: "12345678" });
  assert.equal(req.extFields.Signature, JAVA_SIGNATURE);
});

Deno.test("no body and an empty body sign alike; a security token is signed too", () => {
  const a = aclSignature({ AccessKey: "ak", x: "1" }, undefined, "secret");
  assert.equal(a, aclSignature({ AccessKey: "ak", x: "1" }, new Uint8Array(0), "secret"));
  const req = createRequest(RequestCode.HEART_BEAT, {});
  signRequest(req, { accessKey: "ak", secretKey: "secret", securityToken: "tok" });
  assert.equal(req.extFields.SecurityToken, "tok");
  assert.equal(
    req.extFields.Signature,
    aclSignature({ AccessKey: "ak", SecurityToken: "tok" }, undefined, "secret"),
  );
});

Deno.test("non-ASCII header values and long bodies sign as UTF-8, as Java's getBytes(UTF-8)", () => {
  const fields = { AccessKey: "ak", a: "组", b: "ключ é 🙂", c: "plain" };
  const body = new Uint8Array(100_000).fill(7);
  const want = createHmac("sha1", "sécret")
    .update(fields.AccessKey + fields.a + fields.b + fields.c, "utf8")
    .update(body)
    .digest("base64");
  assert.equal(aclSignature(fields, body, "sécret"), want);
  assert.equal(aclSignature({ ...fields, Signature: "ignored" }, body, "sécret"), want);
});

Deno.test("bodies on both sides of the native threshold sign alike", () => {
  for (const size of [4095, 4096, 4097, 20_000]) {
    const body = new Uint8Array(size).map((_, i) => i);
    const want = createHmac("sha1", "k1").update("akv").update(body).digest("base64");
    assert.equal(aclSignature({ AccessKey: "ak", x: "v" }, body, "k1"), want, `${size}`);
  }
});
