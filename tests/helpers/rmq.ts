/**
 * The `rmq` program as a real process in tests (`deno run -A main.ts …`): a command to spawn,
 * its one-line start-up output, and a run to the end with its output as text.
 *
 * @example
 * ```ts
 * const child = rmq(["namesrv", "-p", "0", "--host", "127.0.0.1"]).spawn();
 * const line = await firstLine(child.stdout); // "namesrv listening on 127.0.0.1:40123"
 * ```
 */
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const dec = new TextDecoder();

export interface RmqOptions {
  env?: Record<string, string>;
  /** "piped" to write to the process; "null" by default. */
  stdin?: "null" | "piped";
}

/** `deno run -A main.ts …args`, stdout and stderr piped. */
export function rmq(args: readonly string[], options: RmqOptions = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: options.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  });
}

/** How a run ended and what it printed. */
export interface RmqRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `rmq …args` to its end, feeding it `stdin` when given. */
export async function runRmq(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<RmqRun> {
  const { env, stdin } = options;
  const child = rmq(args, { env, stdin: stdin === undefined ? "null" : "piped" }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The first line of a stream (a start-up line); the stream is cancelled after it. */
export async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    await reader.cancel();
  }
  return text.split("\n")[0];
}

/** A started `rmq` server process and the start-up line it printed. */
export interface RmqProcess {
  child: Deno.ChildProcess;
  line: string;
}

/**
 * Starts `rmq …args` (stderr discarded, so a long benchmark never blocks on its logs) and
 * resolves once stdout matches `pattern`, e.g. `/listening on \S+/`. `denoFlags` go before
 * main.ts (e.g. `--deny-ffi`).
 */
export async function startRmq(
  args: readonly string[],
  pattern: RegExp,
  denoFlags: readonly string[] = [],
): Promise<RmqProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...denoFlags, MAIN, ...args],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`rmq ${args.join(" ")} exited before ${pattern}`);
    text += value;
  }
  reader.releaseLock();
  return { child, line: text.match(pattern)![0] };
}
