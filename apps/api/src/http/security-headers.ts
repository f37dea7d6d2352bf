import type { IncomingMessage, ServerResponse } from "node:http";
import helmet, { type HelmetOptions } from "helmet";

/**
 * helmet's response headers, computed once. They do not depend on the request
 * (no nonces here), so the API adds this fixed set to every response instead of
 * running helmet's middleware chain, which rebuilds and re-validates the
 * policy on every request (about a tenth of a verification's CPU in the profile).
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: number | string | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let done = false;
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error !== undefined && error !== null) throw error;
      done = true;
    },
  );
  if (!done) throw new Error("helmet did not finish synchronously");
  return headers;
}
