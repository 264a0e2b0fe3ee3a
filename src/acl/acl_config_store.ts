/**
 * The ACL file of one server, live: loaded at start (a missing or broken file stops the start),
 * looked at every second and reloaded when its content changes (a broken edit keeps the last
 * good rules and says so at error level, once per bad version), and changed by the ACL admin
 * codes, which write it whole and atomically with its dataVersion bumped.
 */
import { AtomicFile } from "../common/atomic_file.ts";
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { backgroundInterval, type Timer } from "../common/timer.ts";
import {
  type DataVersion,
  newDataVersion,
  nextDataVersion,
} from "../remoting/body/data_version.ts";
import { AclError } from "./acl_error.ts";
import {
  type AccountConfig,
  type AclFile,
  type AclRules,
  checkAccount,
  compileAcl,
  parseAclFile,
  renderAclFile,
} from "./acl_file.ts";
import { signatureEngine } from "./signature.ts";
import { parseAddressPattern } from "./address_pattern.ts";

const log = logger("acl");

export const ACL_RELOAD_INTERVAL_MS = 1000;

export class AclConfigStore implements Disposable {
  readonly path: string;
  #file: AclFile;
  #rules: AclRules;
  #text: string;
  #badText: string | undefined;
  #stamp: string;
  #timer: Timer | undefined;
  /** A look at the file is under way (a slow disk must not pile them up). */
  #looking = false;
  #writes: Promise<unknown> = Promise.resolve();
  readonly #atomic: AtomicFile;

  private constructor(path: string, text: string, file: AclFile, stamp: string) {
    this.path = path;
    this.#text = text;
    this.#file = file;
    this.#rules = compileAcl(file);
    this.#stamp = stamp;
    this.#atomic = new AtomicFile(path);
  }

  /** Loads `path`; throws a one-line Error when it is missing or wrong. */
  static async open(
    path: string,
    reloadIntervalMs = ACL_RELOAD_INTERVAL_MS,
  ): Promise<AclConfigStore> {
    let text: string;
    let stamp: string;
    try {
      stamp = await stampOf(path);
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(
          `aclEnable is on but the ACL file ${path} does not exist (plain_acl.yml format)`,
        );
      }
      throw new Error(`Cannot read the ACL file ${path}: ${errorMessage(e)}`);
    }
    let file: AclFile;
    try {
      file = parseAclFile(text);
    } catch (e) {
      throw new Error(`The ACL file ${path} is not valid: ${errorMessage(e)}`);
    }
    const store = new AclConfigStore(path, text, file, stamp);
    log.info(
      "ACL on: {accounts} account(s), {white} global white address(es) from {path}; " +
        "signatures checked with {engine}",
      {
        accounts: file.accounts.length,
        white: file.globalWhiteRemoteAddresses.length,
        path,
        engine: signatureEngine(),
      },
    );
    if (reloadIntervalMs > 0) {
      store.#timer = backgroundInterval(() => void store.reloadIfChanged(), reloadIntervalMs);
    }
    return store;
  }

  get rules(): AclRules {
    return this.#rules;
  }

  get file(): Readonly<AclFile> {
    return this.#file;
  }

  get dataVersion(): DataVersion {
    return this.#file.dataVersion ?? newDataVersion(0);
  }

  /** Re-reads the file if it changed; true when new rules took effect. */
  async reloadIfChanged(): Promise<boolean> {
    if (this.#looking) return false;
    this.#looking = true;
    try {
      return await this.#reload();
    } finally {
      this.#looking = false;
    }
  }

  async #reload(): Promise<boolean> {
    let stamp: string;
    let text: string;
    try {
      stamp = await stampOf(this.path);
      if (stamp === this.#stamp) return false;
      text = await Deno.readTextFile(this.path);
    } catch (e) {
      if (this.#badText !== "\0missing") {
        this.#badText = "\0missing";
        log.error("Cannot read the ACL file {path}, keeping the last good rules: {error}", {
          path: this.path,
          error: errorMessage(e),
        });
      }
      return false;
    }
    this.#stamp = stamp;
    if (text === this.#text) return false;
    try {
      const file = parseAclFile(text);
      this.#install(file, text);
      this.#badText = undefined;
      log.info("Reloaded the ACL file {path}: {accounts} account(s)", {
        path: this.path,
        accounts: file.accounts.length,
      });
      return true;
    } catch (e) {
      if (this.#badText !== text) {
        this.#badText = text;
        log.error("The ACL file {path} is broken, keeping the last good rules: {error}", {
          path: this.path,
          error: errorMessage(e),
        });
      }
      return false;
    }
  }

  /** Creates or updates an account (UPDATE_AND_CREATE_ACL_CONFIG); only given fields change. */
  updateAccount(change: Partial<AccountConfig> & { accessKey: string }): Promise<void> {
    return this.#change((file) => {
      const i = file.accounts.findIndex((a) => a.accessKey === change.accessKey);
      const merged: AccountConfig = i >= 0 ? { ...file.accounts[i] } : {
        accessKey: change.accessKey,
        secretKey: "",
        admin: false,
        topicPerms: [],
        groupPerms: [],
      };
      for (const [k, v] of Object.entries(change)) {
        if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
      }
      checkAccount(merged);
      parseAddressPattern(merged.whiteRemoteAddress);
      if (i >= 0) file.accounts[i] = merged;
      else file.accounts.push(merged);
    });
  }

  /** Deletes an account (DELETE_ACL_CONFIG); false when there is none by that key. */
  async deleteAccount(accessKey: string): Promise<boolean> {
    let found = false;
    await this.#change((file) => {
      const before = file.accounts.length;
      file.accounts = file.accounts.filter((a) => a.accessKey !== accessKey);
      found = file.accounts.length < before;
      if (!found) throw new NothingToDo();
    }).catch((e) => {
      if (!(e instanceof NothingToDo)) throw e;
    });
    return found;
  }

  /** Replaces globalWhiteRemoteAddresses (UPDATE_GLOBAL_WHITE_ADDRS_CONFIG). */
  updateGlobalWhiteAddresses(addresses: string[]): Promise<void> {
    return this.#change((file) => {
      for (const a of addresses) parseAddressPattern(a);
      file.globalWhiteRemoteAddresses = addresses;
    });
  }

  /** One change at a time: applied to a copy, checked, written, then put in force. */
  #change(edit: (file: AclFile) => void): Promise<void> {
    const run = async () => {
      const file: AclFile = structuredClone(this.#file);
      edit(file);
      file.dataVersion = nextDataVersion(this.#file.dataVersion ?? newDataVersion(0));
      compileAcl(file);
      const text = renderAclFile(file);
      await this.#atomic.write(text);
      this.#install(file, text);
      this.#stamp = await stampOf(this.path).catch(() => "");
    };
    const next = this.#writes.then(run, run);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  #install(file: AclFile, text: string): void {
    this.#rules = compileAcl(file);
    this.#file = file;
    this.#text = text;
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

class NothingToDo extends AclError {}

/** Changes when the file is replaced or rewritten (mtime, size, inode). */
async function stampOf(path: string): Promise<string> {
  const st = await Deno.stat(path);
  return `${st.mtime?.getTime()}:${st.size}:${st.ino}`;
}
