import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineOtpServiceContract } from "./otp-service.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineOtpServiceContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL contract suite: ${server.reason}`);
  describe.skip(`service contract on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
