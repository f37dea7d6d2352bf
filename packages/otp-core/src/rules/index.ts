export * from "./attempt-budget.js";
export * from "./code.js";
export * from "./code-hash.js";
export * from "./code-types.js";
export * from "./eligibility.js";
export * from "./expiry.js";
export * from "./policy.js";
export * from "./send-limit.js";
