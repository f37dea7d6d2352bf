import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineTakeoverContract } from "./takeover.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineTakeoverContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL takeover suite: ${server.reason}`);
  describe.skip(`pre-hijacking on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
