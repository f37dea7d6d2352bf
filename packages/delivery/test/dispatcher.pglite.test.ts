import { describe } from "vitest";
import { defineDispatcherContract } from "./dispatcher.contract.js";

describe("dispatcher (PGlite)", () => {
  defineDispatcherContract("pglite");
});
