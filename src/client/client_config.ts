/**
 * Settings shared by every client of one client instance (Java's ClientConfig), with the Java
 * defaults (REMOTING.md §8.1, §8.4).
 */
import { defaultLocalAddress, parseAddrList } from "../common/address.ts";
import type { Credentials } from "../acl/signature.ts";
import { SerializeType } from "../remoting/command.ts";
import type { TlsClientSettings } from "../remoting/tls/tls_settings.ts";

/**
 * Settings every producer and consumer accepts; only `namesrvAddr` is required.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { namesrvAddr: "127.0.0.1:9876", instanceName: "billing" };
 * ```
 */
export interface ClientOptions {
  /** Name servers, `host:port`, several separated by `;` (e.g. `10.0.0.1:9876;10.0.0.2:9876`). */
  namesrvAddr: string;
  /** This host's address as brokers should see it; default the first non-loopback IPv4. */
  clientIP?: string;
  /**
   * Names the client instance; clients with the same clientIP and instanceName share one
   * instance (connections, route polling, heartbeats). Default `DEFAULT`, which becomes
   * `<pid>#<time>` so every producer and consumer gets its own, as in Java.
   */
  instanceName?: string;
  /** Appended to the client id as `@unitName` when set. */
  unitName?: string;
  /** How often routes are fetched from the name server, ms (pollNameServerInterval, 30 s). */
  pollNameServerIntervalMs?: number;
  /** How often every broker gets a heartbeat, ms (heartbeatBrokerInterval, 30 s). */
  heartbeatBrokerIntervalMs?: number;
  /** Timeout of name-server and management calls, ms (mqClientApiTimeout, 3 s). */
  mqClientApiTimeoutMs?: number;
  /**
   * Header encoding of requests: `JSON` (the Java default) or `ROCKETMQ` (binary; cheaper to
   * encode and decode, understood by Java and rmq servers but not by ali-ons-era tools).
   */
  serializeType?: "JSON" | "ROCKETMQ";
  /**
   * ACL account: every request is signed with it, as the Java client's AclClientRPCHook signs
   * (needed when the broker or name server runs with aclEnable). Both keys or neither.
   */
  accessKey?: string;
  secretKey?: string;
  /** Connect to name servers and brokers over TLS (Java's -Dtls.enable=true). */
  tls?: boolean;
  /** PEM CA certificates trusted for TLS (default: the system's roots). */
  tlsCaCerts?: string[];
}

/** ClientOptions with every default filled in. */
export interface ClientConfig {
  namesrvAddrs: string[];
  clientIP: string;
  instanceName: string;
  unitName: string | undefined;
  pollNameServerIntervalMs: number;
  heartbeatBrokerIntervalMs: number;
  mqClientApiTimeoutMs: number;
  serializeType: SerializeType;
  credentials: Credentials | undefined;
  tls: TlsClientSettings | undefined;
}

/** The instance name that stands for "one per client object" (ClientConfig.instanceName). */
export const DEFAULT_INSTANCE_NAME = "DEFAULT";

export const CLIENT_DEFAULTS = {
  pollNameServerIntervalMs: 30_000,
  heartbeatBrokerIntervalMs: 30_000,
  mqClientApiTimeoutMs: 3_000,
} as const;

let instanceSeq = 0;

/**
 * `<pid>#<time>` as Java's changeInstanceNameToPID writes it (Java uses System.nanoTime); the
 * sequence number keeps two names made in the same microsecond apart.
 */
export function defaultInstanceName(): string {
  const micros = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  return `${Deno.pid}#${micros * 1000n + BigInt(instanceSeq++ % 1000)}`;
}

/**
 * Fills in defaults. Throws TypeError for an empty name-server list or a bad serialize type,
 * RangeError for a non-positive interval.
 */
export function resolveClientConfig(options: ClientOptions): ClientConfig {
  const namesrvAddrs = parseAddrList(options.namesrvAddr);
  if (namesrvAddrs.length === 0) {
    throw new TypeError("Cannot create client: no name server address (set namesrvAddr)");
  }
  const instanceName = !options.instanceName || options.instanceName === DEFAULT_INSTANCE_NAME
    ? defaultInstanceName()
    : options.instanceName;
  const serializeType = options.serializeType ?? "JSON";
  if (serializeType !== "JSON" && serializeType !== "ROCKETMQ") {
    throw new TypeError(
      `Cannot create client: serializeType ${
        JSON.stringify(serializeType)
      } is not JSON or ROCKETMQ`,
    );
  }
  if (!options.accessKey !== !options.secretKey) {
    throw new TypeError("Cannot create client: accessKey and secretKey go together (set both)");
  }
  const config: ClientConfig = {
    namesrvAddrs,
    clientIP: options.clientIP ?? defaultLocalAddress(),
    instanceName,
    unitName: options.unitName || undefined,
    pollNameServerIntervalMs: options.pollNameServerIntervalMs ??
      CLIENT_DEFAULTS.pollNameServerIntervalMs,
    heartbeatBrokerIntervalMs: options.heartbeatBrokerIntervalMs ??
      CLIENT_DEFAULTS.heartbeatBrokerIntervalMs,
    mqClientApiTimeoutMs: options.mqClientApiTimeoutMs ?? CLIENT_DEFAULTS.mqClientApiTimeoutMs,
    serializeType: SerializeType[serializeType],
    credentials: options.accessKey && options.secretKey
      ? { accessKey: options.accessKey, secretKey: options.secretKey }
      : undefined,
    tls: options.tls || options.tlsCaCerts ? { caCerts: options.tlsCaCerts } : undefined,
  };
  for (
    const key of [
      "pollNameServerIntervalMs",
      "heartbeatBrokerIntervalMs",
      "mqClientApiTimeoutMs",
    ] as const
  ) {
    const v = config[key];
    if (!Number.isFinite(v) || v <= 0) {
      throw new RangeError(`Cannot create client: ${key} ${v} is not a positive number`);
    }
  }
  return config;
}

/**
 * A producer or consumer option (`what`) that must be a safe integer ≥ `min`; `def` when it is
 * absent, a RangeError naming it otherwise.
 */
export function intOption<T extends object>(
  options: T,
  key: keyof T & string,
  def: number,
  min: number,
  what: string,
): number {
  const v = options[key] ?? def;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new RangeError(
      `Cannot create ${what}: ${key} ${String(v)} is not an integer ≥ ${min}`,
    );
  }
  return v;
}

/** `<clientIP>@<instanceName>[@<unitName>]` (ClientConfig.buildMQClientId). */
export function buildClientId(config: ClientConfig): string {
  const id = `${config.clientIP}@${config.instanceName}`;
  return config.unitName ? `${id}@${config.unitName}` : id;
}
