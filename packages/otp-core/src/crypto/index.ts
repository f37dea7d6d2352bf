export * from "./keys.js";
export * from "./recipient-key.js";
export * from "./sealed-payload.js";
