/**
 * DataVersion: the version stamp a broker puts on its topic (and subscription) tables. The name
 * server compares a registering broker's stamp with the one it holds to decide whether the
 * broker's topics must be re-read.
 *
 * JSON shape (fastjson, keys sorted):
 *   {"counter":3,"timestamp":1700000000000}
 *   counter       long  bumped on every change
 *   stateVersion  long  5.x only; read if present, written only when set
 *   timestamp     long  ms of the last change
 */
import { asNumber, asObject, type JsonObject, type JsonValue } from "../../common/fastjson.ts";
import { decodeJsonBody, encodeJsonBody } from "./json_body.ts";

export interface DataVersion {
  timestamp: number;
  counter: number;
  stateVersion?: number;
}

/** A fresh stamp: counter 0 at `now` (what a Java broker starts with). */
export function newDataVersion(now = Date.now()): DataVersion {
  return { timestamp: now, counter: 0 };
}

/** The next stamp after a change: counter + 1 at `now`. */
export function nextDataVersion(v: DataVersion, now = Date.now()): DataVersion {
  return { ...v, timestamp: now, counter: v.counter + 1 };
}

/** Equal when timestamp, counter and (5.x) stateVersion match; an absent stateVersion is 0. */
export function dataVersionEquals(a: DataVersion | undefined, b: DataVersion | undefined): boolean {
  if (!a || !b) return a === b;
  return a.timestamp === b.timestamp && a.counter === b.counter &&
    (a.stateVersion ?? 0) === (b.stateVersion ?? 0);
}

export function dataVersionToJson(v: DataVersion): JsonObject {
  return { counter: v.counter, stateVersion: v.stateVersion, timestamp: v.timestamp };
}

/** Reads a parsed DataVersion leniently; missing fields are 0, as Java's defaults after decode. */
export function dataVersionFromJson(json: JsonValue | undefined): DataVersion {
  const o = asObject(json);
  const v: DataVersion = {
    timestamp: asNumber(o.timestamp) ?? 0,
    counter: asNumber(o.counter) ?? 0,
  };
  const state = asNumber(o.stateVersion);
  if (state !== undefined) v.stateVersion = state;
  return v;
}

export function encodeDataVersion(v: DataVersion): Uint8Array {
  return encodeJsonBody(dataVersionToJson(v));
}

export function decodeDataVersion(body: Uint8Array): DataVersion {
  return dataVersionFromJson(decodeJsonBody(body, "DataVersion"));
}
