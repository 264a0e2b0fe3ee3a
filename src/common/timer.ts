/** A timer handle (Deno's number or Node's Timeout, depending on which types are in scope). */
export type Timer = ReturnType<typeof setTimeout>;

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** An interval that does not keep the process alive (housekeeping scans). */
export function backgroundInterval(fn: () => void, ms: number): Timer {
  const t = setInterval(fn, ms);
  Deno.unrefTimer(t as unknown as number);
  return t;
}
