/**
 * What a request needs (RocketMQ's PlainAccessValidator.parse: the topics and groups a request
 * code touches, with the permission it needs on each) and whether the ACL rules grant it
 * (PlainPermissionManager.validate). Pure: the rules come in, a refusal goes out as AclError.
 *
 * Beyond RocketMQ 4.9, on purpose (README, "Securing a cluster"):
 * - SEND_BATCH_MESSAGE needs PUB on its topic like any send (4.9 checks nothing), and
 *   END_TRANSACTION needs PUB on the half message's topic (checked where that topic is known,
 *   by the end-transaction processor through `checkResource`).
 * - An address on a white list skips the signature only of requests that carry none, or whose
 *   account is unknown: a request that names a known account and signs it wrongly is refused.
 * - More codes are admin-only: the ACL codes themselves (RocketMQ lets any account create an
 *   admin account), offset resets, queue cleaning and consuming a message directly.
 */
import { decodeHeartbeatData } from "../remoting/body/heartbeat_data.ts";
import type { RemotingCommand } from "../remoting/command.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { AclError } from "./acl_error.ts";
import type { Account, AclRules } from "./acl_file.ts";
import { hostOf } from "./address_pattern.ts";
import {
  isGroupResource,
  Perm,
  permits,
  resourceText,
  RETRY_GROUP_TOPIC_PREFIX,
  retryTopicOf,
} from "./permission.ts";
import { ACCESS_KEY, SIGNATURE, signatureMatches } from "./signature.ts";

const TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";

/** Codes only an admin account may use on a broker: RocketMQ's five, then ours. */
export const BROKER_ADMIN_CODES: ReadonlySet<number> = new Set<number>([
  RequestCode.UPDATE_AND_CREATE_TOPIC,
  RequestCode.UPDATE_BROKER_CONFIG,
  RequestCode.DELETE_TOPIC_IN_BROKER,
  RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
  RequestCode.DELETE_SUBSCRIPTIONGROUP,
  RequestCode.UPDATE_AND_CREATE_TOPIC_LIST,
  RequestCode.UPDATE_AND_CREATE_ACL_CONFIG,
  RequestCode.DELETE_ACL_CONFIG,
  RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
  RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG,
  RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
  RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE,
  RequestCode.CLEAN_UNUSED_TOPIC,
  RequestCode.CONSUME_MESSAGE_DIRECTLY,
]);

/**
 * The name server's guarded codes: those that change cluster state. All are admin-only; route
 * queries stay open, since not every client signs its name-server reads.
 */
export const NAMESRV_GUARDED_CODES: ReadonlySet<number> = new Set<number>([
  RequestCode.REGISTER_BROKER,
  RequestCode.UNREGISTER_BROKER,
  RequestCode.DELETE_TOPIC_IN_NAMESRV,
  RequestCode.WIPE_WRITE_PERM_OF_BROKER,
  RequestCode.ADD_WRITE_PERM_OF_BROKER,
  RequestCode.PUT_KV_CONFIG,
  RequestCode.DELETE_KV_CONFIG,
  RequestCode.UPDATE_NAMESRV_CONFIG,
]);

/** One request as the ACL sees it. */
export interface Access {
  code: number;
  host: string;
  accessKey?: string;
  signature?: string;
  extFields: Readonly<Record<string, string>>;
  body?: Uint8Array;
  /** Resource (topic, or a group's retry topic) → permission needed. */
  resources: Map<string, number>;
  admin: boolean;
}

