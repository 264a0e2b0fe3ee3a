/**
 * The transaction producer (Java's TransactionMQProducer): sends a message as a half message
 * the broker keeps from consumers, runs the local transaction, then tells the broker to commit
 * or roll back (END_TRANSACTION). When the answer is "unknown" or gets lost, the broker asks
 * again later (CHECK_TRANSACTION_STATE) and checkLocalTransaction answers.
 */
import { errorMessage } from "../../common/errors.ts";
import { logger } from "../../common/log.ts";
import { MessageConst } from "../../common/message/message_const.ts";
import { decodeOffsetMsgId } from "../../common/message/message_id.ts";
import { removeProperty, setProperty } from "../../common/message/properties.ts";
import { MessageSysFlag } from "../../common/message/sys_flag.ts";
import type { TransactionCheck } from "../client_inner.ts";
import type { Message } from "../message.ts";
import type { MessageExt, ReceivedMessage } from "../message_ext.ts";
import { Producer, type ProducerOptions } from "./producer.ts";
import type { SendOptions } from "./send_path.ts";
import { type SendResult, SendStatus } from "./send_result.ts";

const log = logger("client", "producer");

/** What the local transaction came to (Java's LocalTransactionState, spelling kept). */
export const LocalTransactionState = {
  COMMIT_MESSAGE: "COMMIT_MESSAGE",
  ROLLBACK_MESSAGE: "ROLLBACK_MESSAGE",
  UNKNOW: "UNKNOW",
} as const;
export type LocalTransactionState =
  (typeof LocalTransactionState)[keyof typeof LocalTransactionState];

/** END_TRANSACTION's commitOrRollback for each state (MessageSysFlag transaction types). */
const VERDICT: Record<LocalTransactionState, number> = {
  COMMIT_MESSAGE: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
  ROLLBACK_MESSAGE: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE,
  UNKNOW: MessageSysFlag.TRANSACTION_NOT_TYPE,
};

export interface TransactionListener {
  /** Runs the local transaction once the half message is stored; its state decides the message. */
  executeLocalTransaction(
    msg: Message,
    arg: unknown,
  ): LocalTransactionState | Promise<LocalTransactionState>;
  /** The broker asks about a transaction left open (UNKNOW, or the answer was lost). */
  checkLocalTransaction(msg: MessageExt): LocalTransactionState | Promise<LocalTransactionState>;
}

export interface TransactionProducerOptions extends ProducerOptions {
  transactionListener: TransactionListener;
}

export interface TransactionSendResult extends SendResult {
  localTransactionState: LocalTransactionState;
}

/**
 * @example
 * ```ts
 * await using producer = new TransactionProducer({
 *   namesrvAddr: "127.0.0.1:9876",
 *   producerGroup: "orders_tx",
 *   transactionListener: {
 *     executeLocalTransaction: async (msg) => (await saveOrder(msg)) ? "COMMIT_MESSAGE" : "UNKNOW",
 *     checkLocalTransaction: async (msg) => (await orderExists(msg.keys)) ? "COMMIT_MESSAGE" : "ROLLBACK_MESSAGE",
 *   },
 * });
 * await producer.start();
 * const r = await producer.sendMessageInTransaction({ topic: "Orders", body: "order 42" });
 * ```
 */
export class TransactionProducer extends Producer {
  readonly #listener: TransactionListener;

  constructor(options: TransactionProducerOptions) {
    super(options);
    const l = options.transactionListener;
    if (
      !l || typeof l.executeLocalTransaction !== "function" ||
      typeof l.checkLocalTransaction !== "function"
    ) {
      throw new TypeError(
        "Cannot create transaction producer: transactionListener needs executeLocalTransaction and checkLocalTransaction",
      );
    }
    this.#listener = l;
  }

