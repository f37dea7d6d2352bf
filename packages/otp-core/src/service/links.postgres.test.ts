import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineLinksContract } from "./links.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineLinksContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL link suite: ${server.reason}`);
  describe.skip(`links on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
