import { resolveTestPostgres } from "@otp/core/testing";
import { describe } from "vitest";
import { defineDispatcherContract } from "./dispatcher.contract.js";

const server = await resolveTestPostgres();
if (!server.available) console.warn(`[delivery] PostgreSQL tests skipped: ${server.reason}`);

describe.skipIf(!server.available)("dispatcher (PostgreSQL)", () => {
  defineDispatcherContract("postgres", server.available ? server.url : undefined);
});
