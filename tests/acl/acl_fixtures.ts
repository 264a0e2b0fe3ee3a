/** RocketMQ 4.8.0's distribution/conf/plain_acl.yml, as operators start from it. */
export const DISTRIBUTION_ACL = `globalWhiteRemoteAddresses:
- 10.10.103.*
- 192.168.0.*

accounts:
- accessKey: RocketMQ
  secretKey: 12345678
  whiteRemoteAddress:
  admin: false
  defaultTopicPerm: DENY
  defaultGroupPerm: SUB
  topicPerms:
  - topicA=DENY
  - topicB=PUB|SUB
  - topicC=SUB
  groupPerms:
  # the group should convert to retry topic
  - groupA=DENY
  - groupB=PUB|SUB
  - groupC=SUB

- accessKey: rocketmq2
  secretKey: 12345678
  whiteRemoteAddress: 192.168.1.*
  # if it is admin, it could access all resources
  admin: true
`;

/** Accounts the cluster tests run with: the brokers' admin and an application account. */
export const CLUSTER_ACL = `
accounts:
- accessKey: brokerAdmin
  secretKey: broker-secret
  admin: true
- accessKey: appUser1
  secretKey: app-secret-1
  defaultTopicPerm: DENY
  defaultGroupPerm: DENY
  topicPerms: [AclOrders=PUB|SUB, AclAudit=SUB]
  groupPerms: [AclGroup=SUB]
`;
