/**
 * The checks a new password goes through after its schema (length, blocklist): zxcvbn's
 * estimate against MIN_PASSWORD_GUESSES_LOG10 (rules/password-strength.ts), and, when
 * configured, a breached-password lookup by k-anonymity range query.
 *
 * zxcvbn costs tens of milliseconds of CPU per password (and its dictionaries about two
 * seconds to rank): it runs in a worker thread of its own, started with the service, so the
 * event loop never waits on it.
 */
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { fail, type Result } from "../errors.js";
import {
  BREACHED_PASSWORD_MESSAGE,
  MIN_PASSWORD_GUESSES_LOG10,
  passwordUserInputs,
  STRENGTH_CHECKED_LENGTH,
  WEAK_PASSWORD_MESSAGE,
} from "../rules/password-strength.js";
import type { Logger } from "./logger.js";

/** The HIBP Pwned Passwords range API (or one that speaks its protocol). */
export const DEFAULT_PASSWORD_BREACH_URL = "https://api.pwnedpasswords.com";
/** A lookup that takes longer is given up (the offline checks still apply). */
export const PASSWORD_BREACH_TIMEOUT_MS = 1500;

export interface PasswordCheckOptions {
  /** The product's name, a word an attacker tries first. */
  serviceName?: string;
  /** Breached-password lookups (PASSWORD_BREACH_CHECK); off when absent. */
  breachCheck?: { url: string; timeoutMs?: number };
}

export interface PasswordChecker {
  /** INVALID_INPUT on `field` when the password is too guessable or breached; else null. */
  check(password: string, email: string, field: string): Promise<Result<never> | null>;
}

/** The worker's code: plain JavaScript, so it runs the same under tsx, vitest and node. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ready = (async () => {
  const [core, common, en, de] = await Promise.all(workerData.modules.map((url) => import(url)));
  return new core.ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary, ...de.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    maxLength: workerData.maxLength,
  });
})();
parentPort.on("message", async ({ id, password, userInputs }) => {
  try {
    const zxcvbn = await ready;
    if (password === undefined) return parentPort.postMessage({ id, guessesLog10: 0 });
    parentPort.postMessage({ id, guessesLog10: zxcvbn.check(password, userInputs).guessesLog10 });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve: (guessesLog10: number) => void;
  reject: (error: Error) => void;
}

function startEstimator() {
  const modules = [
    "@zxcvbn-ts/core",
    "@zxcvbn-ts/language-common",
    "@zxcvbn-ts/language-en",
    "@zxcvbn-ts/language-de",
  ].map((name) => import.meta.resolve(name));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { modules, maxLength: STRENGTH_CHECKED_LENGTH },
    // Its own small heap: dictionaries only.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  const pending = new Map<number, Pending>();
  let next = 0;
  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  // The worker keeps the process alive only while an answer is awaited: otherwise a process
  // with nothing else open yet (the API before it listens) would end with the warm-up pending.
  const settled = (id: number) => {
    pending.delete(id);
    if (pending.size === 0) worker.unref();
  };
  worker.on("message", (message: { id: number; guessesLog10?: number; error?: string }) => {
    const waiting = pending.get(message.id);
    settled(message.id);
    if (message.error !== undefined || message.guessesLog10 === undefined) {
      waiting?.reject(new Error(`password estimate failed: ${message.error}`));
    } else waiting?.resolve(message.guessesLog10);
  });
  worker.on("error", failAll);
  // After the listeners (adding a "message" listener refs the worker again).
  worker.unref();
  worker.on("exit", () => {
    failAll(new Error("password estimator stopped"));
    // The next check starts another.
    if (estimator?.worker === worker) estimator = undefined;
  });
  return {
    worker,
    /** `password` undefined: resolves once the dictionaries are ready. */
    estimate(password: string | undefined, userInputs: string[]): Promise<number> {
      const id = next++;
      return new Promise<number>((resolve, reject) => {
        if (pending.size === 0) worker.ref();
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, password, userInputs });
      });
    },
  };
}

/**
 * Starts the estimator if it is not running and resolves once it has ranked its dictionaries
 * (about two seconds of CPU): the API awaits it before it listens, so no request waits on it.
 */
export async function warmPasswordEstimator(): Promise<void> {
  await sharedEstimator().estimate(undefined, []);
}

/** One estimator per process, whatever the number of services: it holds no state. */
let estimator: ReturnType<typeof startEstimator> | undefined;
const sharedEstimator = () => {
  estimator ??= startEstimator();
  return estimator;
};

/**
 * Whether the password is in the breach corpus, by k-anonymity: only the first five hex
 * characters of its SHA-1 leave the process; the answer lists `SUFFIX:COUNT` lines for
 * that prefix (with `Add-Padding: true`, padded with `:0` lines, which do not count).
 * Null when the service cannot be reached or answers nonsense.
 */
export async function isBreachedPassword(
  password: string,
  options: { url: string; timeoutMs?: number },
): Promise<boolean | null> {
  const sha1 = createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();
  const prefix = sha1.slice(0, 5);
  const suffix = sha1.slice(5);
  try {
    const response = await fetch(`${options.url.replace(/\/+$/, "")}/range/${prefix}`, {
      headers: { "Add-Padding": "true" },
      signal: AbortSignal.timeout(options.timeoutMs ?? PASSWORD_BREACH_TIMEOUT_MS),
    });
    if (!response.ok) return null;
    for (const line of (await response.text()).split(/\r?\n/)) {
      const [lineSuffix = "", count = "0"] = line.trim().split(":");
      if (lineSuffix.toUpperCase() === suffix) return Number(count) > 0;
    }
    return false;
  } catch {
    return null;
  }
}

export function createPasswordChecker(
  options: PasswordCheckOptions,
  logger: Logger,
): PasswordChecker {
  const refused = (field: string, message: string): Result<never> =>
    fail("INVALID_INPUT", { fieldErrors: { [field]: [message] } });
  return {
    async check(password, email, field) {
      const guessesLog10 = await sharedEstimator().estimate(
        password,
        passwordUserInputs(email, options.serviceName),
      );
      if (guessesLog10 < MIN_PASSWORD_GUESSES_LOG10) return refused(field, WEAK_PASSWORD_MESSAGE);
      if (options.breachCheck !== undefined) {
        const breached = await isBreachedPassword(password, options.breachCheck);
        if (breached === null) {
          logger.warn(
            { url: options.breachCheck.url },
            "password breach check: service unreachable; offline checks only",
          );
        } else if (breached) return refused(field, BREACHED_PASSWORD_MESSAGE);
      }
      return null;
    },
  };
}
