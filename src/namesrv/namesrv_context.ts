import type { KVConfigStore } from "./kv_config.ts";
import type { NamesrvConfig } from "./namesrv_config.ts";
import type { RouteTable } from "./route_table.ts";

/** What the name server's processors work on. */
export interface NamesrvContext {
  /** The live configuration; UPDATE_NAMESRV_CONFIG changes it through `updateConfig`. */
  readonly config: Readonly<NamesrvConfig>;
  readonly routes: RouteTable;
  readonly kvConfig: KVConfigStore;
  /** Applies already-validated config values (restarting the broker scan if its interval changed). */
  updateConfig(changes: Partial<NamesrvConfig>): void;
}
