/**
 * Administration over a client instance (Java's MQAdminImpl): creating a topic on the brokers
 * that serve a key topic, and reading a stored message back by its offset message id. The
 * producer delegates to it as Java's does; `rmq admin` grows from here.
 */
import { inflateSync } from "node:zlib";
import { errorMessage } from "../common/errors.ts";
import { decodeMessageRecord, type MessageRecord } from "../common/message/message_codec.ts";
import { decodeOffsetMsgId } from "../common/message/message_id.ts";
import { MessageSysFlag } from "../common/message/sys_flag.ts";
import { createTopicConfig } from "../remoting/body/topic_config.ts";
import { MASTER_ID } from "../remoting/body/topic_route_data.ts";
import type { ClientInstance } from "./client_instance.ts";
import { MQClientError } from "./errors.ts";
import { checkTopic } from "./validators.ts";

/** Most queues a topic may have per broker (mqadmin's limit). */
const MAX_QUEUE_NUM = 1024;

/**
 * A stored message as VIEW_MESSAGE_BY_ID returns it (every field of the commit-log record),
 * body decompressed; `properties` is the raw property string.
 *
 * @example
 * ```ts
 * const m: ViewedMessage = await producer.viewMessage(result.offsetMsgId);
 * console.log(m.topic, m.queueId, m.queueOffset, new TextDecoder().decode(m.body));
 * ```
 */
export type ViewedMessage = MessageRecord;

export class MQAdmin {
  readonly #instance: ClientInstance;

  constructor(instance: ClientInstance) {
    this.#instance = instance;
  }

  /**
   * Creates `newTopic` on every master of `key`'s route with UPDATE_AND_CREATE_TOPIC, `queueNum`
   * read and write queues, read-write permission. Resolves once at least one broker has it;
   * an MQClientError when none could create it (the first failure as the cause).
   */
  async createTopic(
    key: string,
    newTopic: string,
    queueNum: number,
    topicSysFlag = 0,
  ): Promise<void> {
    checkTopic(newTopic, "create topic");
    if (!Number.isSafeInteger(queueNum) || queueNum < 1 || queueNum > MAX_QUEUE_NUM) {
      throw new RangeError(`Cannot create topic: queueNum ${queueNum} is not 1 to 1024`);
    }
    const instance = this.#instance;
    const timeout = instance.config.mqClientApiTimeoutMs;
    const route = await instance.api.getTopicRouteInfoFromNameServer(key, timeout);
    if (!route) {
      throw new MQClientError(`Cannot create topic ${newTopic}: no route for key topic ${key}`);
    }
    const config = createTopicConfig(newTopic, {
      readQueueNums: queueNum,
      writeQueueNums: queueNum,
      topicSysFlag,
    });
    const errors: unknown[] = [];
    let created = 0;
    for (const bd of route.brokerDatas) {
      const addr = bd.brokerAddrs.get(MASTER_ID);
      if (addr === undefined) continue;
      try {
        await instance.api.createTopic(addr, key, config, timeout);
        created++;
      } catch (e) {
        errors.push(e);
      }
    }
    if (created === 0) {
      throw new MQClientError(
        `Cannot create topic ${newTopic}: no broker of ${key} created it${
          errors.length > 0 ? `: ${errorMessage(errors[0])}` : ""
        }`,
        { cause: errors[0] },
      );
    }
  }

  /**
   * The stored record an offset message id names, read with VIEW_MESSAGE_BY_ID from the broker
   * the id names, body decompressed when it was sent compressed.
   */
  async viewMessage(offsetMsgId: string): Promise<ViewedMessage> {
    const { address, offset } = decodeOffsetMsgId(offsetMsgId);
    const instance = this.#instance;
    const bytes = await instance.api.viewMessage(
      address,
      offset,
      instance.config.mqClientApiTimeoutMs,
    );
    const record = decodeMessageRecord(bytes);
    if (record.sysFlag & MessageSysFlag.COMPRESSED) {
      const b = inflateSync(record.body);
      record.body = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    return record;
  }
}
