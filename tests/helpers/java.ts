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
 * neighbours, the HA and VIP ports, are free too) and resolves once it printed "boot success".
 * A port taken between picking it and the JVM binding it (other tests run alongside) costs
 * another try with another port.
 */
export async function startJavaBroker(
  dir: string,
  conf: Record<string, string | number>,
  timeoutMs = 90_000,
): Promise<JavaBroker> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startJavaBrokerOnce(dir, conf, timeoutMs);
    } catch (e) {
      if (attempt >= 3 || conf.listenPort !== undefined) throw e;
    }
  }
}

async function startJavaBrokerOnce(
  dir: string,
  conf: Record<string, string | number>,
  timeoutMs: number,
): Promise<JavaBroker> {
  if (!ROCKETMQ_DIR) throw new Error(JAVA_MISSING);
  await Deno.mkdir(dir, { recursive: true });
  const port = Number(conf.listenPort ?? freePortPair([1, -2]));
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
  const { child, stop } = await bootJava(
    ["broker", path, dir],
    "-Xms256m -Xmx256m -Xmn128m",
    "broker",
    timeoutMs,
  );
  return {
    addr: `127.0.0.1:${port}`,
    port,
    storeDir,
    child,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Runs `rocketmq.sh ARGS…` and resolves once it printed "boot success"; its output is drained
 * after that so it never blocks on a full pipe. `stop` sends SIGTERM (SIGKILL after 20 s).
 */
async function bootJava(
  args: string[],
  heap: string,
  what: string,
  timeoutMs: number,
): Promise<{ child: Deno.ChildProcess; stop: () => Promise<void> }> {
  const child = new Deno.Command("bash", {
    args: [`${ROCKETMQ_DIR}/rocketmq.sh`, ...args],
    env: { JAVA_HEAP: heap },
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
      if (done) throw new Error(`the Java ${what} exited before booting:\n${text}`);
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
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
  return { child, stop };
}

export interface JavaNamesrv extends AsyncDisposable {
  /** 127.0.0.1:port */
  readonly addr: string;
  stop(): Promise<void>;
}

/** Starts a Java 4.8.0 name server on a free port; resolves once it booted. */
export async function startJavaNamesrv(dir: string, timeoutMs = 60_000): Promise<JavaNamesrv> {
  if (!ROCKETMQ_DIR) throw new Error(JAVA_MISSING);
  const port = freePortPair([]);
  const { stop } = await bootJava(
    ["namesrv", String(port), dir],
    "-Xms128m -Xmx128m",
    "name server",
    timeoutMs,
  );
  return { addr: `127.0.0.1:${port}`, stop, [Symbol.asyncDispose]: stop };
}

const JAVA_SOURCES = new URL("../interop/java/", import.meta.url).pathname;
let compiled: Promise<string> | undefined;

/** Compiles tests/interop/java/*.java against the release once per process; the class dir. */
export function compiledScenarios(): Promise<string> {
  compiled ??= (async () => {
    if (!ROCKETMQ_DIR) throw new Error(JAVA_MISSING);
    const out = await Deno.makeTempDir({ prefix: "rmq-java-classes-" });
    const sources = [...Deno.readDirSync(JAVA_SOURCES)]
      .filter((e) => e.name.endsWith(".java"))
      .map((e) => `${JAVA_SOURCES}${e.name}`);
    const cp = new TextDecoder().decode(
      (await new Deno.Command("bash", { args: [`${ROCKETMQ_DIR}/rocketmq.sh`, "classpath"] })
        .output()).stdout,
    ).trim();
    const r = await new Deno.Command("javac", {
      args: ["-nowarn", "-cp", cp, "-d", out, ...sources],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!r.success) throw new Error(`javac failed:\n${new TextDecoder().decode(r.stderr)}`);
    return out;
  })();
  return compiled;
}

/** A running Java scenario: its stdout as lines, its stdin for commands. */
export interface JavaProcess extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  /** The next stdout line (rejects after `timeoutMs`, naming what was awaited). */
  line(timeoutMs?: number): Promise<string>;
  /** Reads lines until one matches; returns it. */
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Writes a line to its stdin. */
  send(line: string): Promise<void>;
  /** Closes stdin and waits for the exit code. */
  finish(timeoutMs?: number): Promise<number>;
}

/**
 * Runs `className` from the compiled scenarios with the release on the classpath; `javaOpts`
 * adds JVM flags (system properties such as -Drocketmq.home.dir).
 */
export async function runJava(
  className: string,
  args: string[],
  javaOpts = "",
): Promise<JavaProcess> {
  const classes = await compiledScenarios();
  const home = await Deno.makeTempDir({ prefix: "rmq-java-home-" });
  const child = new Deno.Command("bash", {
    args: [`${ROCKETMQ_DIR}/rocketmq.sh`, "run", className, ...args],
    env: {
      EXTRA_CP: classes,
      JAVA_OPTS: `-Duser.home=${home} -Drocketmq.client.logRoot=${home}/logs ${javaOpts}`,
      JAVA_HEAP: "-Xms64m -Xmx256m",
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let closed = false;
  let stderr = "";
  void (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
      for (const w of waiters.splice(0)) w();
    }
    closed = true;
    for (const w of waiters.splice(0)) w();
  })();
  void (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderr = (stderr + chunk).slice(-8000);
    }
  })();
  const writer = child.stdin.getWriter();
  const line = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (lines.length === 0) {
      if (closed) throw new Error(`${className} exited; stderr:\n${stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${className} printed nothing for ${timeoutMs} ms; stderr:\n${stderr}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return lines.shift()!;
  };
  let finished: Promise<number> | undefined;
  const finish = (timeoutMs = 30_000) =>
    finished ??= (async () => {
      await writer.close().catch(() => {});
      const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const status = await child.status;
      clearTimeout(kill);
      await Deno.remove(home, { recursive: true }).catch(() => {});
      return status.code;
    })();
  return {
    child,
    line,
    async until(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const l = await line(Math.max(1, deadline - Date.now()));
        if (pattern.test(l)) return l;
      }
    },
    async send(text) {
      await writer.write(new TextEncoder().encode(text + "\n"));
    },
    finish,
    async [Symbol.asyncDispose]() {
      await finish(5000);
    },
  };
}
