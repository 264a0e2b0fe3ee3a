/** PUT_KV_CONFIG, GET_KV_CONFIG, DELETE_KV_CONFIG, GET_KVLIST_BY_NAMESPACE (REMOTING.md §3.9). */
import { createResponse } from "../../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../../remoting/header_codec.ts";
import {
  KVConfigKeyRequestHeader,
  KVConfigRequestHeader,
  KVConfigValueResponseHeader,
  NamespaceRequestHeader,
} from "../../remoting/headers.ts";
import { encodeKVTable } from "../../remoting/body/topic_list.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { NamesrvContext } from "../namesrv_context.ts";

export function kvConfigProcessors(ctx: NamesrvContext): Record<number, Processor> {
  const kv = ctx.kvConfig;
  return {
    // A write is answered once it is on disk; a failed write answers SYSTEM_ERROR (via throw).
    [RequestCode.PUT_KV_CONFIG]: async (req) => {
      const h = decodeHeader(KVConfigRequestHeader, req.extFields);
      await kv.put(h.namespace, h.key, h.value);
      return createResponse(req, ResponseCode.SUCCESS);
    },
    [RequestCode.GET_KV_CONFIG]: (req) => {
      const h = decodeHeader(KVConfigKeyRequestHeader, req.extFields);
      const value = kv.get(h.namespace, h.key);
      if (value === undefined) {
        return createResponse(
          req,
          ResponseCode.QUERY_NOT_FOUND,
          `No config item, Namespace: ${h.namespace} Key: ${h.key}`,
        );
      }
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        undefined,
        encodeHeader(KVConfigValueResponseHeader, { value }),
      );
    },
    [RequestCode.DELETE_KV_CONFIG]: async (req) => {
      const h = decodeHeader(KVConfigKeyRequestHeader, req.extFields);
      await kv.delete(h.namespace, h.key);
      return createResponse(req, ResponseCode.SUCCESS);
    },
    [RequestCode.GET_KVLIST_BY_NAMESPACE]: (req) => {
      const h = decodeHeader(NamespaceRequestHeader, req.extFields);
      const table = kv.list(h.namespace);
      if (!table) {
        return createResponse(
          req,
          ResponseCode.QUERY_NOT_FOUND,
          `No config item, Namespace: ${h.namespace}`,
        );
      }
      return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeKVTable(table));
    },
  };
}
