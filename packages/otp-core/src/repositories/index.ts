export * from "./cleanup.js";
export * from "./outbox.js";
export * from "./passcode-effects.js";
export * from "./passcodes.js";
export * from "./send-limits.js";
export * from "./sessions.js";
export * from "./stats.js";
export * from "./users.js";
