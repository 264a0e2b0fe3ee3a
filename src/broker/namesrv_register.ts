/**
 * Registration with the name servers (BrokerOuterAPI, REMOTING.md §3.9): REGISTER_BROKER with
 * the whole topic table to every name server at start and every registerNameServerPeriod;
 * soon after a topic is created or changed, with just the topics that changed and the new
 * data version (Java's registerIncrementBrokerData: the name server merges them), so a topic
 * costs the same whether the broker has ten or ten thousand; UNREGISTER_BROKER on shutdown.
 * Changes that arrive while a round is in flight share the next one. A name server that is
 * down only costs a log line; the broker keeps serving.
 */
import { maskedCrc32 } from "../common/crc32.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { backgroundInterval, type Timer } from "../common/timer.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { createRequest, type RemotingCommand } from "../remoting/command.ts";
import { decodeHeader, encodeHeader } from "../remoting/header_codec.ts";
import {
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  UnregisterBrokerRequestHeader,
} from "../remoting/headers.ts";
import { encodeRegisterBrokerBody } from "../remoting/body/register_broker_body.ts";
import type { TopicConfig, TopicConfigSerializeWrapper } from "../remoting/body/topic_config.ts";
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
  /**
   * The topic table to register (called for every round): only `changed` topics when given,
   * with the table's current data version.
   */
  topicConfig: (changed?: readonly TopicConfig[]) => TopicConfigSerializeWrapper;
  compressed: boolean;
  timeoutMs: number;
  periodMs: number;
  /**
   * What the first name server that accepted a round answered: for a slave, its master's
   * broker address and HA address (undefined while the group has no master).
   */
  onRegistered?: (result: { masterAddr?: string; haServerAddr?: string }) => void;
}

export class NamesrvRegistrar {
  readonly #o: NamesrvRegistrarOptions;
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  /** What the next round carries (everything, or these topics), and who waits for it. */
  #nextFull = false;
  readonly #nextTopics = new Map<string, TopicConfig>();
  #nextDone: PromiseWithResolvers<void> | undefined;
  #stopped = false;
  #rounds = 0;
  #lastAcceptedAt = 0;

  constructor(options: NamesrvRegistrarOptions) {
    this.#o = options;
  }

  get namesrvAddrs(): readonly string[] {
    return this.#o.namesrvAddrs;
  }

  /** When a name server last accepted a registration (ms; 0: never). */
  get lastAcceptedAt(): number {
    return this.#lastAcceptedAt;
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
   * table may predate the caller's change): the whole table, or only `changed` topics. Resolves
   * when a round carrying them is done; never rejects.
   */
  registerSoon(changed?: readonly TopicConfig[]): Promise<void> {
    if (this.#stopped || this.#o.namesrvAddrs.length === 0) return Promise.resolve();
    if (changed) { for (const tc of changed) this.#nextTopics.set(tc.topicName, tc); }
    else this.#nextFull = true;
    this.#nextDone ??= Promise.withResolvers<void>();
    const done = this.#nextDone.promise;
    this.#running ??= this.#roundLoop();
    return done;
  }

  async #roundLoop(): Promise<void> {
    while (this.#nextDone && !this.#stopped) {
      const full = this.#nextFull;
      const topics = [...this.#nextTopics.values()];
      const done = this.#nextDone;
      this.#nextFull = false;
      this.#nextTopics.clear();
      this.#nextDone = undefined;
      await this.registerAll(full ? undefined : topics);
      done.resolve();
    }
    this.#nextDone?.resolve();
    this.#nextDone = undefined;
    this.#running = undefined;
  }

  /**
   * One round: REGISTER_BROKER to every name server in parallel, with the whole topic table or
   * only `changed` topics. Resolves to who answered 0.
   */
  async registerAll(changed?: readonly TopicConfig[]): Promise<boolean[]> {
    const { identity: id, compressed } = this.#o;
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: this.#o.topicConfig(changed),
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
    const first = results.find((r) => r !== undefined);
    if (first) this.#lastAcceptedAt = Date.now();
    if (first && this.#o.onRegistered) {
      const h = decodeHeader(RegisterBrokerResponseHeader, first.extFields);
      this.#o.onRegistered({
        masterAddr: h.masterAddr || undefined,
        haServerAddr: h.haServerAddr || undefined,
      });
    }
    return results.map((r) => r !== undefined);
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
   * Sends a request (a fresh one per call) to every name server in parallel; the answer of each
   * that answered 0. A refusal or a failure costs a log line (`refused <noun>`, `Cannot <verb>
   * name server`): the broker keeps serving.
   */
  #toEveryNamesrv(
    request: () => RemotingCommand,
    noun: string,
    verb: string,
  ): Promise<(RemotingCommand | undefined)[]> {
    return Promise.all(this.#o.namesrvAddrs.map(async (addr) => {
      try {
        const res = await this.#o.client.invokeSync(addr, request(), this.#o.timeoutMs);
        if (res.code === ResponseCode.SUCCESS) return res;
        log.warn(`Name server {addr} refused ${noun}: {code} {remark}`, {
          addr,
          code: responseCodeName(res.code),
          remark: res.remark ?? "",
        });
      } catch (e) {
        log.warn(`Cannot ${verb} name server {addr}: {error}`, { addr, error: errorMessage(e) });
      }
      return undefined;
    }));
  }
}
