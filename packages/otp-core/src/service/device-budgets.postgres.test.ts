import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineDeviceBudgetsContract } from "./device-budgets.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineDeviceBudgetsContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL device-budget suite: ${server.reason}`);
  describe.skip(`device-bound budgets on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
