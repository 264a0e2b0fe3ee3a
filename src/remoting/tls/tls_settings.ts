/**
 * TLS settings of rmq's servers and clients, as RocketMQ's `tls.server.mode` and friends
 * (TlsSystemConfig): a server is `disabled` (plain only), `permissive` (TLS and plain on one
 * port, told apart by the first byte) or `enforcing` (TLS only); it may ask clients for a
 * certificate signed by its trusted CA (`none` | `optional` | `require`).
 */
import { oneOf, str } from "../../common/config.ts";
import { errorMessage } from "../../common/errors.ts";
import { expandHome } from "../../common/home.ts";

export const TLS_SERVER_MODES = ["disabled", "permissive", "enforcing"] as const;
export type TlsServerMode = (typeof TLS_SERVER_MODES)[number];
export const TLS_CLIENT_AUTH_MODES = ["none", "optional", "require"] as const;
export type TlsClientAuth = (typeof TLS_CLIENT_AUTH_MODES)[number];

/** The config keys both servers share (namesrv.toml and broker.toml spell them alike). */
export interface TlsServerConfig {
  tlsServerMode: TlsServerMode;
  tlsServerCertPath: string;
  tlsServerKeyPath: string;
  tlsServerTrustCertPath: string;
  tlsServerNeedClientAuth: TlsClientAuth;
}

/** A server's TLS material, read once at start. */
export interface TlsServerMaterial {
  mode: Exclude<TlsServerMode, "disabled">;
  cert: string;
  key: string;
  /** PEM certificates client certificates must be signed by. */
  trustCerts: string[];
  clientAuth: TlsClientAuth;
}

/** Reads the certificate files; undefined when TLS is off. Throws a one-line Error. */
export async function loadTlsServer(c: TlsServerConfig): Promise<TlsServerMaterial | undefined> {
  if (c.tlsServerMode === "disabled") return undefined;
  if (!c.tlsServerCertPath || !c.tlsServerKeyPath) {
    throw new Error(
      `tlsServerMode ${c.tlsServerMode} needs tlsServerCertPath and tlsServerKeyPath (PEM files)`,
    );
  }
  const cert = await readPem(c.tlsServerCertPath, "tlsServerCertPath");
  const key = await readPem(c.tlsServerKeyPath, "tlsServerKeyPath");
  let trustCerts: string[] = [];
  if (c.tlsServerTrustCertPath) {
    trustCerts = splitPem(await readPem(c.tlsServerTrustCertPath, "tlsServerTrustCertPath"));
  } else if (c.tlsServerNeedClientAuth !== "none") {
    throw new Error(
      `tlsServerNeedClientAuth ${c.tlsServerNeedClientAuth} needs tlsServerTrustCertPath (the CA client certificates are signed by)`,
    );
  }
  return { mode: c.tlsServerMode, cert, key, trustCerts, clientAuth: c.tlsServerNeedClientAuth };
}

/** Client side: connect over TLS, trusting these CA certificates (none: the system's). */
export interface TlsClientSettings {
  caCerts?: string[];
  /** A client certificate (PEM) and its key, for servers that ask for one. */
  cert?: string;
  key?: string;
}

/** The client settings for a CA file path ("" for the system's roots). */
export async function loadTlsClient(caPath: string): Promise<TlsClientSettings> {
  if (!caPath) return {};
  return { caCerts: [await readPem(caPath, "the CA certificate")] };
}

async function readPem(path: string, what: string): Promise<string> {
  const p = expandHome(path);
  let text: string;
  try {
    text = await Deno.readTextFile(p);
  } catch (e) {
    throw new Error(`Cannot read ${what} ${p}: ${errorMessage(e)}`);
  }
  if (!text.includes("-----BEGIN ")) throw new Error(`${what} ${p} is not a PEM file`);
  return text;
}

/** The certificates of a PEM bundle, one PEM block each. */
export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The servers' TLS keys (both schemas spread this). */
export const TLS_SERVER_CONFIG_SCHEMA = {
  tlsServerMode: oneOf(
    TLS_SERVER_MODES,
    "disabled",
    "TLS (RocketMQ's tls.server.mode): disabled, permissive (TLS and plain on one port) or " +
      "enforcing (TLS only)",
  ),
  tlsServerCertPath: str("", "PEM certificate (chain) the server presents"),
  tlsServerKeyPath: str("", "PEM private key of that certificate"),
  tlsServerTrustCertPath: str("", "PEM CA certificate(s) client certificates must be signed by"),
  tlsServerNeedClientAuth: oneOf(
    TLS_CLIENT_AUTH_MODES,
    "none",
    "Ask clients for a certificate: none, optional (checked when given) or require",
  ),
};
