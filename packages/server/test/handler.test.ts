import {
  createTestDatabase,
  deliveredLiveCode,
  resolveTestPostgres,
  TEST_SECRET,
  type TestBackend,
} from "@otp/core/testing";
import { EDGE_SETTINGS } from "@otp/env";
import { pino } from "pino";
import { createOtp } from "../src/index.js";
import { defineEdgeSuite, recordingTransport } from "../src/testing/edge-suite.js";

const server = await resolveTestPostgres();
const BACKENDS: TestBackend[] = server.available ? ["pglite", "postgres"] : ["pglite"];

/** The environment-variable names of the suite's settings, as createOtp's options. */
function optionsOf(settings: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [
      EDGE_SETTINGS[name as keyof typeof EDGE_SETTINGS],
      value === "true" || value === "false" ? value === "true" : Number(value),
    ]),
  );
}

defineEdgeSuite("createOtp().handler(Request)", BACKENDS, async (backend, settings) => {
  const database = await createTestDatabase(backend, server.available ? server.url : undefined);
  const mail = recordingTransport();
  const otp = await createOtp({
    database,
    secret: TEST_SECRET,
    appUrl: "http://localhost:3000",
    mail,
    migrate: false,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    ...optionsOf(settings),
  });
  let broken = false;
  return {
    request: (path, init) =>
      otp.handler(new Request(`http://localhost:3000${path}`, init), {
        clientAddress: "127.0.0.1",
      }),
    codeFor: (email, codeType) =>
      deliveredLiveCode(database, TEST_SECRET, () => mail.sent, email, codeType),
    async breakDatabase() {
      broken = true;
      await database.close();
    },
    async close() {
      await otp.close();
      if (!broken) await database.close();
    },
  };
});
