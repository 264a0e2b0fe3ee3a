/**
 * Before a client command starts its producers or consumers: one question to the name servers,
 * so that a wrong or unreachable address is one line at once. (The clients themselves keep
 * retrying quietly every 30 s, as Java's do, which is right for a service but leaves a person at
 * a terminal waiting.)
 */
import { parseAddrList } from "../common/address.ts";
import { errorMessage } from "../common/errors.ts";
import { RemotingClient } from "../remoting/client.ts";
import { createRequest } from "../remoting/command.ts";
import { RequestCode } from "../remoting/request_code.ts";
import type { ClientSecurity } from "./args.ts";

export const NAMESRV_CHECK_TIMEOUT_MS = 3000;

/** Resolves once any name server answers (whatever it answers); throws one line naming each. */
export async function checkNamesrvReachable(
  namesrvAddr: string,
  topic: string,
  security: ClientSecurity = {},
  timeoutMs = NAMESRV_CHECK_TIMEOUT_MS,
): Promise<void> {
  const failures: string[] = [];
  await using client = new RemotingClient({
    connectTimeoutMs: timeoutMs,
    tls: security.tls ? { caCerts: security.tlsCaCerts } : undefined,
  });
  for (const addr of parseAddrList(namesrvAddr)) {
    try {
      await client.invokeSync(
        addr,
        createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
        timeoutMs,
      );
      return;
    } catch (e) {
      failures.push(`${addr}: ${errorMessage(e)}`);
    }
  }
  throw new Error(`cannot reach the name server (${failures.join("; ")})`);
}
