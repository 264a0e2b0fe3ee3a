/**
 * The official Apache RocketMQ 4.8.0 release (../shared/rocketmq-4.8.0, or ROCKETMQ_HOME) in
 * tests: whether it and a Java runtime are here, and Java brokers started from a broker.conf.
 * Tests that need it skip with one line where it is absent.
 */
import { freePortPair } from "./ports.ts";

const SHARED = new URL("../../../shared/rocketmq-4.8.0/", import.meta.url).pathname;

/** The release's directory, or undefined. */
export const ROCKETMQ_DIR: string | undefined = (() => {
  for (const dir of [Deno.env.get("ROCKETMQ_HOME"), SHARED]) {
    if (!dir) continue;
    try {
      Deno.statSync(`${dir}/rocketmq.sh`);
      Deno.statSync(`${dir}/lib`);
      return dir;
    } catch {
      // Not here.
    }
  }
  return undefined;
})();

function hasJava(): boolean {
  try {
    return new Deno.Command("java", { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Why Java tests cannot run here, or undefined when they can. */
export const JAVA_MISSING: string | undefined = !ROCKETMQ_DIR
  ? "the RocketMQ 4.8.0 release is not at ../shared/rocketmq-4.8.0 (or ROCKETMQ_HOME)"
  : !hasJava()
  ? "no java on PATH"
  : undefined;

export interface JavaBroker extends AsyncDisposable {
  /** 127.0.0.1:listenPort */
  readonly addr: string;
  readonly port: number;
  /** Its store root; the commit log is under commitlog/. */
  readonly storeDir: string;
  readonly child: Deno.ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a Java broker on 127.0.0.1 with `conf` over loopback defaults (any free port whose
 * neighbour, the HA port, is free too) and resolves once it printed "boot success".
 */
export async function startJavaBroker(
  dir: string,
  conf: Record<string, string | number>,
  timeoutMs = 90_000,
): Promise<JavaBroker> {
  if (!ROCKETMQ_DIR) throw new Error(JAVA_MISSING);
  await Deno.mkdir(dir, { recursive: true });
  const port = Number(conf.listenPort ?? freePortPair());
  const storeDir = `${dir}/store`;
  const all: Record<string, string | number> = {
    brokerIP1: "127.0.0.1",
    listenPort: port,
    storePathRootDir: storeDir,
    storePathCommitLog: `${storeDir}/commitlog`,
    ...conf,
  };
  const path = `${dir}/broker.conf`;
  await Deno.writeTextFile(path, Object.entries(all).map(([k, v]) => `${k}=${v}`).join("\n"));
  const child = new Deno.Command("bash", {
    args: [`${ROCKETMQ_DIR}/rocketmq.sh`, "broker", path, dir],
    env: { JAVA_HEAP: "-Xms256m -Xmx256m -Xmn128m" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  void child.stderr.cancel();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    while (!text.includes("boot success")) {
      const { value, done } = await out.read();
      if (done) throw new Error(`the Java broker exited before booting:\n${text}`);
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep draining its output so it never blocks on a full pipe.
  void (async () => {
    while (!(await out.read()).done) { /* discard */ }
  })().catch(() => {});
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await child.status;
      clearTimeout(kill);
    })();
  return {
    addr: `127.0.0.1:${port}`,
    port,
    storeDir,
    child,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
