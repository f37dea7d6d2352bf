/**
 * The edge over Fetch: a `Request` in, a `Response` out, for hosts that speak
 * Fetch (Hono, Next.js route handlers, Bun, Deno, workers). The REST routes
 * and tRPC procedures are the standalone server's (the same route table,
 * router, context, limits, deadline and error envelopes); only the reading of
 * the request and the writing of the answer are this file's.
 */

import { clientAddress, type ProxyTrust } from "@otp/env";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { parseCookie, stringifySetCookie } from "cookie";
import type { Edge } from "./edge.js";
import {
  type ApiErrorCode,
  describeError,
  type EdgeLogger,
  httpStatusOf,
  jsonRpcCodeOf,
  SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
  type WireError,
  wireError,
} from "./errors.js";
import { TRPC_PREFIX } from "./operations/index.js";
import { type EdgeAnswer, errorAnswer, type RestRoute } from "./rest/routes.js";
import type { CookieJar } from "./trpc/context.js";
import { answerSingleMutation } from "./trpc/single-call.js";

/** What the host knows of the request beyond the `Request` itself. */
export interface HandlerContext {
  /**
   * The address of the socket's peer. The trusted-proxy rules (`trustProxy`,
   * TRUST_PROXY) then take the client from `X-Forwarded-For` as the standalone
   * server does. Without it, every request counts against one budget: an
   * unknown client's.
   */
  clientAddress?: string;
}

export interface FetchHandlerOptions {
  edge: Edge;
  /** A prefix the routes are mounted under (`/auth`: `/auth/api/v1/...`, `/auth/trpc/...`). */
  basePath: string;
  bodyLimitBytes: number;
  /** Which X-Forwarded-For entries are proxies (TRUST_PROXY's rules). */
  trustProxy: ProxyTrust;
  logger: EdgeLogger;
}

/** The client's address under the trusted-proxy rules; one unknown client without any. */
export const UNKNOWN_CLIENT = "unknown";

