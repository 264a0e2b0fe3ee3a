/**
 * A server's side of a new connection when TLS is on: the first bytes tell a TLS ClientHello
 * (record type 0x16, which no remoting frame starts with: its 4-byte length would have to be
 * over 369 MB) from a plain client; TLS is served through node:tls over the Deno connection,
 * plain goes on as it came (permissive) or is refused (enforcing).
 *
 * A client certificate, when asked for, is checked here against tlsServerTrustCertPath:
 * issued and signed by one of its CAs, and within its validity dates. (node:tls on Deno asks
 * for the certificate and the handshake proves the client holds its key, but it does not
 * check who signed it.)
 */
import { X509Certificate } from "node:crypto";
import { TLSSocket } from "node:tls";
import type { ByteStream } from "../channel.ts";
import { duplexOf, PrefixedStream, SocketStream } from "./byte_streams.ts";
import type { TlsServerMaterial } from "./tls_settings.ts";

export const TLS_HANDSHAKE_RECORD = 0x16;
/** A connection that sends nothing (or does not finish its handshake) for this long is closed. */
export const FIRST_BYTES_TIMEOUT_MS = 10_000;

/** The connection as a ByteStream, or a rejection saying why it is refused. */
export async function acceptConnection(
  conn: Deno.Conn,
  tls: TlsServerMaterial,
): Promise<ByteStream> {
  const head = new Uint8Array(4096);
  const n = await withTimeout(conn.read(head), "sent nothing");
  if (n === null) throw new Error("closed before sending anything");
  const first = head.subarray(0, n);
  if (first[0] !== TLS_HANDSHAKE_RECORD) {
    if (tls.mode === "enforcing") {
      throw new Error("plain connection refused (tlsServerMode enforcing)");
    }
    return new PrefixedStream(conn, first);
  }
  const sock = new TLSSocket(duplexOf(conn, first), {
    isServer: true,
    cert: tls.cert,
    key: tls.key,
    requestCert: tls.clientAuth !== "none",
    rejectUnauthorized: tls.clientAuth === "require",
    ...(tls.trustCerts.length > 0 ? { ca: tls.trustCerts } : {}),
  });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        sock.once("secure", () => resolve());
        sock.once("error", reject);
        sock.once("close", () => reject(new Error("closed during the TLS handshake")));
      }),
      "did not finish the TLS handshake",
    );
    if (tls.clientAuth !== "none") checkClientCertificate(sock, tls);
  } catch (e) {
    sock.destroy();
    throw e;
  }
  return new SocketStream(sock, conn.remoteAddr, conn.localAddr);
}

function checkClientCertificate(sock: TLSSocket, tls: TlsServerMaterial): void {
  const peer = sock.getPeerCertificate(true) as { raw?: Uint8Array } | undefined;
  if (!peer?.raw || peer.raw.length === 0) {
    if (tls.clientAuth === "require") {
      throw new Error("no client certificate (tlsServerNeedClientAuth require)");
    }
    return;
  }
  const cert = new X509Certificate(peer.raw);
  const now = Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) {
    throw new Error(`client certificate ${cert.subject} is expired or not yet valid`);
  }
  const trusted = tls.trustCerts.some((pem) => {
    const ca = new X509Certificate(pem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  });
  if (!trusted) {
    throw new Error(
      `client certificate ${cert.subject.replaceAll("\n", ", ")} is not signed by a trusted CA`,
    );
  }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} within ${FIRST_BYTES_TIMEOUT_MS / 1000} s`)),
        FIRST_BYTES_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
