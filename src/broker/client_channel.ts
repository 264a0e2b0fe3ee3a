/** One client connection as the consumer and producer tables hold it (ClientChannelInfo). */
import type { Channel } from "../remoting/channel.ts";

export interface ClientChannelInfo {
  readonly channel: Channel;
  /** The client's id from its heartbeat (`ip@instanceName`). */
  clientId: string;
  /** LanguageCode name of its requests. */
  language: string;
  /** Its MQVersion ordinal. */
  version: number;
  /** Last heartbeat (ms). */
  lastUpdateTimestamp: number;
}

export function clientChannelInfo(
  channel: Channel,
  clientId: string,
  language: string,
  version: number,
  now = Date.now(),
): ClientChannelInfo {
  return { channel, clientId, language, version, lastUpdateTimestamp: now };
}
