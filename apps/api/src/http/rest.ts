import type { Context, WireError } from "@otp/server/internal";
import {
  type EdgeAnswer,
  errorAnswer,
  type LimitGroup,
  type RestRoute,
} from "@otp/server/internal";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The per-IP budget the matched route spends (read by the limit hook, never from the URL). */
    limit?: LimitGroup;
  }
}

/**
 * The edge's REST routes as Fastify routes: node's request and reply go straight
 * to each route's answer, with no Fetch Request or Response in between.
 */
export function registerRestRoutes(
  app: FastifyInstance,
  routes: readonly RestRoute[],
  createContext: (request: FastifyRequest, reply: FastifyReply) => Context,
): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      config: { limit: route.limit },
      handler: async (request, reply) => {
        // A GET's input is its query string (`?limit=20&before=...`), checked like a body.
        const body =
          route.method === "GET" ? { ...(request.query as object) } : (request.body ?? {});
        return send(reply, await route.answer(body, createContext(request, reply)));
      },
    });
  }
}

function send(reply: FastifyReply, answer: EdgeAnswer): FastifyReply {
  if (answer.headers !== undefined) reply.headers(answer.headers);
  return reply.code(answer.status).send(answer.body);
}

export function sendError(reply: FastifyReply, wire: WireError): FastifyReply {
  return send(reply, errorAnswer(wire));
}
