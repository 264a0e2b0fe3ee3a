/**
 * The ACL at a server's door: every request is checked against the live rules before its
 * processor runs; a refusal is answered with code 1 and RocketMQ's AclException remark, and
 * logged at most once per connection per minute (with the count of those not logged).
 */
import { type Logger, logger } from "../common/log.ts";
import type { Channel } from "../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../remoting/command.ts";
import { requestCodeName } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { AclError } from "./acl_error.ts";
import type { AclConfigStore } from "./acl_config_store.ts";
import {
  type Access,
  checkPermissions,
  onGlobalWhiteList,
  validateAccess,
} from "./access_validator.ts";
import { hostOf } from "./address_pattern.ts";
import { Perm } from "./permission.ts";
import { ACCESS_KEY } from "./signature.ts";

/** How a server sees a request: undefined for codes it leaves open. */
export type AccessView = (request: RemotingCommand, remoteAddr: string) => Access | undefined;

const REFUSAL_LOG_INTERVAL_MS = 60_000;

interface RefusalLog {
  last: number;
  held: number;
}

export class AclGuard {
  readonly #store: AclConfigStore;
  readonly #view: AccessView;
  readonly #log: Logger;
  readonly #refusals = new WeakMap<Channel, RefusalLog>();

  constructor(store: AclConfigStore, view: AccessView, name: string) {
    this.#store = store;
    this.#view = view;
    this.#log = logger(name, "acl");
  }

  /** The refusal to answer, or undefined to let the request through. */
  authorize(request: RemotingCommand, channel: Channel): RemotingCommand | undefined {
    let why: AclError | undefined;
    try {
      const access = this.#view(request, channel.remoteAddr);
      if (access) validateAccess(this.#store.rules, access);
    } catch (e) {
      why = e instanceof AclError ? e : new AclError(String(e));
    }
    if (!why) return undefined;
    this.#logRefusal(request, channel, why);
    return createResponse(request, ResponseCode.SYSTEM_ERROR, why.remark);
  }

  /**
   * Whether the request's account may publish to `topic` (for END_TRANSACTION, whose topic is
   * known only once the half message is read). The signature was checked at the door; a request
   * let in by a white list needs no permission. Returns the refusal remark, or undefined.
   */
  checkPublish(request: RemotingCommand, channel: Channel, topic: string): string | undefined {
    const rules = this.#store.rules;
    const host = hostOf(channel.remoteAddr);
    if (onGlobalWhiteList(rules, host)) return undefined;
    const account = rules.accounts.get(request.extFields[ACCESS_KEY] ?? "");
    if (!account) return new AclError("No accessKey is configured").remark;
    if (account.white(host)) return undefined;
    try {
      checkPermissions({
        code: request.code,
        resources: new Map([[topic, Perm.PUB]]),
        admin: false,
      }, account);
      return undefined;
    } catch (e) {
      const why = e instanceof AclError ? e : new AclError(String(e));
      this.#logRefusal(request, channel, why);
      return why.remark;
    }
  }

  #logRefusal(request: RemotingCommand, channel: Channel, why: AclError): void {
    const now = Date.now();
    const seen = this.#refusals.get(channel);
    if (seen && now - seen.last < REFUSAL_LOG_INTERVAL_MS) {
      seen.held++;
      return;
    }
    const held = seen?.held ?? 0;
    this.#refusals.set(channel, { last: now, held: 0 });
    this.#log.warn(
      held > 0
        ? "Refused {code} from {remote}: {why} ({held} more refusals on this connection not logged)"
        : "Refused {code} from {remote}: {why}",
      { code: requestCodeName(request.code), remote: channel.remoteAddr, why: why.message, held },
    );
  }
}
