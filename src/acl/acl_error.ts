/**
 * An ACL refusal or a bad ACL setting. RocketMQ answers these with code 1 and the remark
 * `org.apache.rocketmq.acl.common.AclException: <message>`; `remark` gives that text.
 */
export class AclError extends Error {
  override name = "AclError";

  get remark(): string {
    return `org.apache.rocketmq.acl.common.AclException: ${this.message}`;
  }
}
