import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import { API_ERROR_MESSAGES, describeError, statusOf, type WireError } from "../errors.js";
import type { Context } from "../trpc/context.js";
import { createCallerFactory } from "../trpc/init.js";
import type { AppRouter } from "../trpc/router.js";

const callerFactoryFor = (router: AppRouter) => createCallerFactory(router);
type Caller = ReturnType<ReturnType<typeof callerFactoryFor>>;

/** Which per-IP budget a route spends: sending emails, or guessing a secret. */
export type LimitGroup = "send" | "guess" | "none";

interface RestRoute {
  method: "GET" | "POST";
  path: string;
  limit: LimitGroup;
  /** The body's fields, in the REST names; anything else is refused. */
  fields: readonly string[];
  /** REST field name -> procedure field name, where they differ (the seed says `otp`). */
  renames?: Readonly<Record<string, string>>;
  status?: number;
  /** Calls the procedure with the renamed body (the procedure validates it). */
  call(caller: Caller, input: Record<string, unknown>): Promise<object>;
}

// The procedures validate their input; the REST layer only passes the JSON through.
type Unchecked = never;

/**
 * The REST surface: the seed's three paths, verbatim, and the other flows
 * beside them in the same style. Each route calls its tRPC procedure
 * in-process, so validation, logic and error mapping exist once.
 */
export const REST_ROUTES: readonly RestRoute[] = [
  {
    method: "POST",
    path: "/api/v1/auth/register/",
    limit: "send",
    fields: ["email", "password"],
    status: 201,
    call: (c, input) => c.auth.register(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/verify-email/",
    limit: "guess",
    fields: ["email", "otp"],
    renames: { otp: "code" },
    call: (c, input) => c.auth.verifyEmail(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/resend-otp/",
    limit: "send",
    fields: ["email", "codeType"],
    call: (c, input) => c.auth.resendCode(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/sign-in/",
    limit: "guess",
    fields: ["email", "password"],
    call: (c, input) => c.auth.signIn(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/sign-in-code/",
    limit: "send",
    fields: ["email"],
    call: (c, input) => c.auth.requestSignInCode(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/sign-in-code/verify/",
    limit: "guess",
    fields: ["email", "otp"],
    renames: { otp: "code" },
    call: (c, input) => c.auth.signInWithCode(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/password-reset/",
    limit: "send",
    fields: ["email"],
    call: (c, input) => c.auth.requestPasswordReset(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/password-reset/confirm/",
    limit: "guess",
    fields: ["email", "otp", "password"],
    renames: { otp: "code", password: "newPassword" },
    call: (c, input) => c.auth.resetPassword(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/auth/sign-out/",
    limit: "none",
    fields: [],
    call: (c) => c.auth.signOut(),
  },
  { method: "GET", path: "/api/v1/auth/me/", limit: "none", fields: [], call: (c) => c.auth.me() },
  {
    method: "POST",
    path: "/api/v1/account/email-change/",
    limit: "send",
    fields: ["email"],
    renames: { email: "newEmail" },
    call: (c, input) => c.account.requestEmailChange(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/account/email-change/confirm/",
    limit: "guess",
    fields: ["otp"],
    renames: { otp: "code" },
    call: (c, input) => c.account.confirmEmailChange(input as Unchecked),
  },
  {
    method: "POST",
    path: "/api/v1/account/sign-out-everywhere/",
    limit: "none",
    fields: [],
    call: (c) => c.account.signOutEverywhere(),
  },
];

/** The seed's paths, for tests and docs. */
export const REST_PATHS = {
  register: "/api/v1/auth/register/",
  verifyEmail: "/api/v1/auth/verify-email/",
  resendOtp: "/api/v1/auth/resend-otp/",
} as const;

export function restPathsIn(group: LimitGroup): string[] {
  return REST_ROUTES.filter((route) => route.limit === group).map((route) => route.path);
}

interface RestRouteOptions {
  router: AppRouter;
  createContext: (request: FastifyRequest, reply: FastifyReply) => Context;
  limits: Partial<Record<LimitGroup, preHandlerHookHandler>>;
}

export function registerRestRoutes(app: FastifyInstance, options: RestRouteOptions): void {
  const callerFor = callerFactoryFor(options.router);
  for (const route of REST_ROUTES) {
    const limit = options.limits[route.limit];
    app.route({
      method: route.method,
      url: route.path,
      preHandler: limit === undefined ? [] : [limit],
      handler: async (request, reply) => {
        const body = route.method === "GET" ? {} : (request.body ?? {});
        const checked = checkFields(body, route.fields);
        if ("error" in checked) return sendError(reply, checked.error);
        const input: Record<string, unknown> = {};
        for (const [field, value] of Object.entries(checked.value))
          input[route.renames?.[field] ?? field] = value;
        try {
          const result = await route.call(callerFor(options.createContext(request, reply)), input);
          reply.code(route.status ?? 200);
          return restBody(result);
        } catch (error) {
          const wire = describeError(error);
          if (wire.code === "INTERNAL_ERROR") request.log.error({ err: error }, "request failed");
          return sendError(reply, renameFields(wire, invert(route.renames ?? {})));
        }
      },
    });
  }
}

/** Procedure results carry `message`; REST bodies call it `detail`, as the seed's API did. */
function restBody(result: object): object {
  const { message, ...rest } = result as { message?: string };
  return message === undefined ? rest : { detail: message, ...rest };
}

function checkFields(
  body: unknown,
  allowed: readonly string[],
): { value: Record<string, unknown> } | { error: WireError } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      error: {
        code: "INVALID_INPUT",
        message: API_ERROR_MESSAGES.INVALID_INPUT,
        fieldErrors: { _: [`Send a JSON object with the fields: ${allowed.join(", ")}.`] },
      },
    };
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    return {
      error: {
        code: "INVALID_INPUT",
        message: API_ERROR_MESSAGES.INVALID_INPUT,
        fieldErrors: Object.fromEntries(
          unknown.map((key) => [key, ["This field is not accepted here."]]),
        ),
      },
    };
  }
  return { value: body as Record<string, unknown> };
}

function invert(renames: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(renames).map(([rest, procedure]) => [procedure, rest]));
}

/** Field errors in the REST body's own names. */
function renameFields(wire: WireError, renames: Record<string, string>): WireError {
  if (wire.fieldErrors === undefined) return wire;
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(wire.fieldErrors)) {
    fieldErrors[renames[field] ?? field] = messages;
  }
  return { ...wire, fieldErrors };
}

export function sendError(reply: FastifyReply, wire: WireError): FastifyReply {
  if (wire.retryAt !== undefined) {
    const seconds = Math.max(1, Math.ceil((Date.parse(wire.retryAt) - Date.now()) / 1000));
    reply.header("retry-after", String(seconds));
  }
  return reply.code(statusOf(wire)).send({ error: wire });
}