/** The broker's view of a request: the resources its code touches. */
export function brokerAccess(request: RemotingCommand, remoteAddr: string): Access {
  const f = request.extFields;
  const resources = new Map<string, number>();
  switch (request.code) {
    case RequestCode.SEND_MESSAGE:
      needSend(resources, f.topic);
      break;
    case RequestCode.SEND_MESSAGE_V2:
    case RequestCode.SEND_BATCH_MESSAGE:
      needSend(resources, f.b);
      break;
    case RequestCode.CONSUMER_SEND_MSG_BACK:
      needGroup(resources, f.group);
      break;
    case RequestCode.PULL_MESSAGE:
      need(resources, f.topic, Perm.SUB);
      needGroup(resources, f.consumerGroup);
      break;
    case RequestCode.QUERY_MESSAGE:
      need(resources, f.topic, Perm.SUB);
      break;
    case RequestCode.HEART_BEAT:
      if (request.body !== undefined && request.body.length > 0) {
        let hb;
        try {
          hb = decodeHeartbeatData(request.body);
        } catch (e) {
          throw new AclError(e instanceof Error ? e.message : String(e));
        }
        for (const c of hb.consumerDataSet) {
          needGroup(resources, c.groupName);
          for (const s of c.subscriptionDataSet) need(resources, s.topic, Perm.SUB);
        }
      }
      break;
    case RequestCode.UNREGISTER_CLIENT:
    case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
      needGroup(resources, f.consumerGroup);
      break;
    case RequestCode.UPDATE_CONSUMER_OFFSET:
      needGroup(resources, f.consumerGroup);
      need(resources, f.topic, Perm.SUB);
      break;
  }
  return accessOf(request, remoteAddr, resources, BROKER_ADMIN_CODES.has(request.code));
}

function need(resources: Map<string, number>, resource: string | undefined, perm: number): void {
  if (resource !== undefined && resource !== "") resources.set(resource, perm);
}

/** A send to a retry topic is a consumer's resend: it needs SUB on that group. */
function needSend(resources: Map<string, number>, topic: string | undefined): void {
  need(resources, topic, topic?.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? Perm.SUB : Perm.PUB);
}

/** A group is checked as its retry topic, with SUB. */
function needGroup(resources: Map<string, number>, group: string | undefined): void {
  if (group !== undefined) need(resources, retryTopicOf(group), Perm.SUB);
}

/** The name server's view: undefined for codes it leaves open. */
export function namesrvAccess(request: RemotingCommand, remoteAddr: string): Access | undefined {
  if (!NAMESRV_GUARDED_CODES.has(request.code)) return undefined;
  return accessOf(request, remoteAddr, new Map(), true);
}

function accessOf(
  request: RemotingCommand,
  remoteAddr: string,
  resources: Map<string, number>,
  admin: boolean,
): Access {
  return {
    code: request.code,
    host: hostOf(remoteAddr),
    accessKey: request.extFields[ACCESS_KEY],
    signature: request.extFields[SIGNATURE],
    extFields: request.extFields,
    body: request.body,
    resources,
    admin,
  };
}

/** Throws AclError when the rules refuse the access (RocketMQ's messages). */
export function validateAccess(rules: AclRules, a: Access): void {
  const account = a.accessKey === undefined ? undefined : rules.accounts.get(a.accessKey);
  if (onGlobalWhiteList(rules, a.host)) {
    if (account && a.signature !== undefined) checkSignature(a, account);
    return;
  }
  if (a.accessKey === undefined) throw new AclError("No accessKey is configured");
  if (!account) throw new AclError(`No acl config for ${a.accessKey}`);
  if (account.white(a.host)) {
    if (a.signature !== undefined) checkSignature(a, account);
    return;
  }
  checkSignature(a, account);
  // Message traces are written by every client that turns tracing on.
  if (a.resources.get(TRACE_TOPIC) === Perm.PUB) return;
  checkPermissions(a, account);
}

/** Whether `host` is on the global white list (which lets requests in unsigned). */
export function onGlobalWhiteList(rules: AclRules, host: string): boolean {
  for (const matches of rules.globalWhite) if (matches(host)) return true;
  return false;
}

function checkSignature(a: Access, account: Account): void {
  if (
    a.signature === undefined ||
    !signatureMatches(a.extFields, a.body, account.secretKey, a.signature)
  ) {
    throw new AclError(`Check signature failed for accessKey=${account.accessKey}`);
  }
}

/** Permission checks alone, for an access whose signature is already known good. */
export function checkPermissions(
  a: Pick<Access, "code" | "resources" | "admin">,
  account: Account,
): void {
  if (a.admin && !account.admin) {
    throw new AclError(
      `Need admin permission for request code=${a.code}, but accessKey=${account.accessKey} is not`,
    );
  }
  if (account.admin && account.perms.size === 0) return;
  for (const [resource, needed] of a.resources) {
    const owned = account.perms.get(resource) ??
      (isGroupResource(resource) ? account.defaultGroupPerm : account.defaultTopicPerm);
    if (!permits(needed, owned)) {
      throw new AclError(`No default permission for ${resourceText(resource)}`);
    }
  }
}
