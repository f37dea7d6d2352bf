export {
  type BackoffPolicy,
  backoffCeilingMs,
  DEFAULT_BACKOFF,
  retryDelayMs,
} from "./backoff.js";
export { type DeliveryConfig, type ParsedDeliveryEnv, parseDeliveryEnv } from "./config.js";
export {
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type DrainReport,
} from "./dispatcher.js";
export { toEmailMessage, UndeliverablePayloadError } from "./message.js";
