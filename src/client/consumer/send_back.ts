/**
 * Giving a failed message back for a later redelivery (REMOTING.md §3.5, §8.3): first
 * CONSUMER_SEND_MSG_BACK to the broker that stored it (the broker schedules it into
 * `%RETRY%<group>` with delay level 3 + reconsumeTimes, or parks it in `%DLQ%<group>` after
 * maxReconsumeTimes); when that fails, the client sends a copy to the retry topic itself with
 * a normal send, as Java's consumer does.
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { getProperty, removeProperty, setProperty } from "../../common/message/properties.ts";
import { MessageSysFlag } from "../../common/message/sys_flag.ts";
import { CLIENT_INNER_PRODUCER_GROUP } from "../../remoting/body/heartbeat_data.ts";
import { retryTopic } from "../../remoting/group_topics.ts";
import type { ClientInstance } from "../client_instance.ts";
import { MQClientError } from "../errors.ts";
import type { ReceivedMessage } from "../message_ext.ts";
import { MQClientAPI } from "../mq_client_api.ts";
import { sendMessageHeader } from "../producer/send_path.ts";
import type { SendResult } from "../producer/send_result.ts";
import { topicRouteToPublishInfo } from "../topic_route.ts";
import { AUTO_CREATE_TOPIC_KEY_TOPIC } from "../validators.ts";

const log = logger("client", "consumer");

/** Java's timeout for CONSUMER_SEND_MSG_BACK (and its fallback send), ms. */
export const SEND_BACK_TIMEOUT_MS = 5000;

export interface SendBackOptions {
  group: string;
  /** 0: the broker picks 3 + reconsumeTimes; −1: straight to the DLQ; n: that level. */
  delayLevel: number;
  maxReconsumeTimes: number;
  timeoutMs?: number;
}

/**
 * Sends a failed message back; falls back to resending it to the retry topic. Rejects only
 * when both failed (the caller then redelivers it locally).
 */
export async function sendMessageBack(
  instance: ClientInstance,
  msg: ReceivedMessage,
  o: SendBackOptions,
): Promise<void> {
  const timeoutMs = o.timeoutMs ?? SEND_BACK_TIMEOUT_MS;
  const addr = instance.findBrokerAddressInPublish(msg.brokerName) ?? msg.storeHost;
  try {
    await instance.api.consumerSendMessageBack(addr, {
      offset: msg.commitLogOffset,
      group: o.group,
      delayLevel: o.delayLevel,
      originMsgId: msg.msgId,
      originTopic: msg.topic,
      unitMode: false,
      maxReconsumeTimes: o.maxReconsumeTimes,
    }, timeoutMs);
  } catch (e) {
    log.warn("Send-back of {msgId} to {addr} failed, resending to the retry topic: {error}", {
      msgId: msg.msgId,
      addr,
      error: errorMessage(e),
    });
    await resendToRetryTopic(instance, msg, o);
  }
}

/**
 * The fallback: a copy of the message sent to `%RETRY%<group>` with delay 3 + reconsumeTimes,
 * RETRY_TOPIC (the original topic), ORIGIN_MESSAGE_ID, and reconsumeTimes + 1 and
 * maxReconsumeTimes in the send header (where the broker's DLQ check reads them).
 */
export async function resendToRetryTopic(
  instance: ClientInstance,
  msg: ReceivedMessage,
  o: SendBackOptions,
): Promise<SendResult> {
  const topic = retryTopic(o.group);
  if (!instance.topicRouteTable.has(topic)) {
    await instance.updateTopicRouteInfoFromNameServer(topic);
  }
  const route = instance.topicRouteTable.get(topic);
  const mq = route ? topicRouteToPublishInfo(topic, route).selectOneMessageQueue() : undefined;
  const addr = mq ? instance.findBrokerAddressInPublish(mq.brokerName) : undefined;
  if (!mq || addr === undefined) {
    throw new MQClientError(`Cannot resend ${msg.msgId}: no route for ${topic}`);
  }
  let props = msg.rawProperties;
  const uniqKey = getProperty(props, MessageConst.UNIQ_KEY) ?? instance.uniqueKeys.next();
  props = setProperty(props, MessageConst.UNIQ_KEY, uniqKey);
  props = setProperty(
    props,
    MessageConst.ORIGIN_MESSAGE_ID,
    getProperty(props, MessageConst.ORIGIN_MESSAGE_ID) ?? msg.msgId,
  );
  props = setProperty(props, MessageConst.RETRY_TOPIC, msg.topic);
  props = setProperty(props, MessageConst.DELAY, String(3 + msg.reconsumeTimes));
  // Java moves these two into the send header for retry topics.
  props = removeProperty(props, MessageConst.RECONSUME_TIME);
  props = removeProperty(props, MessageConst.MAX_RECONSUME_TIMES);
  const body = msg.storedBody;
  const header = sendMessageHeader(
    {
      producerGroup: CLIENT_INNER_PRODUCER_GROUP,
      defaultTopic: AUTO_CREATE_TOPIC_KEY_TOPIC,
      defaultTopicQueueNums: 4,
    },
    {
      topic,
      body,
      rawLength: body.length,
      flag: msg.flag,
      sysFlag: msg.sysFlag & (MessageSysFlag.COMPRESSED | MessageSysFlag.COMPRESSION_TYPE_MASK),
      properties: props,
      msgId: uniqKey,
      waitStoreMsgOK: true,
      batch: false,
    },
    mq,
    Date.now(),
  );
  header.reconsumeTimes = msg.reconsumeTimes + 1;
  header.maxReconsumeTimes = o.maxReconsumeTimes;
  return await instance.api.sendMessage(
    addr,
    mq.brokerName,
    MQClientAPI.sendRequest(header, body),
    uniqKey,
    topic,
    o.timeoutMs ?? SEND_BACK_TIMEOUT_MS,
  );
}
