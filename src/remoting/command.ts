import { ROCKETMQ_VERSION } from "../version.ts";

/** How a frame's header is written (its type byte); the body is always raw bytes. */
export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeType = (typeof SerializeType)[keyof typeof SerializeType];

/** `flag` bits. */
export const RemotingFlag = { RESPONSE: 1, ONEWAY: 2 } as const;

/**
 * The language rmq names itself in commands. 4.x Java peers only know the 4.x enum names and
 * branch on a few (CPP gets a different reset-offset body), so rmq says JAVA, as ali-ons does.
 */
export const LOCAL_LANGUAGE = "JAVA";

/** One remoting command: a request or a response. */
export interface RemotingCommand {
  code: number;
  /** LanguageCode name (`JAVA`, `GO`, …). */
  language: string;
  version: number;
  opaque: number;
  flag: number;
  remark?: string;
  /** The custom header. Values are always strings (REMOTING.md §1.2). */
  extFields: Record<string, string>;
  body?: Uint8Array;
  serializeType: SerializeType;
}

let opaqueCounter = 0;

/** A process-wide request id; any int32 is valid and it only needs to be unique per connection. */
export function nextOpaque(): number {
  opaqueCounter = (opaqueCounter + 1) | 0;
  return opaqueCounter;
}

export interface RequestOptions {
  body?: Uint8Array;
  oneway?: boolean;
  serializeType?: SerializeType;
  remark?: string;
}

export function createRequest(
  code: number,
  extFields: Record<string, string> = {},
  options: RequestOptions = {},
): RemotingCommand {
  return {
    code,
    language: LOCAL_LANGUAGE,
    version: ROCKETMQ_VERSION,
    opaque: nextOpaque(),
    flag: options.oneway ? RemotingFlag.ONEWAY : 0,
    remark: options.remark,
    extFields,
    body: options.body,
    serializeType: options.serializeType ?? SerializeType.JSON,
  };
}

/** A response to `request`: same opaque, same serialize type (as a 4.9 server answers). */
export function createResponse(
  request: RemotingCommand,
  code: number,
  remark?: string,
  extFields: Record<string, string> = {},
  body?: Uint8Array,
): RemotingCommand {
  return {
    code,
    language: LOCAL_LANGUAGE,
    version: ROCKETMQ_VERSION,
    opaque: request.opaque,
    flag: RemotingFlag.RESPONSE,
    remark,
    extFields,
    body,
    serializeType: request.serializeType,
  };
}

export function isResponse(cmd: RemotingCommand): boolean {
  return (cmd.flag & RemotingFlag.RESPONSE) !== 0;
}

export function isOneway(cmd: RemotingCommand): boolean {
  return (cmd.flag & RemotingFlag.ONEWAY) !== 0;
}
