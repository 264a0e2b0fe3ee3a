/**
 * The queues a producer may write for one topic (Java's TopicPublishInfo) and round-robin
 * selection over them.
 */
import type { MessageQueue } from "../../remoting/body/message_queue.ts";
import type { TopicRouteData } from "../../remoting/body/topic_route_data.ts";

export class TopicPublishInfo {
  /** Queues come from the route's orderTopicConf: a queue's position must not shift. */
  readonly orderTopic: boolean;
  /** The name server returned a route (possibly the auto-create stand-in, TBW102's). */
  haveTopicRouterInfo: boolean;
  readonly messageQueueList: readonly MessageQueue[];
  readonly route: TopicRouteData | undefined;
  /** Starts at a random queue so many producers do not all begin on queue 0. */
  #sendWhichQueue = Math.floor(Math.random() * 0x7fffffff);

  constructor(
    messageQueueList: readonly MessageQueue[] = [],
    options: { orderTopic?: boolean; route?: TopicRouteData; haveTopicRouterInfo?: boolean } = {},
  ) {
    this.messageQueueList = messageQueueList;
    this.orderTopic = options.orderTopic ?? false;
    this.route = options.route;
    this.haveTopicRouterInfo = options.haveTopicRouterInfo ?? false;
  }

  /** There is at least one writable queue. */
  get ok(): boolean {
    return this.messageQueueList.length > 0;
  }

  /** The next position of the round robin (never negative). */
  nextIndex(): number {
    const i = this.#sendWhichQueue;
    this.#sendWhichQueue = (i + 1) & 0x7fffffff;
    return i;
  }

  /**
   * The next queue in turn, skipping queues of `lastBrokerName` (the broker that just failed)
   * while any other broker has a queue. Undefined only when there are no queues.
   */
  selectOneMessageQueue(lastBrokerName?: string): MessageQueue | undefined {
    const list = this.messageQueueList;
    const n = list.length;
    if (n === 0) return undefined;
    if (lastBrokerName !== undefined) {
      for (let i = 0; i < n; i++) {
        const mq = list[this.nextIndex() % n];
        if (mq.brokerName !== lastBrokerName) return mq;
      }
    }
    return list[this.nextIndex() % n];
  }

  /** How many queues of `brokerName` the list holds (getQueueIdByBroker). */
  writeQueueNumsOf(brokerName: string): number {
    if (this.route) {
      for (const qd of this.route.queueDatas) {
        if (qd.brokerName === brokerName) return qd.writeQueueNums;
      }
      return 0;
    }
    let n = 0;
    for (const mq of this.messageQueueList) if (mq.brokerName === brokerName) n++;
    return n;
  }
}
