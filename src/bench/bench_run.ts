import type { Timer } from "../common/timer.ts";
import { Recorder } from "./recorder.ts";
import {
  type BenchMode,
  formatInterval,
  formatProgress,
  formatSummary,
  type Summary,
  summaryJson,
} from "./report.ts";
import { readRss, type RssSample } from "./rss_watch.ts";

export interface RunOptions {
  mode: BenchMode;
  topic: string;
  /** Stop after this many messages … */
  count?: number;
  /** … or after this long (ms). */
  durationMs?: number;
  /** Report every this many ms. */
  intervalMs: number;
  json: boolean;
  /** Sample this process's RSS (the broker) every interval. */
  watchPid?: number;
  settings: Summary["settings"];
  /** Where report lines go (stdout by default). */
  print?: (line: string) => void;
  /** Where the live line goes when it is a terminal (stderr by default). */
  progress?: { isTerminal(): boolean; writeSync(p: Uint8Array): number };
}

const encoder = new TextEncoder();

/**
 * One benchmark run: the stop rule (count or duration), the interval reports, the live line,
 * the broker RSS samples and the summary. Workers claim messages with claim() and record
 * outcomes on `recorder`.
 */
export class BenchRun {
  readonly recorder = new Recorder();
  readonly #opts: RunOptions;
  readonly #print: (line: string) => void;
  #claimed = 0;
  #stopped = false;
  #timers: Timer[] = [];
  #lastProgress = { at: performance.now(), ok: 0 };
  #maxRss = 0;
  #stopListeners: (() => void)[] = [];

  constructor(opts: RunOptions) {
    this.#opts = opts;
    this.#print = opts.print ?? ((l) => console.log(l));
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** How many of `want` messages the caller may still produce (0 = stop). */
  claim(want = 1): number {
    if (this.#stopped) return 0;
    if (this.#opts.count === undefined) return want;
    const n = Math.min(want, this.#opts.count - this.#claimed);
    this.#claimed += Math.max(0, n);
    return Math.max(0, n);
  }

  /** Whether the count (if any) has been delivered: for consumers, which cannot claim. */
  reached(delivered: number): boolean {
    return this.#opts.count !== undefined && delivered >= this.#opts.count;
  }

  onStop(listener: () => void): void {
    this.#stopListeners.push(listener);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const l of this.#stopListeners.splice(0)) l();
  }

  begin(): void {
    const o = this.#opts;
    if (o.durationMs !== undefined) {
      this.#timers.push(setTimeout(() => this.stop(), o.durationMs));
    }
    this.#timers.push(setInterval(() => this.#report(), o.intervalMs));
    const out = o.progress ?? Deno.stderr;
    if (!o.json && out.isTerminal()) {
      this.#timers.push(setInterval(() => this.#showProgress(out), 1000));
    }
    if (o.watchPid !== undefined) this.#sampleRss();
  }

  #sampleRss(): RssSample | undefined {
    if (this.#opts.watchPid === undefined) return undefined;
    const s = readRss(this.#opts.watchPid);
    this.#maxRss = Math.max(this.#maxRss, s.rssMiB);
    return s;
  }

  #report(): void {
    const i = this.recorder.takeInterval();
    const rss = this.#sampleRss();
    if (!this.#opts.json) this.#print(formatInterval(this.#opts.mode, i, rss));
  }

  #showProgress(out: { writeSync(p: Uint8Array): number }): void {
    const total = this.recorder.total();
    const now = performance.now();
    const rate = (total.ok - this.#lastProgress.ok) / ((now - this.#lastProgress.at) / 1000);
    this.#lastProgress = { at: now, ok: total.ok };
    out.writeSync(encoder.encode(`\r\x1b[K${formatProgress(this.#opts.mode, total, rate)}`));
  }

  /** Stops the timers and prints the summary; returns it. */
  finish(): Summary {
    for (const t of this.#timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    this.#timers = [];
    const o = this.#opts;
    if (!o.json && (o.progress ?? Deno.stderr).isTerminal()) {
      (o.progress ?? Deno.stderr).writeSync(encoder.encode("\r\x1b[K"));
    }
    const end = this.#sampleRss();
    const summary: Summary = {
      mode: o.mode,
      topic: o.topic,
      settings: o.settings,
      total: this.recorder.total(),
      firstError: this.recorder.firstError,
    };
    if (end) {
      summary.brokerPeakRssMiB = end.peakMiB;
      summary.brokerMaxSampledRssMiB = this.#maxRss;
      summary.brokerEndRssMiB = end.rssMiB;
    }
    this.#print(o.json ? summaryJson(summary) : formatSummary(summary));
    return summary;
  }
}
