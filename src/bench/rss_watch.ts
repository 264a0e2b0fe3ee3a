/**
 * Samples another process's resident memory from /proc (Linux), so a benchmark can report the
 * broker's memory next to its throughput: current RSS and the kernel's own peak (VmHWM).
 */
export interface RssSample {
  rssMiB: number;
  peakMiB: number;
}

export function readRss(pid: number): RssSample {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch (e) {
    throw new Error(`Cannot read memory of process ${pid}: ${(e as Error).message}`, { cause: e });
  }
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { rssMiB: kib("VmRSS") / 1024, peakMiB: kib("VmHWM") / 1024 };
}
