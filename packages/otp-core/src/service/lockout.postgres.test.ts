import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineLockoutContract } from "./lockout.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineLockoutContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL lockout suite: ${server.reason}`);
  describe.skip(`lockout on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
