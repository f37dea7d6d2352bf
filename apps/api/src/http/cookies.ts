import type { CookieJar, CookieOptions } from "@otp/server/internal";
import { parseCookie, stringifySetCookie } from "cookie";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The request's cookies for the edge, on node's request and reply: the
 * `Cookie` header is parsed only when an operation reads a cookie (most
 * requests never do), and `Set-Cookie` is written only when one is set, one
 * line per name (the last set or clear of a name wins). Nothing runs per
 * request otherwise: no hook, no parse, no container.
 */
export function fastifyCookieJar(request: FastifyRequest, reply: FastifyReply): CookieJar {
  let parsed: Record<string, string | undefined> | undefined;
  let written: Map<string, string> | undefined;
  const write = (name: string, line: string) => {
    written ??= new Map();
    written.set(name, line);
    // Fastify appends to set-cookie: drop what this jar wrote before, write every line again.
    reply.removeHeader("set-cookie");
    reply.header("set-cookie", [...written.values()]);
  };
  return {
    get(name) {
      parsed ??= parseCookie(request.headers.cookie ?? "");
      return parsed[name];
    },
    set: (name, value, options) => write(name, stringifySetCookie({ name, value, ...options })),
    clear: (name, options: CookieOptions) =>
      write(
        name,
        stringifySetCookie({ name, value: "", ...options, expires: new Date(0), maxAge: 0 }),
      ),
  };
}
