import {
  type Context,
  type EdgeAnswer,
  errorAnswer,
  type LimitGroup,
  type RestRoute,
  type WireError,
} from "@otp/server/internal";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { noteErrorCode } from "../observability/request-facts.js";

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
      config: { limit: route.limit, procedure: route.procedure },
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
  const code = (answer.body as { error?: WireError }).error?.code;
  if (code !== undefined) noteErrorCode(reply.request, code);
  if (answer.headers !== undefined) reply.headers(answer.headers);
  return reply.code(answer.status).send(answer.body);
}

export function sendError(reply: FastifyReply, wire: WireError): FastifyReply {
  return send(reply, errorAnswer(wire));
}
