/**
 * PULL_MESSAGE (11), REMOTING.md §3.3: the checks in the 4.9 broker's order, one read from the
 * store, the status as a response code with nextBeginOffset / minOffset / maxOffset /
 * suggestWhichBrokerId on every answer, and the body exactly as the store returns it (the
 * records back to back, one buffer). A pull that finds nothing and may be suspended is held by
 * the PullRequestHoldService and answered when its queue grows or its time is up.
 *
 * Hot path: the header is decoded once without the schema walk, subscriptions sent with every
 * pull are parsed once per expression, no JSON, nothing per message.
 */
import { PullSysFlag } from "../../common/message/sys_flag.ts";
import { isReadable } from "../../remoting/body/topic_config.ts";
import type { Channel } from "../../remoting/channel.ts";
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { ExpressionType, MessageModel } from "../../remoting/body/heartbeat_data.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import type { Processor } from "../../remoting/server.ts";
import { type GetResult, GetStatus, type MessageFilter } from "../../store/message_store.ts";
import { MASTER_ID } from "../../remoting/body/topic_route_data.ts";
import type { BrokerContext, BrokerServices } from "../broker_context.ts";
import { decodeHeader, type HeaderOf } from "../../remoting/header_codec.ts";
import { PullMessageRequestHeader } from "../../remoting/headers.ts";
import type { HeldPull } from "../pull_request_hold_service.ts";
import { StatsName } from "../broker_stats.ts";
import { isTagType } from "../../remoting/filter_api.ts";
import type { Subscription } from "../consumer_subscription.ts";

type PullHeader = HeaderOf<typeof PullMessageRequestHeader>;

/** Longest a pull is held, whatever it asks for (clients time the call out after 30 s). */
export const MAX_SUSPEND_MS = 15_000;
/** The services a pull reads and holds with. */
export type PullServices = Pick<
  BrokerServices,
  "subscriptionGroups" | "consumers" | "consumerOffsets" | "holds" | "subscriptions" | "stats"
>;

export function pullProcessors(ctx: BrokerContext, s: PullServices): Record<number, Processor> {
  const p = new PullMessageProcessor(ctx, s);
  return { [RequestCode.PULL_MESSAGE]: (req, ch) => p.process(req, ch) };
}

/** A store status as a pull response code (PullMessageProcessor's switch). */
export function pullResponseCode(status: GetStatus, requestOffset: number): number {
  switch (status) {
    case GetStatus.FOUND:
      return ResponseCode.SUCCESS;
    case GetStatus.MESSAGE_WAS_REMOVING:
    case GetStatus.NO_MATCHED_MESSAGE:
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case GetStatus.NO_MATCHED_LOGIC_QUEUE:
    case GetStatus.NO_MESSAGE_IN_QUEUE:
      return requestOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case GetStatus.OFFSET_FOUND_NULL:
    case GetStatus.OFFSET_OVERFLOW_ONE:
      return ResponseCode.PULL_NOT_FOUND;
    case GetStatus.OFFSET_OVERFLOW_BADLY:
    case GetStatus.OFFSET_TOO_SMALL:
      return ResponseCode.PULL_OFFSET_MOVED;
  }
}

function refuse(req: RemotingCommand, code: number, remark: string): RemotingCommand {
  return createResponse(req, code, remark);
}

export class PullMessageProcessor {
  readonly #ctx: BrokerContext;
  readonly #s: PullServices;

  constructor(ctx: BrokerContext, services: PullServices) {
    this.#ctx = ctx;
    this.#s = services;
  }

