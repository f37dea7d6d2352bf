export * from "./crypto/index.js";
export * from "./errors.js";
export * from "./rules/index.js";
export * from "./service/index.js";
