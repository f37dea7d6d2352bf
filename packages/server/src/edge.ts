/**
 * The edge both hosts share: the standalone server (apps/api, Fastify with node
 * request and reply) and `createOtp().handler` (Fetch `Request`). One router,
 * one route table, one context per request, one per-IP budget: a host supplies
 * only how cookies, headers and the client's address are read and written.
 */
import type { OtpService } from "@otp/core";
import type { DevMailbox } from "@otp/email";

import { type EdgeLogger, type WireError, wireError } from "./errors.js";
import { negotiateLocale } from "./locale.js";
import type { LimitGroup } from "./operations/define.js";
import type { RateLimiter } from "./rate-limit.js";
import { type RestRoute, restRoutes, retryAfterSeconds } from "./rest/routes.js";
import { type Context, type CookieJar, sessionCookies } from "./trpc/context.js";
import { type AppRouter, createAppRouter, createProductionRouter } from "./trpc/router.js";

export interface EdgeDependencies {
  service: OtpService;
  /** The product name, as the emails say it. */
  appName: string;
  /** The dev mailbox, when it is the transport; its procedure exists only then. */
  mailbox: DevMailbox | undefined;
  /** The per-IP budgets; undefined when they are off. */
  limiter: RateLimiter | undefined;
  /** Cookies carry `Secure` (the app is served over https). */
  secureCookies: boolean;
}

/** What the host knows of one request. */
export interface RequestFacts {
  cookies: CookieJar;
  /** The client's address, after the trusted-proxy rules. */
  ip: string;
  userAgent: string | undefined;
  acceptLanguage: string | undefined;
  log: EdgeLogger;
  /** Sets a header on the answer (Retry-After of a refused tRPC call). */
  setHeader(name: string, value: string): void;
}

export interface Edge {
  router: AppRouter;
  routes: RestRoute[];
  contextFor(request: RequestFacts): Context;
  /** Spends one unit of a client's budget; the RATE_LIMITED refusal when it is spent. */
  spend(group: Exclude<LimitGroup, "none">, ip: string): Promise<WireError | undefined>;
}

export function createEdge(deps: EdgeDependencies): Edge {
  const { service, limiter, secureCookies } = deps;
  const router: AppRouter =
    deps.mailbox === undefined
      ? (createProductionRouter(service.policy) as unknown as AppRouter)
      : createAppRouter(service.policy);
  const spend = async (group: Exclude<LimitGroup, "none">, ip: string) => {
    if (limiter === undefined) return undefined;
    const spent = await limiter.spend(group, ip);
    return spent.allowed ? undefined : rateLimited(spent.retryAfterMs);
  };
  return {
    router,
    routes: restRoutes(service.policy),
    spend,
    contextFor: (request) => ({
      service,
      appName: deps.appName,
      mailbox: deps.mailbox,
      log: request.log,
      session: sessionCookies(request.cookies, secureCookies),
      registration: sessionCookies(request.cookies, secureCookies, "registration"),
      device: sessionCookies(request.cookies, secureCookies, "device"),
      client: { ip: request.ip, userAgent: request.userAgent },
      // Read only by the operations that need it (registration, the rules answer).
      get locale() {
        return negotiateLocale(request.acceptLanguage);
      },
      // tRPC: each procedure tRPC resolved spends its own group's budget (see trpc/router.ts).
      async spendLimit(group) {
        const refused = await spend(group, request.ip);
        if (refused?.retryAt !== undefined) {
          request.setHeader("retry-after", retryAfterSeconds(refused.retryAt));
        }
        return refused;
      },
    }),
  };
}

export function rateLimited(retryAfterMs: number) {
  return wireError("RATE_LIMITED", { retryAt: new Date(Date.now() + retryAfterMs).toISOString() });
}
