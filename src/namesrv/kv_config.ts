/**
 * The name server's KV config (RocketMQ's KVConfigManager): namespace → key → value, kept in
 * memory and written whole to one JSON file after every change (atomic_file.ts: tmp, sync,
 * rename, the previous version kept as `.bak`).
 *
 * File shape (compact fastjson):
 *   {"configTable":{"<namespace>":{"<key>":"<value>"}}}
 */
import { AtomicFile } from "../common/atomic_file.ts";
import {
  asObject,
  asString,
  mapEntries,
  parseFastJson,
  stringifyFastJson,
} from "../common/fastjson.ts";
import { logger } from "../common/log.ts";
import { stringMap } from "../remoting/body/json_body.ts";

/** The namespace whose entries (`topic` → `brokerName:queueNums;…`) make a topic ordered. */
export const NAMESPACE_ORDER_TOPIC_CONFIG = "ORDER_TOPIC_CONFIG";

const log = logger("namesrv");

export class KVConfigStore {
  readonly path: string;
  readonly #table = new Map<string, Map<string, string>>();
  readonly #file: AtomicFile;
  /** The last write asked for (writes run one after another, each with the table of its call). */
  #writes: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
    this.#file = new AtomicFile(path);
  }

  /** Reads the file if there is one; a file that cannot be parsed is an error, not an empty table. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    let json;
    try {
      json = parseFastJson(text);
    } catch (e) {
      throw new SyntaxError(`Cannot load KV config ${this.path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.#table.clear();
    for (const [ns, entries] of mapEntries(asObject(json).configTable)) {
      const table = new Map<string, string>();
      for (const [k, v] of mapEntries(entries)) {
        const key = asString(k);
        const value = asString(v);
        if (key !== undefined && value !== undefined) table.set(key, value);
      }
      this.#table.set(asString(ns) ?? "", table);
    }
    log.info("Loaded KV config {path}: {count} namespaces", {
      path: this.path,
      count: this.#table.size,
    });
  }

  get(namespace: string, key: string): string | undefined {
    return this.#table.get(namespace)?.get(key);
  }

  /** All entries of a namespace, or undefined if it has never had one. */
  list(namespace: string): ReadonlyMap<string, string> | undefined {
    return this.#table.get(namespace);
  }

  get namespaces(): string[] {
    return [...this.#table.keys()];
  }

  /** Sets a value; resolves once the file holds it. */
  put(namespace: string, key: string, value: string): Promise<void> {
    let table = this.#table.get(namespace);
    if (!table) this.#table.set(namespace, table = new Map());
    const prev = table.get(key);
    table.set(key, value);
    log.info("KV config {op}: {namespace} {key} = {value}", {
      op: prev === undefined ? "added" : "updated",
      namespace,
      key,
      value,
    });
    return this.#persist();
  }

  /** Removes a key (the namespace stays, possibly empty, as in RocketMQ); resolves once saved. */
  delete(namespace: string, key: string): Promise<void> {
    const table = this.#table.get(namespace);
    if (!table || !table.delete(key)) return this.#writes;
    log.info("KV config deleted: {namespace} {key}", { namespace, key });
    return this.#persist();
  }

  /** Resolves when every write started so far has finished (successfully or not). */
  flush(): Promise<void> {
    return this.#writes.catch(() => {
      // The failure was already reported to the caller of put/delete that caused it.
    });
  }

  #persist(): Promise<void> {
    const json = {
      configTable: stringMap(
        [...this.#table].map(([ns, t]) => [ns, stringMap(t)]),
      ),
    };
    this.#writes = this.#file.write(stringifyFastJson(json));
    return this.#writes;
  }
}
