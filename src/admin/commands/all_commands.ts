/** Every `rmq admin` command, in the order `rmq admin --help` lists them. */
import type { AdminCommand } from "./admin_command.ts";
import {
  clusterAclConfigVersion,
  deleteAccessConfig,
  getAccessConfigSubCommand,
  updateAclConfig,
  updateGlobalWhiteAddr,
} from "./acl_commands.ts";
import { printMsg, printMsgByQueue, queryMsgByOffset } from "./queue_commands.ts";
import {
  brokerStatus,
  clusterList,
  getBrokerConfig,
  updateBrokerConfig,
} from "./cluster_commands.ts";
import { consumerProgress } from "./consumer_commands.ts";
import {
  cloneGroupOffset,
  consumerConnection,
  consumerStatus,
  deleteSubGroup,
  producerConnection,
  resetOffsetByTime,
  skipAccumulatedMessage,
  updateSubGroup,
} from "./group_commands.ts";
import {
  queryMsgById,
  queryMsgByKey,
  queryMsgByUniqueKey,
  resendMessage,
  sendMessage,
} from "./message_commands.ts";
import { addWritePerm, deleteKvConfig, updateKvConfig, wipeWritePerm } from "./namesrv_commands.ts";
import {
  deleteTopic,
  topicList,
  topicRoute,
  topicStatus,
  updateTopic,
  updateTopicPerm,
} from "./topic_commands.ts";

export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  clusterList,
  brokerStatus,
  getBrokerConfig,
  updateBrokerConfig,
  topicList,
  topicRoute,
  topicStatus,
  updateTopic,
  updateTopicPerm,
  deleteTopic,
  updateSubGroup,
  deleteSubGroup,
  consumerProgress,
  consumerConnection,
  consumerStatus,
  producerConnection,
  resetOffsetByTime,
  skipAccumulatedMessage,
  cloneGroupOffset,
  queryMsgById,
  queryMsgByKey,
  queryMsgByUniqueKey,
  queryMsgByOffset,
  printMsgByQueue,
  printMsg,
  sendMessage,
  resendMessage,
  updateKvConfig,
  deleteKvConfig,
  wipeWritePerm,
  addWritePerm,
  updateAclConfig,
  deleteAccessConfig,
  updateGlobalWhiteAddr,
  clusterAclConfigVersion,
  getAccessConfigSubCommand,
];
