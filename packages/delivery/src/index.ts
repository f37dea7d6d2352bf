export {
  type BackoffPolicy,
  backoffCeilingMs,
  DEFAULT_BACKOFF,
  retryDelayMs,
} from "./backoff.js";
export { type DeliveryConfig, type ParsedDeliveryEnv, parseDeliveryEnv } from "./config.js";
export {
  createDispatcher,
  type DeliveryObserver,
  type Dispatcher,
  type DispatcherOptions,
  type DrainReport,
  EMAIL_OUTCOMES,
  type EmailOutcome,
} from "./dispatcher.js";
export { toEmailMessage, UndeliverablePayloadError } from "./message.js";
