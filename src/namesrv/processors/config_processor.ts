/**
 * UPDATE_NAMESRV_CONFIG / GET_NAMESRV_CONFIG: the configuration as Java properties text.
 * Updates change the running server; listenPort, bindAddress and
 * serverChannelMaxIdleTimeSeconds take effect at the next start, as in RocketMQ.
 */
import { ACL_CONFIG_SCHEMA } from "../../acl/acl_settings.ts";
import { TLS_SERVER_CONFIG_SCHEMA } from "../../remoting/tls/tls_settings.ts";
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import { createResponse } from "../../remoting/command.ts";
import { decodeProperties, encodeProperties } from "../../remoting/body/properties_body.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { NAMESRV_CONFIG_SCHEMA, type NamesrvConfig } from "../namesrv_config.ts";
import type { NamesrvContext } from "../namesrv_context.ts";

const log = logger("namesrv");

/** Security settings never change remotely, whatever configBlackList says. */
const FIXED_SECURITY_KEYS: ReadonlySet<string> = new Set(
  Object.keys({ ...ACL_CONFIG_SCHEMA, ...TLS_SERVER_CONFIG_SCHEMA }),
);

export function configProcessors(ctx: NamesrvContext): Record<number, Processor> {
  return {
    [RequestCode.GET_NAMESRV_CONFIG]: (req) => {
      const entries = Object.entries(ctx.config).map(([k, v]) =>
        [k, String(v)] as [string, string]
      );
      return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeProperties(entries));
    },
    [RequestCode.UPDATE_NAMESRV_CONFIG]: (req) => {
      if (req.body === undefined || req.body.length === 0) {
        return createResponse(req, ResponseCode.SUCCESS);
      }
      const props = decodeProperties(req.body);
      const blackList = new Set(ctx.config.configBlackList.split(";").map((s) => s.trim()));
      for (const key of props.keys()) {
        if (blackList.has(key) || FIXED_SECURITY_KEYS.has(key)) {
          return createResponse(
            req,
            ResponseCode.NO_PERMISSION,
            "Can not update config in black list.",
          );
        }
      }
      // A key the server would ignore is refused, so no change is reported that did not happen.
      const unknown = [...props.keys()].filter((k) => !Object.hasOwn(NAMESRV_CONFIG_SCHEMA, k));
      if (unknown.length > 0) {
        return createResponse(
          req,
          ResponseCode.SYSTEM_ERROR,
          `Unknown config key ${unknown.join(", ")}: the name server has no such setting`,
        );
      }
      const changes: Record<string, unknown> = {};
      for (const [key, raw] of props) {
        try {
          changes[key] = NAMESRV_CONFIG_SCHEMA[key as keyof NamesrvConfig].parse(raw, key);
        } catch (e) {
          return createResponse(req, ResponseCode.SYSTEM_ERROR, errorMessage(e));
        }
      }
      log.info("Configuration updated: {changes}", { changes });
      ctx.updateConfig(changes as Partial<NamesrvConfig>);
      return createResponse(req, ResponseCode.SUCCESS);
    },
  };
}
