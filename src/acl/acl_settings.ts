/** The ACL's config keys, the same in broker.toml and namesrv.toml. */
import { bool, str } from "../common/config.ts";

export const ACL_CONFIG_SCHEMA = {
  aclEnable: bool(
    false,
    "Check every request against the ACL file (RocketMQ ACL 1.0: signed requests, per-topic and " +
      "per-group permissions, admin accounts, white-listed addresses)",
  ),
  aclFile: str(
    "",
    "The ACL file, in RocketMQ's plain_acl.yml format, reloaded within a second of a change; " +
      "empty: plain_acl.yml in the broker's store config directory (the name server's: beside " +
      "kvConfigPath)",
  ),
};
