import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineLocaleContract } from "./locale.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineLocaleContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL locale suite: ${server.reason}`);
  describe.skip(`account language on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
