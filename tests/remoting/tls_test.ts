/**
 * TLS on a remoting server: enforcing serves TLS only, permissive serves TLS and plain on one
 * port, and client certificates are checked against the trusted CA when asked for.
 */
import assert from "node:assert/strict";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, createResponse } from "../../src/remoting/command.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import type { TlsClientAuth, TlsServerMode } from "../../src/remoting/tls/tls_settings.ts";
import { loadTlsServer } from "../../src/remoting/tls/tls_settings.ts";
import { startServer } from "../helpers/remoting.ts";

const DIR = new URL("../fixtures/tls/", import.meta.url).pathname;
const CA = Deno.readTextFileSync(`${DIR}ca.pem`);
const ECHO = 999;

async function server(mode: TlsServerMode, auth: TlsClientAuth = "none") {
  const tls = await loadTlsServer({
    tlsServerMode: mode,
    tlsServerCertPath: `${DIR}server.pem`,
    tlsServerKeyPath: `${DIR}server.key`,
    tlsServerTrustCertPath: auth === "none" ? "" : `${DIR}ca.pem`,
    tlsServerNeedClientAuth: auth,
  });
  return startServer({
    [ECHO]: (req) => createResponse(req, ResponseCode.SUCCESS, `echo ${req.remark}`),
  }, { tls });
}

async function call(addr: string, client: RemotingClient): Promise<string> {
  try {
    const r = await client.invokeSync(addr, createRequest(ECHO, {}, { remark: "hi" }), 3000);
    return r.remark ?? "";
  } catch (e) {
    return `failed: ${(e as Error).message}`;
  }
}

const tlsClient = (extra: { cert?: string; key?: string } = {}) =>
  new RemotingClient({ tls: { caCerts: [CA], ...extra }, connectTimeoutMs: 3000 });

Deno.test("enforcing: TLS clients are served, plain ones are closed", async () => {
  await using s = await server("enforcing");
  await using tls = tlsClient();
  assert.equal(await call(s.addr, tls), "echo hi");
  // A big request crosses several TLS records and socket reads.
  const big = await tls.invokeSync(
    s.addr,
    createRequest(ECHO, {}, { remark: "x".repeat(300_000) }),
    5000,
  );
  assert.equal(big.remark?.length, 300_005);
  await using plain = new RemotingClient();
  assert.match(await call(s.addr, plain), /^failed: .*closed/);
  // A client that does not trust the server's CA fails at once, saying why.
  await using untrusting = new RemotingClient({ tls: {} });
  assert.match(
    await call(s.addr, untrusting),
    /^failed: Cannot connect to .*(certificate|UnknownIssuer)/i,
  );
});

Deno.test("permissive: TLS and plain clients on one port", async () => {
  await using s = await server("permissive");
  await using tls = tlsClient();
  await using plain = new RemotingClient();
  assert.equal(await call(s.addr, tls), "echo hi");
  assert.equal(await call(s.addr, plain), "echo hi");
});

Deno.test("client certificates: required ones must be signed by the trusted CA", async () => {
  await using s = await server("enforcing", "require");
  const cert = (name: string) => ({
    cert: Deno.readTextFileSync(`${DIR}${name}.pem`),
    key: Deno.readTextFileSync(`${DIR}${name}.key`),
  });
  await using good = tlsClient(cert("client"));
  assert.equal(await call(s.addr, good), "echo hi");
  await using none = tlsClient();
  assert.match(await call(s.addr, none), /^failed/);
  await using evil = tlsClient(cert("evil"));
  assert.match(await call(s.addr, evil), /^failed/);

  await using optional = await server("enforcing", "optional");
  await using none2 = tlsClient();
  assert.equal(await call(optional.addr, none2), "echo hi");
  await using evil2 = tlsClient(cert("evil"));
  assert.match(await call(optional.addr, evil2), /^failed/);
});

Deno.test("wrong TLS settings stop the start with one line", async () => {
  const base = {
    tlsServerMode: "enforcing" as const,
    tlsServerCertPath: `${DIR}server.pem`,
    tlsServerKeyPath: `${DIR}server.key`,
    tlsServerTrustCertPath: "",
    tlsServerNeedClientAuth: "none" as const,
  };
  assert.equal(await loadTlsServer({ ...base, tlsServerMode: "disabled" }), undefined);
  await assert.rejects(
    loadTlsServer({ ...base, tlsServerCertPath: "" }),
    /needs tlsServerCertPath/,
  );
  await assert.rejects(
    loadTlsServer({ ...base, tlsServerKeyPath: "/nope.key" }),
    /Cannot read tlsServerKeyPath \/nope\.key/,
  );
  await assert.rejects(
    loadTlsServer({ ...base, tlsServerNeedClientAuth: "require" }),
    /needs tlsServerTrustCertPath/,
  );
  await assert.rejects(
    loadTlsServer({ ...base, tlsServerCertPath: `${DIR}README.md` }),
    /not a PEM file/,
  );
});
