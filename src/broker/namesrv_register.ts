/**
 * Registration with the name servers (BrokerOuterAPI, REMOTING.md §3.9): REGISTER_BROKER to
 * every name server at start, every registerNameServerPeriod and soon after any topic change
 * (coalesced, so a burst of changes costs one extra round), UNREGISTER_BROKER on shutdown.
 * A name server that is down only costs a log line; the broker keeps serving.
 */
import { maskedCrc32 } from "../common/crc32.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { backgroundInterval, type Timer } from "../common/timer.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { createRequest, type RemotingCommand } from "../remoting/command.ts";
import { encodeHeader } from "../remoting/header_codec.ts";
import { RegisterBrokerRequestHeader, UnregisterBrokerRequestHeader } from "../remoting/headers.ts";
import { encodeRegisterBrokerBody } from "../remoting/body/register_broker_body.ts";
import type { TopicConfigSerializeWrapper } from "../remoting/body/topic_config.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode, responseCodeName } from "../remoting/response_code.ts";

const log = logger("broker");

/** Who the broker is, as the name server records it. */
export interface BrokerIdentity {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  /** `brokerIP1:listenPort`: what clients dial. */
  brokerAddr: string;
  /** `brokerIP2:haListenPort`. */
  haServerAddr: string;
}

export interface NamesrvRegistrarOptions {
  client: RemotingClient;
  namesrvAddrs: readonly string[];
  identity: BrokerIdentity;
  /** The topic table to register (called for every round). */
  topicConfig: () => TopicConfigSerializeWrapper;
  compressed: boolean;
  timeoutMs: number;
  periodMs: number;
}

export class NamesrvRegistrar {
  readonly #o: NamesrvRegistrarOptions;
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #rounds = 0;

  constructor(options: NamesrvRegistrarOptions) {
    this.#o = options;
  }

  get namesrvAddrs(): readonly string[] {
    return this.#o.namesrvAddrs;
  }

  /** Completed registration rounds (each to every name server). */
  get rounds(): number {
    return this.#rounds;
  }

  /** Registers once with every name server (waiting for the answers), then periodically. */
  async start(): Promise<void> {
    if (this.#o.namesrvAddrs.length === 0) {
      log.warn(
        "No name server configured (namesrvAddr, NAMESRV_ADDR): clients cannot find " +
          "this broker through a name server",
      );
      return;
    }
    await this.registerSoon();
    if (this.#stopped) return;
    this.#timer = backgroundInterval(() => void this.registerSoon(), this.#o.periodMs);
  }

  /**
   * Registers with every name server now, or right after the round in flight (whose topic
   * table may predate the caller's change). Resolves when that round is done; never rejects.
   */
  registerSoon(): Promise<void> {
    if (this.#stopped || this.#o.namesrvAddrs.length === 0) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = async () => {
      do {
        this.#again = false;
        await this.registerAll();
      } while (this.#again && !this.#stopped);
      this.#running = undefined;
    };
    this.#running = run();
    return this.#running;
  }

  /** One round: REGISTER_BROKER to every name server in parallel. Resolves to who answered 0. */
  async registerAll(): Promise<boolean[]> {
    const { identity: id, compressed } = this.#o;
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: this.#o.topicConfig(),
      filterServerList: [],
    }, compressed);
    const header = encodeHeader(RegisterBrokerRequestHeader, {
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      haServerAddr: id.haServerAddr,
      brokerId: id.brokerId,
      compressed,
      bodyCrc32: maskedCrc32(body),
    });
    const results = await this.#toEveryNamesrv(
      () => createRequest(RequestCode.REGISTER_BROKER, { ...header }, { body }),
      "registration",
      "register with",
    );
    this.#rounds++;
    return results;
  }

  /** Stops registering; waits for a round in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** UNREGISTER_BROKER to every name server in parallel (failures are logged). */
  async unregisterAll(): Promise<void> {
    const id = this.#o.identity;
    const header = encodeHeader(UnregisterBrokerRequestHeader, {
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      brokerId: id.brokerId,
    });
    await this.#toEveryNamesrv(
      () => createRequest(RequestCode.UNREGISTER_BROKER, { ...header }),
      "unregistration",
      "unregister from",
    );
  }

  /**
   * Sends a request (a fresh one per call) to every name server in parallel; true for each that
   * answered 0. A refusal or a failure costs a log line (`refused <noun>`, `Cannot <verb> name
   * server`): the broker keeps serving.
   */
  #toEveryNamesrv(
    request: () => RemotingCommand,
    noun: string,
    verb: string,
  ): Promise<boolean[]> {
    return Promise.all(this.#o.namesrvAddrs.map(async (addr) => {
      try {
        const res = await this.#o.client.invokeSync(addr, request(), this.#o.timeoutMs);
        if (res.code === ResponseCode.SUCCESS) return true;
        log.warn(`Name server {addr} refused ${noun}: {code} {remark}`, {
          addr,
          code: responseCodeName(res.code),
          remark: res.remark ?? "",
        });
      } catch (e) {
        log.warn(`Cannot ${verb} name server {addr}: {error}`, { addr, error: errorMessage(e) });
      }
      return false;
    }));
  }
}
