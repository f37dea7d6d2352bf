/**
 * Where the suite runs and what it may touch: the real PostgreSQL server at
 * TEST_DATABASE_URL (default 127.0.0.1:5432), which must be on loopback, and
 * the secrets every scenario shares.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolveTestPostgres } from "@otp/core/testing";
import { RESULTS_DIR } from "./paths.js";

mkdirSync(RESULTS_DIR, { recursive: true });

/**
 * Fresh per test file (each file runs in its own worker): the API secret, and
 * passwords put into the SMTP and database URLs so that the log scan can prove
 * connection strings never reach a log either.
 */
export const RUN_SECRETS = {
  appSecret: `reliability-app-secret-${randomBytes(24).toString("hex")}`,
  smtpPassword: `smtp-pw-${randomBytes(12).toString("hex")}`,
  databasePassword: `db-pw-${randomBytes(12).toString("hex")}`,
} as const;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Throws unless `url`'s host is a loopback address: the suite sends traffic nowhere else. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!LOOPBACK.has(host)) {
    throw new Error(`the reliability suite only talks to loopback; refusing ${host}`);
  }
}

export const postgresServer = await resolveTestPostgres();
if (postgresServer.available) assertLoopback(postgresServer.url);
else console.warn(`[reliability] skipped: ${postgresServer.reason}`);

/** The server URL, or a skip reason (CI=true makes an unreachable server an error instead). */
export const SERVER_URL = postgresServer.available ? postgresServer.url : undefined;
