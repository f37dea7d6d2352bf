import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineAccountFlowsContract } from "./account-flows.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineAccountFlowsContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL account-flow suite: ${server.reason}`);
  describe.skip(`account flows on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
