/**
 * What the broker does at start when its metadata (`config/*.json`) disagrees with its store —
 * files deleted or lost while the messages survived. Nothing is silent: topics the store has
 * messages for come back into the topic table (with their queue counts) with a warning; a
 * missing consumer-offsets file beside a non-empty store is an ERROR (every group would start
 * over); missing group settings or delay progress are warnings. The files are written again at
 * once, so the next start is quiet.
 */
import { logger } from "../common/log.ts";
import type { MessageStore } from "../store/message_store.ts";
import { SCHEDULE_TOPIC } from "../store/message_store.ts";
import type { BrokerServices } from "./broker_context.ts";
import type { TopicConfigManager } from "./topic_config_manager.ts";

const log = logger("broker");

/** Which metadata files were found at load. */
export interface LoadedMetadata {
  topics: boolean;
  consumerOffsets: boolean;
  subscriptionGroups: boolean;
  delayOffsets: boolean;
}

export async function checkMetadata(
  store: MessageStore,
  topics: TopicConfigManager,
  services: BrokerServices,
  found: LoadedMetadata,
): Promise<void> {
  const hasMessages = store.maxPhyOffset > store.minPhyOffset;
  const restored = topics.restoreTopics(store.topicQueueNums());
  if (restored.length > 0) {
    log.warn(
      "Topic table {path} lacked {count} topics the store has messages for; restored them " +
        "read-write with their queue counts: {topics}",
      { path: topics.path, count: restored.length, topics: restored.join(", ") },
    );
  }
  if (!found.consumerOffsets) {
    if (hasMessages) {
      log.error(
        "Consumer offsets file {path} is missing while the store holds messages: every " +
          "consumer group starts over from its consumeFromWhere position (restore the file " +
          "from a backup to avoid that)",
        { path: services.consumerOffsets.path },
      );
    }
    await services.consumerOffsets.persist();
  }
  if (!found.subscriptionGroups) {
    if (hasMessages) {
      log.warn(
        "Subscription group file {path} is missing while the store holds messages: group " +
          "settings are back to their defaults",
        { path: services.subscriptionGroups.path },
      );
    }
    await services.subscriptionGroups.persist();
  }
  if (!found.delayOffsets) {
    if (store.topics().includes(SCHEDULE_TOPIC)) {
      log.warn(
        "Delay offset file {path} is missing while delayed messages are stored: due messages " +
          "may be delivered again",
        { path: services.schedule.path },
      );
    }
    await services.schedule.persist();
  }
  if (!found.topics) await topics.persist();
}
