/**
 * The broker's metadata files under `<storePathRootDir>/config/`, written the way RocketMQ's
 * ConfigManager does so no crash leaves a half-written file: the text goes to `<name>.tmp`,
 * is synced, the current file is kept as `<name>.bak`, and `.tmp` is renamed over `<name>`.
 * Loading falls back to `.bak` when the file is missing or its text does not parse.
 * Callers pass and get text (src/common/fastjson.ts writes and reads it).
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";

const log = logger("store");

/** The files RocketMQ keeps under `config/` (BrokerPathConfigHelper, StorePathConfigHelper). */
export const ConfigFileName = {
  topics: "topics.json",
  consumerOffset: "consumerOffset.json",
  subscriptionGroup: "subscriptionGroup.json",
  delayOffset: "delayOffset.json",
  consumerFilter: "consumerFilter.json",
} as const;
export type ConfigFileKind = keyof typeof ConfigFileName;

export function configFilePath(storePathRootDir: string, kind: ConfigFileKind): string {
  return `${storePathRootDir}/config/${ConfigFileName[kind]}`;
}

/** Writes to one path queue behind each other, so a .tmp is never shared. */
const writing = new Map<string, Promise<void>>();

/** Replaces the file at `path` with `text`, keeping the previous version as `path.bak`. */
export function writeConfigFile(path: string, text: string): Promise<void> {
  const prev = writing.get(path) ?? Promise.resolve();
  const next = prev.then(() => replace(path, text), () => replace(path, text));
  writing.set(path, next);
  const cleanup = () => {
    if (writing.get(path) === next) writing.delete(path);
  };
  next.then(cleanup, cleanup);
  return next;
}

async function replace(path: string, text: string): Promise<void> {
  const dir = path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    const bytes = new TextEncoder().encode(text);
    let n = 0;
    while (n < bytes.length) n += await f.write(bytes.subarray(n));
    await f.syncData();
  } finally {
    f.close();
  }
  const bak = `${path}.bak`;
  try {
    await Deno.remove(bak);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  try {
    await Deno.link(path, bak);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      // First write: no previous version to keep.
    } else {
      await Deno.copyFile(path, bak);
    }
  }
  await Deno.rename(tmp, path);
  const d = await Deno.open(dir, { read: true });
  try {
    await d.syncData();
  } finally {
    d.close();
  }
}

export interface LoadedConfigFile<T> {
  value: T;
  /** The file the value came from: `path` itself or `path.bak`. */
  from: string;
}

/**
 * Reads `path` and parses it with `parse` (which throws on bad text); on a missing or bad file,
 * tries `path.bak`. Undefined when neither gives a value.
 */
export async function loadConfigFile<T>(
  path: string,
  parse: (text: string) => T,
): Promise<LoadedConfigFile<T> | undefined> {
  for (const candidate of [path, `${path}.bak`]) {
    let text: string;
    try {
      text = await Deno.readTextFile(candidate);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    try {
      return { value: parse(text), from: candidate };
    } catch (e) {
      log.warn("Cannot parse {path}: {error}", { path: candidate, error: errorMessage(e) });
    }
  }
  return undefined;
}
