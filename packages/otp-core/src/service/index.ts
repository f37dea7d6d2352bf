export * from "./inputs.js";
export * from "./logger.js";
export * from "./observer.js";
export * from "./otp-service.js";
export * from "./outbox-payload.js";
export * from "./password-hasher.js";
export * from "./security-center.js";
