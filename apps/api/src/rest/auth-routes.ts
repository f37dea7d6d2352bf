import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import { API_ERROR_MESSAGES, describeError, statusOf, type WireError } from "../errors.js";
import type { Context } from "../trpc/context.js";
import { createCallerFactory } from "../trpc/init.js";
import type { AppRouter } from "../trpc/router.js";

/** The seed's REST paths, verbatim (a trailing slash is optional). */
export const REST_PATHS = {
  register: "/api/v1/auth/register/",
  verifyEmail: "/api/v1/auth/verify-email/",
  resendOtp: "/api/v1/auth/resend-otp/",
} as const;

const callerFactoryFor = (router: AppRouter) => createCallerFactory(router);
type Caller = ReturnType<ReturnType<typeof callerFactoryFor>>;

interface RestRouteOptions {
  router: AppRouter;
  createContext: (request: FastifyRequest) => Context;
  sendLimit: preHandlerHookHandler | undefined;
  verifyLimit: preHandlerHookHandler | undefined;
}

/**
 * (Values are passed to the procedures unchecked: each procedure validates its
 * own input and answers INVALID_INPUT.)
 *
 * Each REST route checks the body's shape (an object with exactly the seed's
 * fields), renames fields to the procedure's names, and calls the tRPC
 * procedure in-process: the same validation, logic and error mapping, no
 * second copy.
 */
export function registerRestRoutes(app: FastifyInstance, options: RestRouteOptions): void {
  const callerFor = callerFactoryFor(options.router);
  const route = (
    path: string,
    limit: preHandlerHookHandler | undefined,
    fields: readonly string[],
    handle: (
      caller: Caller,
      body: Record<string, unknown>,
      reply: FastifyReply,
    ) => Promise<unknown>,
  ) => {
    app.post(path, { preHandler: limit === undefined ? [] : [limit] }, async (request, reply) => {
      const body = checkFields(request.body, fields);
      if ("error" in body) return sendError(reply, body.error);
      try {
        return await handle(callerFor(options.createContext(request)), body.value, reply);
      } catch (error) {
        const wire = describeError(error);
        if (wire.code === "INTERNAL_ERROR") request.log.error({ err: error }, "request failed");
        return sendError(reply, renameFields(wire, { code: "otp" }));
      }
    });
  };

  route(
    REST_PATHS.register,
    options.sendLimit,
    ["email", "password"],
    async (caller, body, reply) => {
      const result = await caller.auth.register(body as { email: string; password: string });
      reply.code(201);
      return { detail: result.message, email: result.email };
    },
  );

  route(REST_PATHS.verifyEmail, options.verifyLimit, ["email", "otp"], async (caller, body) => {
    const result = await caller.auth.verifyEmail({ email: body.email, code: body.otp } as {
      email: string;
      code: string;
    });
    return { detail: result.message, email: result.email, verified: true };
  });

  route(REST_PATHS.resendOtp, options.sendLimit, ["email", "codeType"], async (caller, body) => {
    // The procedure validates; the body's values are passed through as they came.
    const result = await caller.auth.resendCode(body as { email: string });
    return { detail: result.message, email: result.email };
  });
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

/** The procedure calls the code `code`; the seed's REST body calls it `otp`. */
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
