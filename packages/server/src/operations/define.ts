import type { ErrorCode, InputSchemas, Result, SignedInUser } from "@otp/core";
import type { z } from "zod";
import type { Context } from "../trpc/context.js";

/** Which per-IP budget an operation spends: sending emails, guessing a secret, or none. */
export type LimitGroup = "send" | "guess" | "none";

export type OperationKind = "query" | "mutation";

/** What a signed-in operation sees: the request's context and the session's user. */
export interface SignedInContext extends Context {
  user: SignedInUser;
}

/** How an operation is reached over REST, beside its tRPC procedure. */
export interface RestBinding {
  method: "GET" | "POST";
  path: `/api/v1/${string}/`;
  /** REST field name -> procedure field name, where they differ (the seed says `otp`). */
  renames?: Readonly<Record<string, string>>;
  /** The success status; 200 when absent. */
  status?: 200 | 201;
  /** A body the live server accepts (shown in the OpenAPI document, and checked by a test). */
  example?: Readonly<Record<string, unknown>>;
}

type AnyObject = z.ZodObject;

export type InputOf<S> = S extends AnyObject ? z.input<S> : undefined;

/**
 * Everything about one operation, in one place. The tRPC procedure, the REST
 * route, the per-IP limit and the OpenAPI entry are all derived from it.
 */
export interface Operation<
  S extends AnyObject | null = AnyObject | null,
  O extends z.ZodType = z.ZodType,
  K extends OperationKind = OperationKind,
  A extends boolean = boolean,
> {
  kind: K;
  /** One line for people: the OpenAPI summary. */
  summary: string;
  /**
   * The input, as the core's schema (the service validates it, once); unknown
   * fields are refused. The procedure's field names; REST renames some.
   */
  input: ((schemas: InputSchemas) => S) | null;
  /** The success value (the procedure's; REST calls `message` `detail`). */
  output: O;
  /**
   * The service's expected failures this operation answers (documented in
   * OpenAPI); INVALID_INPUT, UNAUTHORIZED for a session, RATE_LIMITED for a
   * limit group and the transport's own are added where they apply.
   */
  failures: readonly ErrorCode[];
  limit: LimitGroup;
  /** Needs a live session (`otp_session` cookie); the run then sees `ctx.user`. */
  session: A;
  rest?: RestBinding;
  /** Calls the service and shapes its answer; expected failures are values. */
  run(
    ctx: A extends true ? SignedInContext : Context,
    input: InputOf<S>,
  ): Promise<Result<z.output<O>>>;
}

export type AnyOperation = Operation<AnyObject | null, z.ZodType, OperationKind, boolean>;

/** Identity, for inference: one call per operation. */
export function defineOperation<
  S extends AnyObject | null,
  O extends z.ZodType,
  K extends OperationKind,
  A extends boolean,
>(operation: Operation<S, O, K, A>): Operation<S, O, K, A> {
  return operation;
}
