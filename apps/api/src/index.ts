export { createLogger, type RunningApp, type StartOptions, startApp } from "./app.js";
export { type AppConfig, ConfigError, loadConfig } from "./config.js";
export { API_ERRORS, type ApiErrorCode, httpStatusOf, type WireError } from "./errors.js";
export { type Endpoint, endpointsOf } from "./operations/endpoints.js";
export {
  OPERATIONS,
  type ProcedurePath,
  proceduresIn,
  restPath,
  TRPC_PREFIX,
  trpcPath,
} from "./operations/index.js";
export type { AppRouter } from "./trpc/router.js";