  /**
   * Sends `message` as a half message, runs executeLocalTransaction(message, arg), then
   * commits or rolls it back on the broker (oneway). A delay level is dropped, as Java does.
   * A send stored but not SEND_OK (a flush or slave deadline missed) is rolled back.
   *
   * @returns The send result and the local transaction's state.
   * @throws As send(): the half message could not be stored.
   */
  async sendMessageInTransaction(
    message: Message,
    arg?: unknown,
    options?: SendOptions,
  ): Promise<TransactionSendResult> {
    const group = this.groupName;
    const result = await this.sendAdjusted(message, (p) => {
      let props = removeProperty(p.properties, MessageConst.DELAY);
      props = setProperty(props, MessageConst.TRAN_MSG, "true");
      props = setProperty(props, MessageConst.PGROUP, group);
      return {
        ...p,
        properties: props,
        sysFlag: p.sysFlag | MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      };
    }, options);
    let state: LocalTransactionState = LocalTransactionState.ROLLBACK_MESSAGE;
    let failure: string | undefined;
    if (result.sendStatus === SendStatus.SEND_OK) {
      try {
        state = (await this.#listener.executeLocalTransaction(message, arg)) ??
          LocalTransactionState.UNKNOW;
      } catch (e) {
        state = LocalTransactionState.UNKNOW;
        failure = errorMessage(e);
        log.warn("Local transaction of {msgId} failed: {error}", {
          msgId: result.msgId,
          error: failure,
        });
      }
    }
    await this.#end(result, state, failure);
    return { ...result, localTransactionState: state };
  }

  /** END_TRANSACTION (oneway) for a send's half message; a failure is logged (the check asks). */
  async #end(result: SendResult, state: LocalTransactionState, remark?: string): Promise<void> {
    const instance = this.instanceFor("end transaction");
    const addr = instance.findBrokerAddressInPublish(result.messageQueue.brokerName);
    try {
      if (!addr) throw new Error(`no address for broker ${result.messageQueue.brokerName}`);
      await instance.api.endTransactionOneway(
        addr,
        {
          producerGroup: this.groupName,
          tranStateTableOffset: result.queueOffset,
          commitLogOffset: decodeOffsetMsgId(result.offsetMsgId).offset,
          commitOrRollback: VERDICT[state],
          fromTransactionCheck: false,
          msgId: result.msgId,
          transactionId: result.transactionId ?? result.msgId,
        },
        remark,
        instance.config.mqClientApiTimeoutMs,
      );
    } catch (e) {
      log.warn("Cannot end transaction {msgId} ({state}): {error}; the broker will ask", {
        msgId: result.msgId,
        state,
        error: errorMessage(e),
      });
    }
  }

  protected override checkTransactionState(
    brokerAddr: string,
    msg: ReceivedMessage,
    check: TransactionCheck,
  ): void {
    void (async () => {
      let state: LocalTransactionState = LocalTransactionState.UNKNOW;
      let remark: string | undefined;
      try {
        state = (await this.#listener.checkLocalTransaction(msg)) ?? LocalTransactionState.UNKNOW;
      } catch (e) {
        remark = errorMessage(e);
        log.warn("Transaction check of {msgId} failed: {error}", {
          msgId: msg.msgId,
          error: remark,
        });
      }
      const instance = this.instanceFor("answer a transaction check");
      await instance.api.endTransactionOneway(
        brokerAddr,
        {
          producerGroup: this.groupName,
          tranStateTableOffset: check.tranStateTableOffset,
          commitLogOffset: check.commitLogOffset,
          commitOrRollback: VERDICT[state],
          fromTransactionCheck: true,
          msgId: msg.getProperty(MessageConst.UNIQ_KEY) ?? msg.msgId,
          transactionId: check.transactionId ?? msg.msgId,
        },
        remark,
        instance.config.mqClientApiTimeoutMs,
      );
    })().catch((e) => {
      log.warn("Cannot answer the transaction check of {msgId}: {error}", {
        msgId: msg.msgId,
        error: errorMessage(e),
      });
    });
  }
}
