/**
 * What only the product's own packages use (the standalone server in apps/api,
 * the reliability tests, the bench): the edge's parts, by name. An app that
 * embeds the product needs only the root entry point (`createOtp`).
 */
export { createDelivery, type Delivery } from "./delivery.js";
export { createEdge, type Edge, type EdgeDependencies, type RequestFacts } from "./edge.js";
export {
  API_ERROR_CODES,
  API_ERROR_MESSAGES,
  API_ERRORS,
  type ApiErrorCode,
  ApiFailure,
  DeadlineExceeded,
  describeError,
  type EdgeLogger,
  httpStatusOf,
  isDatabaseUnavailable,
  jsonRpcCodeOf,
  PROCEDURE_DEADLINE_MS,
  SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
  transportCodeOf,
  type WireError,
  wireError,
  withinDeadline,
} from "./errors.js";
export { negotiateLocale, SUPPORTED_LOCALES } from "./locale.js";
export { inProcedureSpan } from "./observability/procedure-spans.js";
export { TRACER_NAME } from "./observability/tracer-name.js";
export type { AnyOperation, LimitGroup, Operation, RestBinding } from "./operations/define.js";
export { type Endpoint, endpointsOf } from "./operations/endpoints.js";
export {
  MESSAGES,
  OPERATION_LIST,
  OPERATIONS,
  type Operations,
  type ProcedurePath,
  proceduresIn,
  restPath,
  TRPC_PREFIX,
  trpcPath,
} from "./operations/index.js";
export {
  clientKeyOf,
  createRateLimiter,
  RATE_LIMIT_GROUPS,
  type RateLimiter,
  type RateLimitGroup,
  type RateLimitOptions,
} from "./rate-limit.js";
export { type EdgeAnswer, errorAnswer, type RestRoute, retryAfterSeconds } from "./rest/routes.js";
export {
  COOKIES,
  type Context,
  type CookieJar,
  type CookieOptions,
  type CookieRole,
  cookieName,
  SESSION_COOKIE,
} from "./trpc/context.js";
export { type AppRouter, createAppRouter, createProductionRouter } from "./trpc/router.js";
export {
  answerSingleMutation,
  type SingleCallAnswer,
  type SingleCallOptions,
} from "./trpc/single-call.js";
