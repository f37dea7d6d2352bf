/**
 * HTTP to the API as any client would send it: the seed's REST paths and the
 * tRPC procedures over plain fetch (batched calls included), each answer
 * timed and kept for the secrets scan.
 */
import { restPath, TRPC_PREFIX, trpcPath } from "@otp/api";
import { assertLoopback } from "./environment.js";
import type { LogSource } from "./secrets.js";

export { median, percentile } from "./timing.js";

/** The paths the suite calls, from the API's operation declarations. */
export const REST = {
  register: restPath("auth.register"),
  verifyEmail: restPath("auth.verifyEmail"),
  resendOtp: restPath("auth.resendCode"),
  signIn: restPath("auth.signIn"),
  requestSignInCode: restPath("auth.requestSignInCode"),
  signInWithCode: restPath("auth.signInWithCode"),
  me: restPath("auth.me"),
} as const;

export const TRPC = {
  register: trpcPath("auth.register"),
  verifyEmail: trpcPath("auth.verifyEmail"),
  resendCode: trpcPath("auth.resendCode"),
  signIn: trpcPath("auth.signIn"),
} as const;

export interface Answer {
  status: number;
  /** Parsed JSON, or null when the body was not JSON. */
  json: unknown;
  text: string;
  headers: Headers;
  ms: number;
  /** The API error code from either envelope (REST `error.code`, tRPC `error.data.code`). */
  errorCode: string | null;
}

/** Every answer body received in this worker, for the secrets scan. */
const answerLog: string[] = [];
/** Every session token the API handed out (Set-Cookie: otp_session=...), for the secrets scan. */
const sessionTokens = new Set<string>();
let requestCount = 0;
export const answersSource: LogSource = { name: "HTTP answers", text: () => answerLog.join("\n") };
export function requestsSent(): number {
  return requestCount;
}
export function sessionTokensSeen(): string[] {
  return [...sessionTokens];
}

/** The session cookie an answer set, if any. */
export function sessionCookieOf(answer: Answer): string | null {
  for (const cookie of answer.headers.getSetCookie()) {
    const match = /^otp_session=([^;]+)/.exec(cookie);
    if (match?.[1] !== undefined && match[1] !== "") return match[1];
  }
  return null;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as is (no JSON encoding, no content type unless given). */
  raw?: string | Uint8Array;
  timeoutMs?: number;
}

export async function request(
  baseUrl: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<Answer> {
  assertLoopback(baseUrl);
  requestCount += 1;
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | Uint8Array | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] ??= "application/json";
  }
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? "POST",
    headers,
    body: payload,
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  answerLog.push(text);
  for (const cookie of response.headers.getSetCookie()) {
    const token = /^otp_session=([^;]+)/.exec(cookie)?.[1];
    if (token !== undefined && token !== "") sessionTokens.add(token);
  }
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return {
    status: response.status,
    json,
    text,
    headers: response.headers,
    ms,
    errorCode: errorCodeOf(json),
  };
}

export function errorCodeOf(json: unknown): string | null {
  if (typeof json !== "object" || json === null) return null;
  const error = (json as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) {
    // A tRPC batch answers an array of envelopes; report the first error.
    if (Array.isArray(json)) {
      for (const item of json) {
        const code = errorCodeOf(item);
        if (code !== null) return code;
      }
    }
    return null;
  }
  const data = (error as { data?: { code?: unknown } }).data;
  if (typeof data?.code === "string") return data.code;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

/** The same operation through either surface (the REST body calls the code `otp`). */
export type Surface = "rest" | "trpc";

export function register(base: string, surface: Surface, email: string, password: string) {
  return request(base, surface === "rest" ? REST.register : TRPC.register, { email, password });
}

/**
 * The registration-binding cookie a register answer set, as a Cookie header
 * value: sent back with the code, the registration's password becomes active.
 */
export function registrationCookieOf(answer: Answer): string | undefined {
  const set = answer.headers.getSetCookie().find((c) => c.startsWith("otp_registration="));
  return set?.split(";")[0];
}

export function verifyEmail(
  base: string,
  surface: Surface,
  email: string,
  code: string,
  /** The register answer's binding cookie (from `registrationCookieOf`), if the same client verifies. */
  registrationCookie?: string,
) {
  const options =
    registrationCookie === undefined ? {} : { headers: { cookie: registrationCookie } };
  return surface === "rest"
    ? request(base, REST.verifyEmail, { email, otp: code }, options)
    : request(base, TRPC.verifyEmail, { email, code }, options);
}

export function resendCode(base: string, surface: Surface, email: string) {
  return request(base, surface === "rest" ? REST.resendOtp : TRPC.resendCode, { email });
}

/** One tRPC batch call: `/trpc/a,b?batch=1` with `{"0": input0, "1": input1}`. */
export function trpcBatch(base: string, calls: Array<{ procedure: string; input: unknown }>) {
  const path = `${TRPC_PREFIX}/${calls.map((c) => c.procedure).join(",")}?batch=1`;
  const body = Object.fromEntries(calls.map((c, index) => [String(index), c.input]));
  return request(base, path, body);
}

/** Polls `check` until it returns something other than false/undefined/null. */
export async function waitFor<T>(
  description: string,
  check: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== undefined && value !== null) {
      return value as Exclude<T, false | undefined | null>;
    }
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
