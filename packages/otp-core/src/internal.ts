/**
 * `@otp/core/internal`: what only the product's own packages use (the edge, delivery, the CLI,
 * the benchmarks and reliability tests): key derivation, code hashing, the sealed outbox
 * payload, Result constructors, the input schemas' parts. No stability promise: an app that
 * embeds the core uses `@otp/core`. Every module is re-exported whole here (the supported names
 * of `@otp/core` included), so a name the product needs is never out of reach.
 */
export * from "./crypto/index.js";
export * from "./errors.js";
export * from "./rules/index.js";
export {
  DEFAULT_SESSION_TTL_SECONDS,
  hashSessionToken,
  SESSION_LAST_SEEN_INTERVAL_SECONDS,
} from "./service/flows/sessions.js";
export * from "./service/inputs.js";
export * from "./service/logger.js";
export * from "./service/observer.js";
export * from "./service/outbox-payload.js";
export * from "./service/password-checker.js";
export * from "./service/password-hasher.js";
export * from "./service/security-center.js";
