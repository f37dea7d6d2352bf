import { createInputSchemas, type InputSchemas, type PasscodePolicy } from "@otp/core";
import type { TRPCMutationProcedure, TRPCQueryProcedure } from "@trpc/server";
import type { z } from "zod";
import { trpcFailure, unwrap } from "../errors.js";
import { SUPPORTED_LOCALES } from "../locale.js";
import type { AnyOperation, InputOf, LimitGroup, Operation } from "../operations/define.js";
import { OPERATIONS, type Operations } from "../operations/index.js";
import { acceptOnlyFields } from "../operations/input.js";
import { authenticate } from "./context.js";
import { type ApiErrorShape, baseProcedure, middleware, router } from "./init.js";

/**
 * The per-IP limit runs inside each procedure tRPC resolved, so every spelling
 * of its URL, and each call of a batch, spends the budget of its own group.
 */
const limitMiddlewares = {
  send: middleware(async ({ ctx, next }) => {
    const refused = await ctx.spendLimit("send");
    if (refused !== undefined) throw trpcFailure(refused);
    return next();
  }),
  guess: middleware(async ({ ctx, next }) => {
    const refused = await ctx.spendLimit("guess");
    if (refused !== undefined) throw trpcFailure(refused);
    return next();
  }),
} satisfies Record<Exclude<LimitGroup, "none">, unknown>;

const signedIn = middleware(async ({ ctx, next }) => {
  const user = unwrap(await authenticate(ctx));
  return next({ ctx: { ...ctx, user } });
});

type ProcedureOf<Op> =
  Op extends Operation<infer S, infer O, infer K, boolean>
    ? K extends "query"
      ? TRPCQueryProcedure<{
          input: InputOf<S>;
          output: z.output<O>;
          meta: object;
          errorShape: ApiErrorShape;
        }>
      : TRPCMutationProcedure<{
          input: InputOf<S>;
          output: z.output<O>;
          meta: object;
          errorShape: ApiErrorShape;
        }>
    : never;

type ProceduresOf<T> = { [P in keyof T]: ProcedureOf<T[P]> };

function procedureFor(operation: AnyOperation, schemas: InputSchemas) {
  let procedure = baseProcedure;
  if (operation.limit !== "none") procedure = procedure.use(limitMiddlewares[operation.limit]);
  if (operation.session) procedure = procedure.use(signedIn);
  const schema = operation.input?.(schemas) ?? null;
  const withInput = schema === null ? procedure : procedure.input(acceptOnlyFields(schema));
  const resolve = async ({ ctx, input }: { ctx: unknown; input: unknown }) =>
    unwrap(await operation.run(ctx as never, input as never));
  return operation.kind === "query" ? withInput.query(resolve) : withInput.mutation(resolve);
}

function proceduresFor<T extends Record<string, AnyOperation>>(
  operations: T,
  schemas: InputSchemas,
): ProceduresOf<T> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [name, procedureFor(operation, schemas)]),
  ) as unknown as ProceduresOf<T>;
}

/** The full router, derived from the declarations; `dev` is mounted only with the dev mailbox. */
export function createAppRouter(policy: PasscodePolicy) {
  const schemas = createInputSchemas(policy, SUPPORTED_LOCALES);
  return router({
    auth: router(proceduresFor(OPERATIONS.auth, schemas)),
    account: router(proceduresFor(OPERATIONS.account, schemas)),
    dev: router(proceduresFor(OPERATIONS.dev, schemas)),
  });
}

/** The same API without the development-only procedures (production). */
export function createProductionRouter(policy: PasscodePolicy) {
  const schemas = createInputSchemas(policy, SUPPORTED_LOCALES);
  return router({
    auth: router(proceduresFor(OPERATIONS.auth, schemas)),
    account: router(proceduresFor(OPERATIONS.account, schemas)),
  });
}

/** The router's type, for clients (the web app imports it as a type only). */
export type AppRouter = ReturnType<typeof createAppRouter>;
export type { Operations };
