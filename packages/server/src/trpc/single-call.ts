/**
 * One tRPC mutation, called the way tRPC's HTTP handler calls it, without its
 * Fetch round trip. tRPC's Node adapters turn every request into a Fetch
 * `Request` and read the answer back from a `Response` (`resolveResponse`):
 * about 0.6 ms of CPU per call that a REST route does not pay (BENCHMARKS.md,
 * issue 25). The web app's calls and the bench's are mostly one mutation in a
 * JSON POST; that shape is answered here, by the same procedure (its
 * middlewares, limits and deadline included), with the answer tRPC would give:
 * the same body (`{ result: { data } }` or `{ error: shape }` through the
 * router's error formatter), status, headers and `onError`. A 503's Retry-After
 * is the host's, as for its REST answers. Anything else (a batch, a query, a
 * streamed call, a body that is not JSON) returns null and goes to tRPC's own
 * handler.
 */
import type { AnyTRPCRouter, TRPCError } from "@trpc/server";
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";

export interface SingleCallOptions<TContext> {
  router: AnyTRPCRouter;
  /** The procedure's path (`auth.verifyEmail`): a comma means a batch, which is not handled here. */
  path: string;
  /** The request's method, its `batch` query parameter and its `trpc-accept` header. */
  method: string;
  batch: boolean;
  accept: string | undefined;
  /** The body as received (JSON text), or undefined when there was none. */
  body: string | undefined;
  createContext: () => TContext;
  onError?: (opts: {
    error: TRPCError;
    path: string;
    input: unknown;
    /** Undefined when making the context itself failed. */
    ctx: TContext | undefined;
  }) => void;
}

export interface SingleCallAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer to one JSON-POSTed mutation, or null when tRPC's handler must answer. */
export async function answerSingleMutation<TContext>(
  options: SingleCallOptions<TContext>,
): Promise<SingleCallAnswer | null> {
  const { router, path } = options;
  if (options.method !== "POST" || options.batch || path.includes(",")) return null;
  if (options.accept === "application/jsonl" || options.accept === "text/event-stream") return null;
  const procedures = router._def.procedures as Record<string, unknown>;
  const procedure = Object.hasOwn(procedures, path)
    ? (procedures[path] as {
        _def: { type: string };
        (call: object): Promise<unknown>;
      })
    : undefined;
  if (procedure?._def.type !== "mutation") return null;
  // No body, or one that is not JSON: tRPC's own PARSE_ERROR answer.
  if (options.body === undefined || options.body === "") return null;
  let input: unknown;
  try {
    input = JSON.parse(options.body);
  } catch {
    return null;
  }
  const config = router._def._config;
  let ctx: TContext | undefined;
  let json: object;
  try {
    ctx = options.createContext();
    const data = await procedure({
      path,
      getRawInput: async () => input,
      ctx,
      type: "mutation",
      signal: undefined,
      batchIndex: 0,
    });
    json = { result: { data } };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path, input, ctx });
    json = { error: getErrorShape({ config, ctx, error, input, path, type: "mutation" }) };
  }
  return {
    status: getHTTPStatusCode(json as never),
    headers: { vary: "trpc-accept, accept", "content-type": "application/json" },
    body: JSON.stringify(transformTRPCResponse(config, json as never)),
  };
}
