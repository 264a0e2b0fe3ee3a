/**
 * BrokerStatsData, VIEW_BROKER_STATS_DATA's body (`mqadmin statsAll` reads it): one statistic's
 * last minute, hour and day, each as its sum, the rate per second and the sum per call:
 *   {"statsDay":{"avgpt":1.0,"sum":10,"tps":0.1},"statsHour":{…},"statsMinute":{…}}
 */
import { asNumber, asObject, type JsonValue } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";

/** One window's figures (BrokerStatsItem). */
export interface BrokerStatsItem {
  sum: number;
  tps: number;
  avgpt: number;
}

export interface BrokerStatsData {
  statsMinute: BrokerStatsItem;
  statsHour: BrokerStatsItem;
  statsDay: BrokerStatsItem;
}

export function encodeBrokerStatsData(d: BrokerStatsData): Uint8Array {
  const item = (i: BrokerStatsItem) => ({ avgpt: i.avgpt, sum: i.sum, tps: i.tps });
  return encodeJsonBody({
    statsDay: item(d.statsDay),
    statsHour: item(d.statsHour),
    statsMinute: item(d.statsMinute),
  });
}

export function decodeBrokerStatsData(body: Uint8Array): BrokerStatsData {
  const o = asObject(decodeJsonBody(body, "BrokerStatsData"));
  const item = (v: JsonValue | undefined): BrokerStatsItem => {
    const i = asObject(v);
    return { sum: asNumber(i.sum) ?? 0, tps: asNumber(i.tps) ?? 0, avgpt: asNumber(i.avgpt) ?? 0 };
  };
  return {
    statsMinute: item(o.statsMinute),
    statsHour: item(o.statsHour),
    statsDay: item(o.statsDay),
  };
}
