/**
 * A headless Chromium for dashboard tests (Debian's `chromium` package, or CHROME_PATH), driven
 * with puppeteer-core. Tests skip with one line where none is installed.
 */
import puppeteer, { type Browser } from "puppeteer-core";

const CANDIDATES = [Deno.env.get("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"];

export const CHROMIUM: string | undefined = CANDIDATES.find((p) => {
  if (!p) return false;
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

export const CHROMIUM_MISSING: string | undefined = CHROMIUM
  ? undefined
  : "no chromium (apt-get install chromium, or set CHROME_PATH)";

export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

/** Where screenshots go: test-artifacts/ at the repository root (kept by CI, ignored by git). */
export const ARTIFACTS = new URL("../../test-artifacts/dashboard/", import.meta.url).pathname;
