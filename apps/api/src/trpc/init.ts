import { domainError } from "@otp/core";
import { initTRPC } from "@trpc/server";
import { apiError, describeError, domainFailure, isDatabaseUnavailable } from "../errors.js";
import type { Context } from "./context.js";

const unauthorized = domainError("UNAUTHORIZED");

const t = initTRPC.context<Context>().create({
  /**
   * Every error reaches the client with its API code (and field errors,
   * attempts left or retry time where they apply) in `error.data`; internals
   * never do.
   */
  errorFormatter({ shape, error }) {
    const wire = describeError(error);
    return {
      message: wire.message,
      code: shape.code,
      data: { ...wire, httpStatus: shape.data.httpStatus, path: shape.data.path },
    };
  },
});

/** A lost database becomes a 503 the client may retry, not an opaque 500. */
const databaseFaults = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isDatabaseUnavailable(result.error)) {
    throw apiError("SERVICE_UNAVAILABLE", result.error);
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(databaseFaults);

/**
 * The one gate for signed-in procedures: the session cookie must name a live
 * session; the procedure then sees `ctx.user`. A dead cookie is cleared.
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const token = ctx.session.read();
  const user = token === undefined ? null : await ctx.service.authenticate(token);
  if (user === null || !user.ok) {
    if (token !== undefined) ctx.session.clear();
    throw domainFailure(user?.ok === false ? user.error : unauthorized);
  }
  return next({ ctx: { ...ctx, user: user.value, sessionToken: token as string } });
});
export const createCallerFactory = t.createCallerFactory;
