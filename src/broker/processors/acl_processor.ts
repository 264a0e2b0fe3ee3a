/**
 * The ACL admin codes (mqadmin updateAclConfig, deleteAccessConfig, clusterAclConfigVersion,
 * updateGlobalWhiteAddr, getAccessConfigSubCommand): they change the broker's ACL file, written
 * whole and atomically with its dataVersion bumped, or read it. Only admin accounts get here
 * (access_validator.ts). With the ACL off they are answered with why.
 */
import type { AclConfigStore } from "../../acl/acl_config_store.ts";
import { errorMessage } from "../../common/errors.ts";
import { stringifyFastJson } from "../../common/fastjson.ts";
import { logger } from "../../common/log.ts";
import { encodeAclConfigBody } from "../../remoting/body/acl_config_body.ts";
import { dataVersionToJson } from "../../remoting/body/data_version.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  CreateAccessConfigRequestHeader,
  DeleteAccessConfigRequestHeader,
  GetBrokerAclConfigResponseHeader,
  UpdateGlobalWhiteAddrsConfigRequestHeader,
} from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext } from "../broker_context.ts";

const log = logger("broker", "acl");

/** Comma-separated items, trimmed, empties dropped (RocketMQ's UtilAll.string2List). */
function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export function aclProcessors(
  ctx: BrokerContext,
  acl: AclConfigStore | undefined,
): Record<number, Processor> {
  const off = (req: RemotingCommand) =>
    createResponse(
      req,
      ResponseCode.SYSTEM_ERROR,
      `The ACL is not enabled on broker ${ctx.brokerAddr} (aclEnable = false)`,
    );
  if (!acl) {
    return Object.fromEntries(
      [
        RequestCode.UPDATE_AND_CREATE_ACL_CONFIG,
        RequestCode.DELETE_ACL_CONFIG,
        RequestCode.GET_BROKER_CLUSTER_ACL_INFO,
        RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
        RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG,
      ].map((code) => [code, off]),
    );
  }
  return {
    [RequestCode.UPDATE_AND_CREATE_ACL_CONFIG]: async (req, ch) => {
      const h = decodeHeader(CreateAccessConfigRequestHeader, req.extFields);
      try {
        await acl.updateAccount({
          accessKey: h.accessKey,
          secretKey: h.secretKey,
          whiteRemoteAddress: h.whiteRemoteAddress,
          admin: h.admin ?? false,
          defaultTopicPerm: h.defaultTopicPerm,
          defaultGroupPerm: h.defaultGroupPerm,
          topicPerms: list(h.topicPerms),
          groupPerms: list(h.groupPerms),
        });
      } catch (e) {
        return createResponse(
          req,
          ResponseCode.UPDATE_AND_CREATE_ACL_CONFIG_FAILED,
          errorMessage(e),
        );
      }
      log.info("ACL account {accessKey} created or updated by {remote}", {
        accessKey: h.accessKey,
        remote: ch.remoteAddr,
      });
      return createResponse(req, ResponseCode.SUCCESS);
    },
    [RequestCode.DELETE_ACL_CONFIG]: async (req, ch) => {
      const h = decodeHeader(DeleteAccessConfigRequestHeader, req.extFields);
      let deleted: boolean;
      try {
        deleted = await acl.deleteAccount(h.accessKey);
      } catch (e) {
        return createResponse(req, ResponseCode.DELETE_ACL_CONFIG_FAILED, errorMessage(e));
      }
      if (!deleted) {
        return createResponse(
          req,
          ResponseCode.DELETE_ACL_CONFIG_FAILED,
          `The accesskey[${h.accessKey}] corresponding to accessConfig has been deleted failed.`,
        );
      }
      log.info("ACL account {accessKey} deleted by {remote}", {
        accessKey: h.accessKey,
        remote: ch.remoteAddr,
      });
      return createResponse(req, ResponseCode.SUCCESS);
    },
    [RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG]: async (req, ch) => {
      const h = decodeHeader(UpdateGlobalWhiteAddrsConfigRequestHeader, req.extFields);
      try {
        await acl.updateGlobalWhiteAddresses(list(h.globalWhiteAddrs) ?? []);
      } catch (e) {
        return createResponse(
          req,
          ResponseCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED,
          errorMessage(e),
        );
      }
      log.info("ACL global white addresses set to {addrs} by {remote}", {
        addrs: h.globalWhiteAddrs,
        remote: ch.remoteAddr,
      });
      return createResponse(req, ResponseCode.SUCCESS);
    },
    [RequestCode.GET_BROKER_CLUSTER_ACL_INFO]: (req) =>
      createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        encodeHeader(GetBrokerAclConfigResponseHeader, {
          version: stringifyFastJson(dataVersionToJson(acl.dataVersion)),
          brokerName: ctx.brokerName,
          brokerAddr: ctx.brokerAddr,
          clusterName: ctx.clusterName,
        }),
      ),
    [RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG]: (req) => {
      const f = acl.file;
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        {},
        encodeAclConfigBody({
          globalWhiteAddrs: [...f.globalWhiteRemoteAddresses],
          plainAccessConfigs: f.accounts.map((a) => ({ ...a })),
        }),
      );
    },
  };
}
