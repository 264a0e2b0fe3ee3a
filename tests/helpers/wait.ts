/** Polls `cond` every 10 ms until it holds; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string | (() => string),
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
