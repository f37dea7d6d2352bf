import { initTRPC } from "@trpc/server";
import {
  describeError,
  isDatabaseUnavailable,
  trpcFailure,
  wireError,
  withinDeadline,
} from "../errors.js";
import { inProcedureSpan } from "../observability/procedure-spans.js";
import type { Context } from "./context.js";

const t = initTRPC.context<Context>().create({
  /**
   * Every error reaches the client with its API code (and field errors,
   * attempts left or retry time where they apply) in `error.data`; internals
   * never do. `shape.code` is tRPC's JSON-RPC number for the error's tRPC code.
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

/** A lost or stalled database answers 503 (retry), not 500 or a hang. */
const databaseFaults = t.middleware(async ({ next }) => {
  try {
    const result = await withinDeadline(next());
    if (!result.ok && isDatabaseUnavailable(result.error)) {
      throw trpcFailure(wireError("SERVICE_UNAVAILABLE"), result.error);
    }
    return result;
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw trpcFailure(wireError("SERVICE_UNAVAILABLE"), error);
    throw error;
  }
});

/**
 * A span per procedure (tracing on; a no-op otherwise), child of the request's,
 * parent of the procedure's SQL statements. Its status says only whether the
 * procedure failed, never with what input.
 */
const traced = t.middleware(({ path, next }) =>
  inProcedureSpan(path, next, (result) =>
    result.ok ? undefined : describeError(result.error).code,
  ),
);

export type ApiErrorShape = typeof t._config.$types.errorShape;
export const router = t.router;
export const middleware = t.middleware;
export const baseProcedure = t.procedure.use(traced).use(databaseFaults);
export const createCallerFactory = t.createCallerFactory;
