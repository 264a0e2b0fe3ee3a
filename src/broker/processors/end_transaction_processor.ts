/**
 * END_TRANSACTION (37), REMOTING.md §3.6: a producer's verdict on a half message, after its
 * local transaction or when the broker asked (fromTransactionCheck). Commit stores the real
 * message, rollback stores nothing, both mark the half message resolved; "unknown" gets no
 * answer (the next check asks again). Producers send it oneway, so the answer only reaches
 * callers that wait for one. A slave answers SLAVE_NOT_AVAILABLE.
 */
import type { AclGuard } from "../../acl/acl_guard.ts";
import { logger } from "../../common/log.ts";
import type { Channel } from "../../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { decodeHeader } from "../../remoting/header_codec.ts";
import { EndTransactionRequestHeader } from "../../remoting/headers.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { TransactionKind } from "../transaction/transaction_service.ts";

const log = logger("broker");

/** With the ACL on, `acl` checks the producer may publish to the half message's topic. */
export function endTransactionProcessors(
  ctx: BrokerContext,
  s: Pick<BrokerServices, "transactions">,
  acl?: AclGuard,
): Record<number, Processor> {
  return {
    [RequestCode.END_TRANSACTION]: (req, ch) => endTransaction(ctx, s, req, ch, acl),
  };
}

async function endTransaction(
  ctx: BrokerContext,
  s: Pick<BrokerServices, "transactions">,
  req: RemotingCommand,
  ch: Channel,
  acl: AclGuard | undefined,
): Promise<RemotingCommand | null> {
  if (ctx.config.brokerRole === "SLAVE") {
    return createResponse(
      req,
      ResponseCode.SLAVE_NOT_AVAILABLE,
      "Message store is slave mode, so end transaction is forbidden.",
    );
  }
  const h = decodeHeader(EndTransactionRequestHeader, req.extFields);
  const verdict = h.commitOrRollback === TransactionKind.COMMIT
    ? "commit"
    : h.commitOrRollback === TransactionKind.ROLLBACK
    ? "rollback"
    : "unknown";
  log.debug("Producer {addr} ({group}) says {verdict} for {msgId}{checked}", {
    addr: ch.remoteAddr,
    group: h.producerGroup,
    verdict,
    msgId: h.msgId,
    checked: h.fromTransactionCheck ? " when asked" : "",
  });
  const r = await s.transactions.end(
    h,
    acl ? (topic) => acl.checkPublish(req, ch, topic) : undefined,
  );
  if (!r) return null;
  if (r.code !== ResponseCode.SUCCESS) {
    log.warn("END_TRANSACTION ({verdict}) of {msgId} from {addr} refused: {remark}", {
      verdict,
      msgId: h.msgId,
      addr: ch.remoteAddr,
      remark: r.remark,
    });
  }
  return createResponse(req, r.code, r.remark);
}
