/**
 * The PULL_MESSAGE header, decoded on the hot path: the fields are read straight from extFields
 * when they are plain decimal numbers (what every client sends), and anything else goes to the
 * schema-driven decodeHeader, so errors and lenient cases stay exactly decodeHeader's.
 */
import { decodeHeader, type HeaderOf } from "../remoting/header.ts";
import { PullMessageRequestHeader } from "../remoting/headers.ts";
import { plainInt, plainInteger } from "./send_header.ts";

export type PullHeader = HeaderOf<typeof PullMessageRequestHeader>;

export function decodePullHeader(ext: Record<string, string>): PullHeader {
  const consumerGroup = ext.consumerGroup;
  const topic = ext.topic;
  const queueId = plainInt(ext.queueId);
  const queueOffset = plainInteger(ext.queueOffset);
  const maxMsgNums = plainInt(ext.maxMsgNums);
  const sysFlag = plainInt(ext.sysFlag);
  const commitOffset = plainInteger(ext.commitOffset);
  const suspendTimeoutMillis = plainInteger(ext.suspendTimeoutMillis);
  const subVersion = plainInteger(ext.subVersion);
  if (
    consumerGroup === undefined || topic === undefined || Number.isNaN(queueId) ||
    Number.isNaN(queueOffset) || Number.isNaN(maxMsgNums) || Number.isNaN(sysFlag) ||
    Number.isNaN(commitOffset) || Number.isNaN(suspendTimeoutMillis) || Number.isNaN(subVersion)
  ) {
    return decodeHeader(PullMessageRequestHeader, ext);
  }
  return {
    consumerGroup,
    topic,
    queueId,
    queueOffset,
    maxMsgNums,
    sysFlag,
    commitOffset,
    suspendTimeoutMillis,
    subscription: ext.subscription,
    subVersion,
    expressionType: ext.expressionType,
  };
}
