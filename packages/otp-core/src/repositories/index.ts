export * from "./cleanup.js";
export * from "./outbox.js";
export * from "./passcodes.js";
export * from "./send-limits.js";
export * from "./users.js";
