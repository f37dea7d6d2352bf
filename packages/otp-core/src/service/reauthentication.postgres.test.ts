import { describe, it } from "vitest";
import { resolveTestPostgres } from "../testing/index.js";
import { defineReauthenticationContract } from "./reauthentication.contract.js";

const server = await resolveTestPostgres();

if (server.available) {
  defineReauthenticationContract("postgres", server.url);
} else {
  console.warn(`[otp-core] skipping the PostgreSQL re-authentication suite: ${server.reason}`);
  describe.skip(`re-authentication on PostgreSQL (skipped: ${server.reason})`, () => {
    it("needs a PostgreSQL server", () => {});
  });
}
