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

/**
 * How long a procedure may wait on its dependencies before the client is told
 * to retry. The deadline only has to beat a stalled database (a partition, a
 * pool waiting for a server that refuses): normal calls take milliseconds.
 */
export const PROCEDURE_DEADLINE_MS = 1500;

class DeadlineExceeded extends Error {
  constructor() {
    super(`no answer within ${PROCEDURE_DEADLINE_MS} ms`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * A lost or stalled database becomes a prompt 503 the client may retry, not
 * an opaque 500 or a request that hangs. (A statement that was already sent
 * still finishes or rolls back on its own: nothing is left half-done.)
 */
const databaseFaults = t.middleware(async ({ next }) => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), PROCEDURE_DEADLINE_MS);
  });
  try {
    const result = await Promise.race([next(), deadline]);
    if (!result.ok && isDatabaseUnavailable(result.error)) {
      throw apiError("SERVICE_UNAVAILABLE", result.error);
    }
    return result;
  } catch (error) {
    if (error instanceof DeadlineExceeded) throw apiError("SERVICE_UNAVAILABLE", error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
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
