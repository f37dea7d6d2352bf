import { queryRows } from "@otp/core/db";
import { deriveKeys, hashCode } from "@otp/core/internal";
import {
  createTestDatabase,
  resolveTestPostgres,
  sql,
  TEST_SECRET,
  type TestBackend,
  type TestDatabase,
} from "@otp/core/testing";
import type { OutgoingMail } from "@otp/email";
import { EDGE_SETTINGS } from "@otp/env";
import { pino } from "pino";
import { createOtp } from "../src/index.js";
import { type CodeType, defineEdgeSuite, recordingTransport } from "../src/testing/edge-suite.js";

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

/**
 * The live code of `email` among the recorded mails (its hash is the unused
 * passcode's), as its owner would type it: a resent code may arrive before the
 * one it replaced.
 */
async function liveCodeFor(
  database: TestDatabase,
  sent: readonly OutgoingMail[],
  email: string,
  codeType: CodeType = "VERIFICATION",
): Promise<string> {
  const key = deriveKeys(TEST_SECRET).codeHmac;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [live] = await queryRows<{ user_id: string; code_hash: string }>(
      database.db,
      sql`SELECT p.user_id, p.code_hash FROM passcodes p JOIN users u ON u.id = p.user_id
          WHERE (u.email = ${email} OR p.new_email = ${email})
            AND p.code_type = ${codeType}::code_type AND p.is_used = false`,
    );
    for (const mail of live === undefined ? [] : sent) {
      const code = mail.meta?.code;
      if (mail.to !== email || code === undefined || live === undefined) continue;
      if (
        hashCode(key, { userId: live.user_id, codeType: codeType as "VERIFICATION", code }) ===
        live.code_hash
      )
        return code;
    }
    if (Date.now() > deadline) throw new Error(`no delivered ${codeType} code for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
    codeFor: (email, codeType) => liveCodeFor(database, mail.sent, email, codeType),
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
