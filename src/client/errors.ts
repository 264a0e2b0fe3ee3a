/**
 * Failures a client caller catches. Bad arguments (an invalid topic, an empty body) throw
 * built-ins instead: TypeError or RangeError, before anything goes on the wire.
 */
import { responseCodeName } from "../remoting/response_code.ts";

/**
 * A broker answered a request with an error code (MQBrokerException). `code` is the RocketMQ
 * response code, e.g. 17 TOPIC_NOT_EXIST, 13 MESSAGE_ILLEGAL, 2 SYSTEM_BUSY.
 *
 * @example
 * ```ts
 * try {
 *   await producer.send(msg);
 * } catch (e) {
 *   if (e instanceof MQBrokerError && e.code === 2) await retryLater(msg); // SYSTEM_BUSY
 * }
 * ```
 */
export class MQBrokerError extends Error {
  /** The response code. */
  readonly code: number;
  /** The broker's explanation, as sent (possibly several lines). */
  readonly remark: string | undefined;
  /** The broker that answered, `host:port`. */
  readonly brokerAddr: string;

  /**
   * Wraps an error response.
   *
   * @param code The response code.
   * @param remark The response's remark.
   * @param brokerAddr The broker that answered.
   */
  constructor(code: number, remark: string | undefined, brokerAddr: string) {
    super(
      `Broker ${brokerAddr} answered ${responseCodeName(code)} (${code})${
        remark ? `: ${oneLine(remark)}` : ""
      }`,
    );
    this.name = "MQBrokerError";
    this.code = code;
    this.remark = remark;
    this.brokerAddr = brokerAddr;
  }
}

/**
 * The client could not complete a call (MQClientException): no route for the topic, no name
 * server reachable, a send that failed on every attempt. `cause` holds the last underlying
 * error; `responseCode` the last broker code, when a broker answered.
 *
 * @example
 * ```ts
 * try {
 *   await producer.send(msg);
 * } catch (e) {
 *   if (e instanceof MQClientError) console.error(e.message, e.cause);
 * }
 * ```
 */
export class MQClientError extends Error {
  /** The last broker response code behind the failure, if a broker answered. */
  readonly responseCode: number | undefined;

  /**
   * Makes the error.
   *
   * @param message One line: what failed and why.
   * @param options `cause` (the last underlying error) and `responseCode`.
   */
  constructor(message: string, options?: ErrorOptions & { responseCode?: number }) {
    super(message, options);
    this.name = "MQClientError";
    this.responseCode = options?.responseCode;
  }
}

/** The first line of a remark: Java remarks often end in a multi-line FAQ hint. */
export function oneLine(text: string): string {
  const i = text.indexOf("\n");
  return (i < 0 ? text : text.slice(0, i)).trim();
}
