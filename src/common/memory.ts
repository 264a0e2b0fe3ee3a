/**
 * A full garbage collection on demand. V8 collects only while a program allocates, so the
 * buffers a server drops when it goes idle (caches, slot tables) would stay resident until
 * the next burst of traffic; after releasing them, a long-idle server calls this once to hand
 * the memory back to the OS. `gc()` is not exposed by default; node:v8 can switch it on at run
 * time (as in Node), so no extra command-line flag is needed.
 */
let gcFunction: (() => void) | null | undefined;

/** Runs a full collection; false when the runtime does not allow it. */
export async function collectGarbage(): Promise<boolean> {
  if (gcFunction === undefined) {
    try {
      const [{ default: v8 }, { default: vm }] = await Promise.all([
        import("node:v8"),
        import("node:vm"),
      ]);
      v8.setFlagsFromString("--expose-gc");
      gcFunction = vm.runInNewContext("gc") as () => void;
    } catch {
      gcFunction = null; // Not available here; memory is then released at the next collection.
    }
  }
  gcFunction?.();
  return gcFunction !== null;
}
