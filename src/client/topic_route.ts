/**
 * What a client derives from a topic's route (REMOTING.md §3.9): the queues a producer writes,
 * the queues a consumer reads, and whether a freshly fetched route differs from the last one.
 */
import { isReadable, isWriteable } from "../remoting/body/topic_config.ts";
import type { MessageQueue } from "../remoting/body/message_queue.ts";
import {
  encodeTopicRouteData,
  MASTER_ID,
  type TopicRouteData,
} from "../remoting/body/topic_route_data.ts";
import { TopicPublishInfo } from "./producer/topic_publish_info.ts";

const byBrokerName = (a: { brokerName: string }, b: { brokerName: string }) =>
  a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0;

/**
 * The producer's queues: from `orderTopicConf` (`broker-a:4;broker-b:4`) when the route has
 * one, else queues 0..writeQueueNums-1 of each writable broker that has a master, brokers in
 * name order.
 */
export function topicRouteToPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const list: MessageQueue[] = [];
  if (route.orderTopicConf) {
    for (const item of route.orderTopicConf.split(";")) {
      const [brokerName, nums] = item.split(":");
      const n = Number(nums);
      if (!brokerName || !Number.isInteger(n)) continue;
      for (let queueId = 0; queueId < n; queueId++) list.push({ topic, brokerName, queueId });
    }
    return new TopicPublishInfo(list, { orderTopic: true, route, haveTopicRouterInfo: true });
  }
  for (const qd of [...route.queueDatas].sort(byBrokerName)) {
    if (!isWriteable(qd.perm)) continue;
    const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (!bd || !bd.brokerAddrs.has(MASTER_ID)) continue;
    for (let queueId = 0; queueId < qd.writeQueueNums; queueId++) {
      list.push({ topic, brokerName: qd.brokerName, queueId });
    }
  }
  return new TopicPublishInfo(list, { orderTopic: false, route, haveTopicRouterInfo: true });
}

/** The consumer's queues: 0..readQueueNums-1 of each readable broker. */
export function topicRouteToSubscribeInfo(topic: string, route: TopicRouteData): MessageQueue[] {
  const out: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if (!isReadable(qd.perm)) continue;
    for (let queueId = 0; queueId < qd.readQueueNums; queueId++) {
      out.push({ topic, brokerName: qd.brokerName, queueId });
    }
  }
  return out;
}

/**
 * The auto-create stand-in (the route of TBW102): each broker offers min(defaultQueueNums,
 * its readQueueNums) queues for reading and writing.
 */
export function defaultTopicRoute(route: TopicRouteData, defaultQueueNums: number): TopicRouteData {
  return {
    ...route,
    queueDatas: route.queueDatas.map((qd) => {
      const n = Math.min(defaultQueueNums, qd.readQueueNums);
      return { ...qd, readQueueNums: n, writeQueueNums: n };
    }),
  };
}

/** A canonical text of a route: equal routes give equal text whatever the list order. */
export function routeFingerprint(route: TopicRouteData): string {
  const sorted: TopicRouteData = {
    ...route,
    queueDatas: [...route.queueDatas].sort(byBrokerName),
    brokerDatas: [...route.brokerDatas].sort(byBrokerName),
  };
  return new TextDecoder().decode(encodeTopicRouteData(sorted, { standardJson: true }));
}
