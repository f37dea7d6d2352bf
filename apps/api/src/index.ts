export { createLogger, type RunningApp, type StartOptions, startApp } from "./app.js";
export { type AppConfig, ConfigError, loadConfig } from "./config.js";
export { API_ERRORS, type ApiErrorCode, type WireError } from "./errors.js";
export { REST_PATHS } from "./rest/auth-routes.js";
export type { AppRouter } from "./trpc/router.js";
