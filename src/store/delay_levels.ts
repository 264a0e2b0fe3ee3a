/**
 * Delayed messages, the store's half (RocketMQ's CommitLog.putMessage and
 * computeDeliverTimestamp): a message with a DELAY level is parked on SCHEDULE_TOPIC_XXXX,
 * queue level−1, its real topic and queue kept in REAL_TOPIC / REAL_QID, and its consume-queue
 * tags code is the time it is due. The broker's ScheduleMessageService (the other half) walks
 * those queues and stores each message again under its real topic when it is due.
 *
 * Levels come from `messageDelayLevel`: element 0 of the parsed list is level 1.
 */
import { MessageConst } from "../common/message/message_const.ts";
import { getProperty, setProperty } from "../common/message/properties.ts";
import { MessageSysFlag, transactionType } from "../common/message/sys_flag.ts";
import type { MessageInput } from "./store_types.ts";

/** The topic delayed messages wait in, one queue per delay level. */
export const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";

const DELAY_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A DELAY value the store acts on: a plain non-negative integer (Java's Integer.parseInt). */
const LEVEL_TEXT = /^\d{1,9}$/;

/**
 * Parses `messageDelayLevel` into milliseconds per level: element 0 is level 1. Throws
 * RangeError on an item that is not a number followed by s, m, h or d (or, rmq only, ms: for
 * tests that cannot wait a second per retry).
 */
export function parseDelayLevels(s: string): number[] {
  const out: number[] = [];
  for (const item of s.trim().split(/\s+/)) {
    const m = /^(\d+)(ms|[smhd])$/.exec(item);
    if (!m) {
      throw new RangeError(`Cannot parse messageDelayLevel: bad level ${JSON.stringify(item)}`);
    }
    out.push(Number(m[1]) * DELAY_UNIT_MS[m[2]]);
  }
  return out;
}

/** The DELAY level a property string asks for; 0 when none (or not a number). */
function delayLevelOf(properties: string): number {
  const delay = getProperty(properties, MessageConst.DELAY);
  return delay && LEVEL_TEXT.test(delay) ? Number(delay) : 0;
}

/**
 * The message as the store keeps it: with a DELAY level, moved to SCHEDULE_TOPIC_XXXX queue
 * level−1 (a level above the highest is the highest), REAL_TOPIC / REAL_QID set; otherwise, or
 * when it is transactional (prepared or rolled back) or already on the schedule topic,
 * unchanged.
 */
export function parkDelayed(msg: MessageInput, delays: readonly number[]): MessageInput {
  const t = transactionType(msg.sysFlag);
  if (
    t !== MessageSysFlag.TRANSACTION_NOT_TYPE && t !== MessageSysFlag.TRANSACTION_COMMIT_TYPE
  ) return msg;
  if (msg.topic === SCHEDULE_TOPIC) return msg;
  let level = delayLevelOf(msg.properties);
  if (level <= 0) return msg;
  let properties = msg.properties;
  if (level > delays.length) {
    level = delays.length;
    properties = setProperty(properties, MessageConst.DELAY, String(level));
  }
  properties = setProperty(properties, MessageConst.REAL_TOPIC, msg.topic);
  properties = setProperty(properties, MessageConst.REAL_QID, String(msg.queueId));
  return { ...msg, topic: SCHEDULE_TOPIC, queueId: level - 1, properties };
}

/**
 * When a parked message is due: its store time plus the delay of its DELAY level (clamped to
 * the highest level); undefined when it names no level.
 */
export function deliverTimestampOf(
  properties: string,
  storeTimestamp: number,
  delays: readonly number[],
): number | undefined {
  const level = delayLevelOf(properties);
  if (level <= 0) return undefined;
  return storeTimestamp + delays[Math.min(level, delays.length) - 1];
}
