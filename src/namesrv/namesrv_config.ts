/**
 * The name server's configuration keys, with RocketMQ's spelling (NamesrvConfig and
 * NettyServerConfig) where RocketMQ has the key. config/namesrv.toml is rendered from this.
 */
import { bool, type ConfigOf, defaults, int, str } from "../common/config.ts";
import { expandHome } from "../common/home.ts";
import { ACL_CONFIG_SCHEMA } from "../acl/acl_settings.ts";
import { TLS_SERVER_CONFIG_SCHEMA } from "../remoting/tls/tls_settings.ts";

export const NAMESRV_CONFIG_SCHEMA = {
  listenPort: int(9876, "TCP port to listen on; 0 picks a free port", { min: 0, max: 65535 }),
  bindAddress: str(
    "0.0.0.0",
    "Address to bind: 0.0.0.0 for every interface, 127.0.0.1 for local only",
  ),
  kvConfigPath: str(
    "~/namesrv/kvConfig.json",
    "File the KV config (PUT_KV_CONFIG, ORDER_TOPIC_CONFIG …) is kept in; ~ is the home directory",
  ),
  orderMessageEnable: bool(
    false,
    "Add orderTopicConf (namespace ORDER_TOPIC_CONFIG of the KV config) to topic routes",
  ),
  scanNotActiveBrokerInterval: int(
    10_000,
    "How often (ms) to look for brokers that stopped registering",
    { min: 1 },
  ),
  brokerChannelExpiredTime: int(
    120_000,
    "A broker that has not registered for this long (ms) is dropped with its routes",
    { min: 1 },
  ),
  serverChannelMaxIdleTimeSeconds: int(
    120,
    "Connections with no traffic for this long (s) are closed",
    { min: 1 },
  ),
  maxConnections: int(
    0,
    "Ours: most client connections at once; past it a connection's first request is answered " +
      "SYSTEM_BUSY and it is closed (0: no limit, as RocketMQ's servers have none)",
    { min: 0 },
  ),
  configBlackList: str(
    "configBlackList;configStorePath;kvConfigPath",
    "Keys UPDATE_NAMESRV_CONFIG may not change (separated by ;); the ACL and TLS keys never change remotely",
  ),
  // ---- security ----
  ...ACL_CONFIG_SCHEMA,
  ...TLS_SERVER_CONFIG_SCHEMA,
};

export type NamesrvConfig = ConfigOf<typeof NAMESRV_CONFIG_SCHEMA>;

export const NAMESRV_CONFIG_TITLE =
  "rmq namesrv configuration (rmq namesrv -c config/namesrv.toml)";

export function defaultNamesrvConfig(): NamesrvConfig {
  return defaults(NAMESRV_CONFIG_SCHEMA);
}

/** The ACL file: aclFile, or plain_acl.yml beside the KV config. */
export function namesrvAclFile(c: NamesrvConfig): string {
  if (c.aclFile) return expandHome(c.aclFile);
  const kv = expandHome(c.kvConfigPath);
  return `${kv.slice(0, Math.max(0, kv.lastIndexOf("/"))) || "."}/plain_acl.yml`;
}
