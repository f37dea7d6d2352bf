import type { PasscodePolicy } from "@otp/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { httpStatusOf, type WireError, wireOfDomain, withinDeadline } from "../errors.js";
import { inProcedureSpan } from "../observability/procedure-spans.js";
import type { AnyOperation, LimitGroup } from "../operations/define.js";
import { endpointsOf } from "../operations/endpoints.js";
import { refuseUnknownFields } from "../operations/input.js";
import { authenticate, type Context } from "../trpc/context.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The per-IP budget the matched route spends (read by the limit hook, never from the URL). */
    limit?: LimitGroup;
  }
}

interface RestRouteOptions {
  policy: PasscodePolicy;
  createContext: (request: FastifyRequest, reply: FastifyReply) => Context;
}

/**
 * The REST surface, derived from the operation declarations: the seed's three
 * paths verbatim and the other flows beside them. Each route checks the body's
 * fields, renames them, and runs the same operation as its tRPC procedure; an
 * expected failure is a value all the way to the response.
 */
export function registerRestRoutes(app: FastifyInstance, options: RestRouteOptions): void {
  for (const { operation, rest, procedure } of endpointsOf(options.policy)) {
    if (rest === undefined) continue;
    const renames = rest.renames ?? {};
    const toRest = rest.toRest;
    const allowed = new Set(rest.fields);
    const status = rest.status ?? 200;
    app.route({
      method: rest.method,
      url: rest.path,
      config: { limit: operation.limit },
      handler: async (request, reply) => {
        // A GET's input is its query string (`?limit=20&before=...`), checked like a body.
        const body =
          rest.method === "GET" ? { ...(request.query as object) } : (request.body ?? {});
        const refused = refuseUnknownFields(body, allowed);
        if (refused !== undefined) return sendError(reply, refused);
        const input: Record<string, unknown> = {};
        for (const field in body as Record<string, unknown>)
          input[renames[field] ?? field] = (body as Record<string, unknown>)[field];
        const result = await withinDeadline(
          inProcedureSpan(
            procedure,
            () => runOperation(operation, options.createContext(request, reply), input),
            (ran) => (ran.ok ? undefined : ran.error.code),
          ),
        );
        if (!result.ok) return sendError(reply, renameFields(wireOfDomain(result.error), toRest));
        reply.code(status);
        return restBody(result.value as object);
      },
    });
  }
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

export function sendError(reply: FastifyReply, wire: WireError): FastifyReply {
  if (wire.retryAt !== undefined) reply.header("retry-after", retryAfterSeconds(wire.retryAt));
  return reply.code(httpStatusOf(wire.code)).send({ error: wire });
}

export function retryAfterSeconds(retryAt: string): string {
  return String(Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000)));
}