  process(
    req: RemotingCommand,
    channel: Channel,
  ): RemotingCommand | Promise<RemotingCommand | null> {
    const ctx = this.#ctx;
    const s = this.#s;
    const h = decodeHeader(PullMessageRequestHeader, req.extFields);
    if (!isReadable(ctx.config.brokerPermission)) {
      return refuse(
        req,
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.brokerIP1}] pulling message is forbidden`,
      );
    }
    const group = s.subscriptionGroups.find(h.consumerGroup);
    if (!group) {
      return refuse(
        req,
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group [${h.consumerGroup}] does not exist`,
      );
    }
    if (!group.consumeEnable) {
      return refuse(
        req,
        ResponseCode.NO_PERMISSION,
        `subscription group no permission, ${h.consumerGroup}`,
      );
    }
    const sysFlag = h.sysFlag;
    const tc = ctx.topicConfigManager.get(h.topic);
    if (!tc) {
      return refuse(
        req,
        ResponseCode.TOPIC_NOT_EXIST,
        `topic[${h.topic}] not exist, apply first please!`,
      );
    }
    if (!isReadable(tc.perm)) {
      return refuse(
        req,
        ResponseCode.NO_PERMISSION,
        `the topic[${h.topic}] pulling message is forbidden`,
      );
    }
    if (h.queueId < 0 || h.queueId >= tc.readQueueNums) {
      return refuse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${tc.readQueueNums}] consumer:[${channel.remoteAddr}]`,
      );
    }
    let sub: Subscription | undefined;
    if (sysFlag & PullSysFlag.SUBSCRIPTION) {
      try {
        sub = s.subscriptions.get(h.topic, h.subscription, h.expressionType);
      } catch {
        return refuse(
          req,
          ResponseCode.SUBSCRIPTION_PARSE_FAILED,
          "parse the consumer's subscription failed",
        );
      }
    } else {
      const info = s.consumers.get(h.consumerGroup);
      if (!info) {
        return refuse(
          req,
          ResponseCode.SUBSCRIPTION_NOT_EXIST,
          "the consumer's group info not exist",
        );
      }
      if (!group.consumeBroadcastEnable && info.messageModel === MessageModel.BROADCASTING) {
        return refuse(
          req,
          ResponseCode.NO_PERMISSION,
          `the consumer group[${h.consumerGroup}] can not consume by broadcast way`,
        );
      }
      sub = info.findSubscription(h.topic);
      if (!sub) {
        return refuse(
          req,
          ResponseCode.SUBSCRIPTION_NOT_EXIST,
          "the consumer's subscription not exist",
        );
      }
      if (sub.data.subVersion < h.subVersion) {
        return refuse(
          req,
          ResponseCode.SUBSCRIPTION_NOT_LATEST,
          "the consumer's subscription not latest",
        );
      }
    }
    if (!isTagType(sub.data.expressionType)) {
      if (!ctx.config.enablePropertyFilter || sub.data.expressionType !== ExpressionType.SQL92) {
        return refuse(
          req,
          ResponseCode.SYSTEM_ERROR,
          `The broker does not support consumer to filter message by ${sub.data.expressionType}`,
        );
      }
      if (sub.error) {
        return refuse(
          req,
          ResponseCode.FILTER_DATA_NOT_EXIST,
          `The broker's consumer filter data is not exist!Your expression may be wrong! ${sub.error}`,
        );
      }
    }
    // COMMIT_OFFSET: stored whatever the pull finds, also when it is held (on a master: a
    // slave's offsets come from its master).
    const slave = ctx.config.brokerRole === "SLAVE";
    if ((sysFlag & PullSysFlag.COMMIT_OFFSET) && !slave) {
      s.consumerOffsets.commitOffset(
        channel.remoteAddr,
        h.consumerGroup,
        h.topic,
        h.queueId,
        h.commitOffset,
      );
    }
    const filter = sub.filter;
    const answer = (code: number, r: GetResult) => this.#answer(req, h, code, r, group);
    return this.#read(h, h.queueOffset, filter).then((r) => {
      const code = pullResponseCode(r.status, h.queueOffset);
      if (code === ResponseCode.PULL_NOT_FOUND && (sysFlag & PullSysFlag.SUSPEND)) {
        const holdMs = this.#holdMs(h);
        if (holdMs > 0 && s.holds.accepting) {
          return this.#hold(channel, h, filter, holdMs, answer);
        }
      }
      return answer(code, r);
    });
  }

  /**
   * The answer for a store result, with the broker the consumer should pull from next
   * (PullMessageProcessor): the master, unless slaveReadEnable lets a consumer that fell
   * behind (its data no longer in memory) go to whichBrokerWhenConsumeSlowly, or stay with
   * its group's brokerId. A slave leaves offsets it cannot vouch for to the master: a moved
   * offset is "retry" there, unless offsetCheckInSlave.
   */
  #answer(
    req: RemotingCommand,
    h: PullHeader,
    code: number,
    r: GetResult,
    group: { brokerId: number; whichBrokerWhenConsumeSlowly: number },
  ): RemotingCommand {
    const c = this.#ctx.config;
    let suggest = MASTER_ID;
    if (c.slaveReadEnable) {
      suggest = r.suggestPullingFromSlave ? group.whichBrokerWhenConsumeSlowly : group.brokerId;
    }
    if (
      code === ResponseCode.PULL_OFFSET_MOVED && c.brokerRole === "SLAVE" && !c.offsetCheckInSlave
    ) {
      code = ResponseCode.PULL_RETRY_IMMEDIATELY;
      suggest = group.brokerId;
    }
    if (code === ResponseCode.SUCCESS) {
      const stats = this.#s.stats;
      const key = `${h.topic}@${h.consumerGroup}`;
      stats.inc(StatsName.GROUP_GET_NUMS, key, r.messageCount);
      stats.inc(StatsName.GROUP_GET_SIZE, key, r.bufferTotalSize);
      stats.inc(StatsName.BROKER_GET_NUMS, this.#ctx.clusterName, r.messageCount);
    }
    return respond(req, code, r, suggest);
  }

  #read(h: PullHeader, offset: number, filter: MessageFilter | undefined): Promise<GetResult> {
    return this.#ctx.store.getMessage(
      h.consumerGroup,
      h.topic,
      h.queueId,
      offset,
      h.maxMsgNums,
      undefined,
      filter,
    );
  }

  /** How long to hold: the request's suspend time (at most 15 s), or the short-polling time. */
  #holdMs(h: PullHeader): number {
    const c = this.#ctx.config;
    if (!c.longPollingEnable) return c.shortPollingTimeMills;
    return Math.min(h.suspendTimeoutMillis, MAX_SUSPEND_MS);
  }

  #hold(
    channel: Channel,
    h: PullHeader,
    filter: MessageFilter | undefined,
    holdMs: number,
    answer: (code: number, r: GetResult) => RemotingCommand,
  ): Promise<RemotingCommand | null> {
    return new Promise((resolve) => {
      const pull: HeldPull = {
        topic: h.topic,
        queueId: h.queueId,
        channel,
        offset: h.queueOffset,
        retry: async (final) => {
          const r = await this.#read(h, pull.offset, filter);
          const code = pullResponseCode(r.status, h.queueOffset);
          // Only messages the subscription does not want arrived: hold on past them.
          if (
            !final && code === ResponseCode.PULL_RETRY_IMMEDIATELY &&
            r.nextBeginOffset > pull.offset
          ) {
            pull.offset = r.nextBeginOffset;
            return undefined;
          }
          return answer(code, r);
        },
        answer: resolve,
      };
      this.#s.holds.suspend(pull, holdMs);
    });
  }
}

/** A pull answer: the four offsets header fields on every code, the records as the body. */
function respond(
  req: RemotingCommand,
  code: number,
  r: GetResult,
  suggestWhichBrokerId: number,
): RemotingCommand {
  return createResponse(
    req,
    code,
    r.status,
    {
      suggestWhichBrokerId: String(suggestWhichBrokerId),
      nextBeginOffset: String(r.nextBeginOffset),
      minOffset: String(r.minOffset),
      maxOffset: String(r.maxOffset),
    },
    code === ResponseCode.SUCCESS ? r.body : undefined,
  );
}