export function createFetchHandler(options: FetchHandlerOptions) {
  const { edge, logger } = options;
  const basePath = options.basePath.replace(/\/+$/, "");
  const routes = new Map<string, RestRoute>();
  for (const route of edge.routes) routes.set(`${route.method} ${route.path}`, route);

  function clientOf(request: Request, context: HandlerContext | undefined): string {
    const peer = context?.clientAddress;
    if (peer === undefined || peer === "") return UNKNOWN_CLIENT;
    return clientAddress(
      options.trustProxy,
      peer,
      request.headers.get("x-forwarded-for") ?? undefined,
    );
  }

  function factsOf(request: Request, ip: string, headers: Headers) {
    return edge.contextFor({
      cookies: cookieJar(request.headers, headers),
      ip,
      userAgent: request.headers.get("user-agent") ?? undefined,
      acceptLanguage: request.headers.get("accept-language") ?? undefined,
      log: logger,
      setHeader: (name, value) => headers.set(name, value),
    });
  }

  const onProcedureError = (error: { code: string; cause?: unknown }, path: string | undefined) => {
    if (error.code === "INTERNAL_SERVER_ERROR")
      logger.error({ err: error.cause ?? error, path }, "procedure failed");
  };

  async function handleTrpc(request: Request, url: URL, path: string, ip: string) {
    const body = await readBody(request, options.bodyLimitBytes);
    if ("refused" in body) return trpcError(body.refused);
    const response =
      (await singleMutation(request, url, path, ip, body.text)) ??
      (await byTrpc(request, ip, body.text));
    // The database is unreachable, stalled or failing over: tell clients when to ask again.
    if (response.status === 503 && !response.headers.has("retry-after")) {
      response.headers.set("retry-after", String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
    }
    return response;
  }

  /** Any tRPC request, by tRPC's own handler (the body already read, under the limit). */
  function byTrpc(request: Request, ip: string, text: string | undefined): Promise<Response> {
    const forwarded =
      text === undefined
        ? request
        : new Request(request.url, {
            method: request.method,
            headers: request.headers,
            body: text,
          });
    return fetchRequestHandler({
      endpoint: `${basePath}${TRPC_PREFIX}`,
      req: forwarded,
      router: edge.router,
      allowBatching: true,
      maxBatchSize: 10,
      createContext: ({ resHeaders }) => factsOf(request, ip, resHeaders),
      onError: ({ error, path: procedure }) => onProcedureError(error, procedure),
    });
  }

  /** One JSON-POSTed mutation, called directly (trpc/single-call.ts); null: tRPC's handler. */
  async function singleMutation(
    request: Request,
    url: URL,
    path: string,
    ip: string,
    text: string | undefined,
  ): Promise<Response | null> {
    const resHeaders = new Headers();
    const single = await answerSingleMutation({
      router: edge.router,
      path: path.slice(TRPC_PREFIX.length + 1),
      method: request.method,
      batch: url.searchParams.has("batch"),
      accept: request.headers.get("trpc-accept") ?? undefined,
      body: text,
      createContext: () => factsOf(request, ip, resHeaders),
      onError: ({ error, path: procedure }) => onProcedureError(error, procedure),
    });
    if (single === null) return null;
    for (const [name, value] of Object.entries(single.headers)) resHeaders.set(name, value);
    return new Response(single.body, { status: single.status, headers: resHeaders });
  }

  async function handleRest(route: RestRoute, request: Request, url: URL, ip: string) {
    if (route.limit !== "none") {
      const refused = await edge.spend(route.limit, ip);
      if (refused !== undefined) return respond(errorAnswer(refused));
    }
    let input: unknown;
    if (route.method === "GET") {
      input = Object.fromEntries(url.searchParams);
    } else {
      const body = await readBody(request, options.bodyLimitBytes);
      if ("refused" in body) return respond(errorAnswer(body.refused));
      input = body.json ?? {};
    }
    const headers = new Headers();
    const answer = await route.answer(input, factsOf(request, ip, headers));
    return respond(answer, headers);
  }

  /** Every REST route and tRPC procedure; anything else under the base path is NOT_FOUND. */
  return async function handler(request: Request, context?: HandlerContext): Promise<Response> {
    const url = new URL(request.url);
    if (basePath !== "" && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
      return respond(errorAnswer(wireError("NOT_FOUND")));
    }
    const path = url.pathname.slice(basePath.length) || "/";
    const ip = clientOf(request, context);
    try {
      if (path === TRPC_PREFIX || path.startsWith(`${TRPC_PREFIX}/`)) {
        return await handleTrpc(request, url, path, ip);
      }
      const route = routes.get(`${request.method} ${path.endsWith("/") ? path : `${path}/`}`);
      if (route === undefined) return respond(errorAnswer(wireError("NOT_FOUND")));
      return await handleRest(route, request, url, ip);
    } catch (error) {
      const wire = describeError(error);
      if (wire.code === "INTERNAL_ERROR") logger.error({ err: error }, "request failed");
      return path.startsWith(TRPC_PREFIX) ? trpcError(wire) : respond(errorAnswer(wire));
    }
  };
}

function respond(answer: EdgeAnswer, headers: Headers = new Headers()): Response {
  headers.set("content-type", "application/json; charset=utf-8");
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers.set(name, value);
  // The database is unreachable, stalled or failing over: tell clients when to ask again.
  if (answer.status === 503 && !headers.has("retry-after")) {
    headers.set("retry-after", String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
  }
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
}

/** A refusal before tRPC ran, in tRPC's envelope (as the standalone server answers it). */
function trpcError(wire: WireError): Response {
  const httpStatus = httpStatusOf(wire.code);
  const answer = errorAnswer(wire);
  return respond({
    ...answer,
    body: {
      error: {
        message: wire.message,
        code: jsonRpcCodeOf(wire.code),
        data: { ...wire, httpStatus },
      },
    },
  });
}

type Body = { text: string | undefined; json: unknown } | { refused: WireError };

/** The body as JSON, within the size limit; only `application/json` is read. */
async function readBody(request: Request, limit: number): Promise<Body> {
  if (request.method === "GET" || request.method === "HEAD")
    return { text: undefined, json: undefined };
  const refuse = (code: ApiErrorCode): Body => ({ refused: wireError(code) });
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) return refuse("PAYLOAD_TOO_LARGE");
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > limit) return refuse("PAYLOAD_TOO_LARGE");
  const type = request.headers.get("content-type");
  if (bytes.byteLength === 0) {
    return type === null
      ? { text: undefined, json: undefined }
      : isJson(type)
        ? refuse("INVALID_JSON")
        : refuse("UNSUPPORTED_MEDIA_TYPE");
  }
  if (type === null || !isJson(type)) return refuse("UNSUPPORTED_MEDIA_TYPE");
  const text = new TextDecoder().decode(bytes);
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    return refuse("INVALID_JSON");
  }
}

function isJson(contentType: string): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType.trim());
}

/** Cookies read from the request's `Cookie` header, written as `Set-Cookie` on the answer. */
export function cookieJar(requestHeaders: Headers, answerHeaders: Headers): CookieJar {
  let parsed: Record<string, string | undefined> | undefined;
  return {
    get(name) {
      parsed ??= parseCookie(requestHeaders.get("cookie") ?? "");
      return parsed[name];
    },
    set: (name, value, options) =>
      answerHeaders.append("set-cookie", stringifySetCookie({ name, value, ...options })),
    clear: (name, options) =>
      answerHeaders.append(
        "set-cookie",
        stringifySetCookie({ name, value: "", ...options, expires: new Date(0) }),
      ),
  };
}

export type { Edge };
