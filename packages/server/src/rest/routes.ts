import type { PasscodePolicy } from "@otp/core";
import { httpStatusOf, type WireError, wireOfDomain, withinDeadline } from "../errors.js";
import { inProcedureSpan } from "../observability/procedure-spans.js";
import type { AnyOperation, LimitGroup } from "../operations/define.js";
import { endpointsOf } from "../operations/endpoints.js";
import { refuseUnknownFields } from "../operations/input.js";
import { authenticate, type Context } from "../trpc/context.js";

/** An answer of the edge, whatever carries it: status, JSON body and extra headers. */
export interface EdgeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** One REST route: where it is, the per-IP budget it spends, and how it answers. */
export interface RestRoute {
  method: "GET" | "POST";
  path: string;
  /** The budget the matched route spends (read by the host's limit step, never from the URL). */
  limit: LimitGroup;
  procedure: string;
  /** Checks the body's (a GET: the query's) fields, renames them and runs the operation. */
  answer(input: unknown, ctx: Context): Promise<EdgeAnswer>;
}

/**
 * The REST surface, derived from the operation declarations: the seed's three
 * paths verbatim and the other flows beside them. Each route checks the body's
 * fields, renames them, and runs the same operation as its tRPC procedure; an
 * expected failure is a value all the way to the response.
 */
export function restRoutes(policy: PasscodePolicy): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const { operation, rest, procedure } of endpointsOf(policy)) {
    if (rest === undefined) continue;
    const renames = rest.renames ?? {};
    const toRest = rest.toRest;
    const allowed = new Set(rest.fields);
    const status = rest.status ?? 200;
    routes.push({
      method: rest.method,
      path: rest.path,
      limit: operation.limit,
      procedure,
      async answer(body, ctx) {
        const refused = refuseUnknownFields(body, allowed);
        if (refused !== undefined) return errorAnswer(refused);
        const input: Record<string, unknown> = {};
        for (const field in body as Record<string, unknown>)
          input[renames[field] ?? field] = (body as Record<string, unknown>)[field];
        const result = await withinDeadline(
          inProcedureSpan(
            procedure,
            () => runOperation(operation, ctx, input),
            (ran) => (ran.ok ? undefined : ran.error.code),
          ),
        );
        if (!result.ok) return errorAnswer(renameFields(wireOfDomain(result.error), toRest));
        return { status, body: restBody(result.value as object) };
      },
    });
  }
  return routes;
}

async function runOperation(operation: AnyOperation, ctx: Context, input: unknown) {
  if (!operation.session) return operation.run(ctx as never, input as never);
  const user = await authenticate(ctx);
  if (!user.ok) return user;
  return operation.run({ ...ctx, user: user.value } as never, input as never);
}

/** Procedure results carry `message`; REST bodies call it `detail`, as the seed's API did. */
function restBody(result: object): object {
  const { message, ...rest } = result as { message?: string };
  return message === undefined ? rest : { detail: message, ...rest };
}

/** Field errors in the REST body's own names. */
function renameFields(wire: WireError, toRest: Record<string, string>): WireError {
  if (wire.fieldErrors === undefined) return wire;
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(wire.fieldErrors)) {
    fieldErrors[toRest[field] ?? field] = messages;
  }
  return { ...wire, fieldErrors };
}

/** The REST error envelope `{ error }` with its status (and Retry-After when it has a time). */
export function errorAnswer(wire: WireError): EdgeAnswer {
  const answer: EdgeAnswer = { status: httpStatusOf(wire.code), body: { error: wire } };
  if (wire.retryAt !== undefined)
    answer.headers = { "retry-after": retryAfterSeconds(wire.retryAt) };
  return answer;
}

export function retryAfterSeconds(retryAt: string): string {
  return String(Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000)));
}
