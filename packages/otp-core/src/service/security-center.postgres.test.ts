import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineSecurityCenterContract } from "./security-center.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineSecurityCenterContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL security-center suite: ${server.reason}`);
  describe.skip(`security center on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
