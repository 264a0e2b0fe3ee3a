/**
 * The user's home directory, as Java's `user.home` gives it, and `~` paths resolved against it
 * (RocketMQ's default paths start with `~`: `~/store`, `~/namesrv/kvConfig.json`).
 */

/** `$HOME` (or `%USERPROFILE%`), undefined when neither is set or readable. */
export function homeDir(): string | undefined {
  try {
    return Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  } catch {
    return undefined; // No permission to read the environment.
  }
}

/** `~/x` → `$HOME/x`; other paths unchanged. Throws when a `~` path meets no home directory. */
export function expandHome(path: string): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = homeDir();
  if (!home) throw new Error(`Cannot resolve ${path}: HOME is not set`);
  return home + path.slice(1);
}
