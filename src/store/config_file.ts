/**
 * Where the broker's metadata lives in a store: `<storePathRootDir>/config/<name>.json`, the
 * files RocketMQ keeps there (BrokerPathConfigHelper, StorePathConfigHelper). They are written
 * whole through src/common/atomic_file.ts.
 */

export const ConfigFileName = {
  topics: "topics.json",
  consumerOffset: "consumerOffset.json",
  subscriptionGroup: "subscriptionGroup.json",
  delayOffset: "delayOffset.json",
  consumerFilter: "consumerFilter.json",
  /** The default ACL file (aclFile empty), YAML as RocketMQ's. */
  acl: "plain_acl.yml",
} as const;
export type ConfigFileKind = keyof typeof ConfigFileName;

export function configFilePath(storePathRootDir: string, kind: ConfigFileKind): string {
  return `${storePathRootDir}/config/${ConfigFileName[kind]}`;
}
