export * from "./create-service.js";
export {
  DEFAULT_SESSION_TTL_SECONDS,
  hashSessionToken,
  SESSION_LAST_SEEN_INTERVAL_SECONDS,
} from "./flows/sessions.js";
export * from "./inputs.js";
export * from "./logger.js";
export * from "./observer.js";
export * from "./outbox-payload.js";
export * from "./password-checker.js";
export * from "./password-hasher.js";
export * from "./security-center.js";
export type * from "./types.js";
