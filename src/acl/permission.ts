/**
 * ACL 1.0 permissions (RocketMQ's Permission): bits an account holds on a topic or group, and
 * the rule that checks a needed permission against them.
 */

export const Perm = { DENY: 1, ANY: 2, PUB: 4, SUB: 8 } as const;

/** A consumer group's resource name: its retry topic, as RocketMQ keys group permissions. */
export const RETRY_GROUP_TOPIC_PREFIX = "%RETRY%";

export function retryTopicOf(group: string): string {
  return RETRY_GROUP_TOPIC_PREFIX + group;
}

export function isGroupResource(resource: string): boolean {
  return resource.startsWith(RETRY_GROUP_TOPIC_PREFIX);
}

/** `topic:NAME` or `group:NAME`, as RocketMQ's refusals name a resource. */
export function resourceText(resource: string): string {
  return isGroupResource(resource)
    ? `group:${resource.slice(RETRY_GROUP_TOPIC_PREFIX.length)}`
    : `topic:${resource}`;
}

/** PUB, SUB, PUB|SUB, SUB|PUB or DENY; anything else (or nothing) is DENY, as in RocketMQ. */
export function parsePerm(text: string | undefined): number {
  switch (text?.trim()) {
    case "PUB":
      return Perm.PUB;
    case "SUB":
      return Perm.SUB;
    case "PUB|SUB":
    case "SUB|PUB":
      return Perm.PUB | Perm.SUB;
    default:
      return Perm.DENY;
  }
}

/** The text of a permission for the ACL file. */
export function permText(perm: number): string {
  if (perm & Perm.DENY) return "DENY";
  if ((perm & Perm.PUB) && (perm & Perm.SUB)) return "PUB|SUB";
  if (perm & Perm.PUB) return "PUB";
  if (perm & Perm.SUB) return "SUB";
  return "DENY";
}

export function isValidPermText(text: string): boolean {
  return ["PUB", "SUB", "PUB|SUB", "SUB|PUB", "DENY"].includes(text.trim());
}

/** Whether `owned` grants `needed`: DENY wins, ANY wants PUB or SUB, else any shared bit. */
export function permits(needed: number, owned: number): boolean {
  if (owned & Perm.DENY) return false;
  if (needed & Perm.ANY) return (owned & (Perm.PUB | Perm.SUB)) !== 0;
  return (needed & owned) !== 0;
}
