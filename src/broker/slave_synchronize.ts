/**
 * A slave's copy of its master's metadata (RocketMQ's SlaveSynchronize): every 10 s (the first
 * time 3 s after start) the topic table, consumer offsets, delay offsets and subscription
 * groups, with the same admin requests mqadmin uses (GET_ALL_TOPIC_CONFIG 21,
 * GET_ALL_CONSUMER_OFFSET 43, GET_ALL_DELAY_OFFSET 45, GET_ALL_SUBSCRIPTIONGROUP_CONFIG 201), so
 * consumers that turn to the slave while the master is away find their offsets there. A topic
 * the slave sees in replicated messages but does not know yet brings the next round forward
 * (Java waits for the timer: a topic created less than 10 s before its master died was not
 * readable from the slave).
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import {
  decodeConsumerOffsetTable,
  decodeDelayOffsetTable,
} from "../remoting/body/consumer_offset.ts";
import { decodeJsonBody } from "../remoting/body/json_body.ts";
import { decodeSubscriptionGroupWrapper } from "../remoting/body/subscription_group_config.ts";
import { topicConfigWrapperFromJson } from "../remoting/body/topic_config.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { createRequest } from "../remoting/command.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode, responseCodeName } from "../remoting/response_code.ts";
import type { BrokerServices } from "./broker_context.ts";
import type { TopicConfigManager } from "./topic_config_manager.ts";

const log = logger("broker");

export const SLAVE_SYNC_FIRST_DELAY_MS = 3000;
export const SLAVE_SYNC_INTERVAL_MS = 10_000;
const SLAVE_SYNC_SOON_GAP_MS = 1000;

export interface SlaveSyncTargets {
  topics: TopicConfigManager;
  services: Pick<BrokerServices, "consumerOffsets" | "schedule" | "subscriptionGroups">;
}

export class SlaveSynchronize {
  readonly #client: RemotingClient;
  readonly #t: SlaveSyncTargets;
  readonly #timeoutMs: number;
  /** The master's broker address, from the name server's answer to registration. */
  masterAddr: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #lastProblem = "";
  #stopped = false;
  #again = false;
  #soon = false;
  #lastStart = 0;

  constructor(client: RemotingClient, targets: SlaveSyncTargets, timeoutMs: number) {
    this.#client = client;
    this.#t = targets;
    this.#timeoutMs = timeoutMs;
  }

  start(): void {
    this.#timer = setTimeout(() => this.#tick(), SLAVE_SYNC_FIRST_DELAY_MS);
  }

  #tick(): void {
    clearTimeout(this.#timer);
    this.#soon = false;
    this.#lastStart = Date.now();
    this.#running = this.syncAll().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.#tick(), SLAVE_SYNC_INTERVAL_MS);
      if (this.#again) {
        this.#again = false;
        this.syncSoon(); // Brings that round forward.
      }
    });
  }

  /**
   * Runs a round now, or right after the one in flight, rather than at the next tick; at most
   * one a second (a topic the master lacks too must not make the slave poll it flat out).
   */
  syncSoon(): void {
    if (this.#stopped || !this.masterAddr || this.#soon) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    const wait = this.#lastStart + SLAVE_SYNC_SOON_GAP_MS - Date.now();
    if (wait <= 0) return this.#tick();
    this.#soon = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), wait);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One round of all four; a failure is logged once while it repeats. */
  async syncAll(): Promise<void> {
    const addr = this.masterAddr;
    if (!addr) return;
    try {
      const topics = await this.#get(addr, RequestCode.GET_ALL_TOPIC_CONFIG);
      if (
        this.#t.topics.replaceAll(topicConfigWrapperFromJson(decodeJsonBody(topics, "topic table")))
      ) {
        log.info("Took the topic table from master {addr}", { addr });
      }
      const offsets = await this.#get(addr, RequestCode.GET_ALL_CONSUMER_OFFSET);
      this.#t.services.consumerOffsets.putAll(decodeConsumerOffsetTable(offsets));
      const delays = await this.#get(addr, RequestCode.GET_ALL_DELAY_OFFSET);
      this.#t.services.schedule.replaceOffsets(decodeDelayOffsetTable(delays));
      const groups = await this.#get(addr, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
      if (this.#t.services.subscriptionGroups.replaceAll(decodeSubscriptionGroupWrapper(groups))) {
        log.info("Took the subscription groups from master {addr}", { addr });
      }
      this.#lastProblem = "";
    } catch (e) {
      const problem = `Cannot copy metadata from master ${addr}: ${errorMessage(e)}`;
      if (problem !== this.#lastProblem) log.warn("{problem}", { problem });
      this.#lastProblem = problem;
    }
  }

  async #get(addr: string, code: number): Promise<Uint8Array> {
    const res = await this.#client.invokeSync(addr, createRequest(code), this.#timeoutMs);
    if (res.code !== ResponseCode.SUCCESS || !res.body) {
      throw new Error(`${responseCodeName(res.code)} ${res.remark ?? ""}`.trim());
    }
    return res.body;
  }
}
