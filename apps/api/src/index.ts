export {
  API_ERRORS,
  type ApiErrorCode,
  type Endpoint,
  endpointsOf,
  httpStatusOf,
  OPERATIONS,
  type ProcedurePath,
  proceduresIn,
  restPath,
  TRPC_PREFIX,
  trpcPath,
  type WireError,
} from "@otp/server/internal";
export { createLogger, type RunningApp, type StartOptions, startApp } from "./app.js";
export { type AppConfig, ConfigError, loadConfig } from "./config.js";
export type { AppRouter } from "./router.js";
