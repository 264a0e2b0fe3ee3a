/**
 * The send header, decoded on the hot path. Every send carries the same dozen fields, and the
 * schema-driven decodeHeader (remoting/header.ts) costs about half a microsecond per send; this
 * reads the fields straight from extFields when they are plain decimal numbers and falls back
 * to decodeHeader for anything else, so errors and lenient cases stay exactly decodeHeader's.
 */
import { decodeHeader, type HeaderSchema } from "../remoting/header.ts";
import { SendMessageRequestHeader, SendMessageRequestHeaderV2 } from "../remoting/headers.ts";
import type { SendHeader } from "./broker_context.ts";

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
/** Longer digit strings may not be exact doubles; decodeHeader handles them. */
const MAX_FAST_DIGITS = 15;

/** A plain decimal integer (optional `-`, at most 15 digits), or NaN for anything else. */
export function plainInteger(s: string | undefined): number {
  if (s === undefined) return NaN;
  const n = s.length;
  let i = 0;
  let neg = false;
  if (n > 0 && s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  if (n === i || n - i > MAX_FAST_DIGITS) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

export function plainInt(s: string | undefined): number {
  const v = plainInteger(s);
  return v >= INT_MIN && v <= INT_MAX ? v : NaN;
}

/** Java's Boolean.parseBoolean. */
function javaBoolean(s: string): boolean {
  return s.length === 4 && s.toLowerCase() === "true";
}

interface Keys {
  producerGroup: string;
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: string;
  queueId: string;
  sysFlag: string;
  bornTimestamp: string;
  flag: string;
  properties: string;
  reconsumeTimes: string;
  unitMode: string;
  maxReconsumeTimes: string;
  batch: string;
  brokerName: string;
}

function wireKeys(schema: HeaderSchema): Keys {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = spec.wire ?? name;
  return out as unknown as Keys;
}

function decoder(schema: HeaderSchema): (ext: Record<string, string>) => SendHeader {
  const k = wireKeys(schema);
  return (ext) => {
    const producerGroup = ext[k.producerGroup];
    const topic = ext[k.topic];
    const defaultTopic = ext[k.defaultTopic];
    const defaultTopicQueueNums = plainInt(ext[k.defaultTopicQueueNums]);
    const queueId = plainInt(ext[k.queueId]);
    const sysFlag = plainInt(ext[k.sysFlag]);
    const bornTimestamp = plainInteger(ext[k.bornTimestamp]);
    const flag = plainInt(ext[k.flag]);
    const rawReconsume = ext[k.reconsumeTimes];
    const reconsumeTimes = rawReconsume === undefined ? undefined : plainInt(rawReconsume);
    const rawMaxReconsume = ext[k.maxReconsumeTimes];
    const maxReconsumeTimes = rawMaxReconsume === undefined ? undefined : plainInt(rawMaxReconsume);
    if (
      producerGroup === undefined || topic === undefined || defaultTopic === undefined ||
      Number.isNaN(defaultTopicQueueNums) || Number.isNaN(queueId) || Number.isNaN(sysFlag) ||
      Number.isNaN(bornTimestamp) || Number.isNaN(flag) ||
      (reconsumeTimes !== undefined && Number.isNaN(reconsumeTimes)) ||
      (maxReconsumeTimes !== undefined && Number.isNaN(maxReconsumeTimes))
    ) {
      return decodeHeader(schema, ext) as SendHeader;
    }
    const unitMode = ext[k.unitMode];
    const batch = ext[k.batch];
    return {
      producerGroup,
      topic,
      defaultTopic,
      defaultTopicQueueNums,
      queueId,
      sysFlag,
      bornTimestamp,
      flag,
      properties: ext[k.properties],
      reconsumeTimes,
      unitMode: unitMode === undefined ? undefined : javaBoolean(unitMode),
      maxReconsumeTimes,
      batch: batch === undefined ? undefined : javaBoolean(batch),
      brokerName: ext[k.brokerName],
    };
  };
}

/** SEND_MESSAGE's header (long names). */
export const decodeSendHeader = decoder(SendMessageRequestHeader);
/** SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE's header (`a`…`n`). */
export const decodeSendHeaderV2 = decoder(SendMessageRequestHeaderV2);
