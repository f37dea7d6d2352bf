import { sql } from "drizzle-orm";
import { queryRows } from "../db/rows.js";
import { createOtpService } from "../service/create-service.js";
import type { Logger } from "../service/logger.js";
import { NO_RECIPIENT_KIND } from "../service/outbox-payload.js";
import { createArgon2Hasher } from "../service/password-hasher.js";
import type { OtpServiceOptions } from "../service/types.js";
import type { TestDatabase } from "./index.js";

export const TEST_SECRET = "test-secret-for-the-contract-suite-0123456789";
export const T0 = new Date("2025-12-01T11:30:00.000Z");

/** A clock the test moves by hand. */
export class TestClock {
  private current: Date;
  constructor(start: Date = T0) {
    this.current = new Date(start);
  }
  readonly now = (): Date => new Date(this.current);
  set(value: Date): void {
    this.current = new Date(value);
  }
  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export interface LogLine {
  level: "info" | "warn" | "error";
  fields: object;
  message: string;
}

export function captureLogger(lines: LogLine[]): Logger {
  return {
    info: (fields, message) => lines.push({ level: "info", fields, message }),
    warn: (fields, message) => lines.push({ level: "warn", fields, message }),
    error: (fields, message) => lines.push({ level: "error", fields, message }),
  };
}

/** Real argon2id at a low cost, so suites that register many accounts stay quick. */
export const cheapArgon2 = createArgon2Hasher({ memoryCost: 1024, timeCost: 1 });

export function createTestService(
  database: TestDatabase,
  overrides: Partial<OtpServiceOptions> = {},
) {
  return createOtpService({
    db: database.db,
    secret: TEST_SECRET,
    passwordHasher: cheapArgon2,
    logger: captureLogger([]),
    ...overrides,
  });
}

export interface PasscodeState {
  id: string;
  email: string;
  code_type: string;
  code_hash: string;
  is_used: boolean;
  expires_at: string;
  created_at: string;
  used_at: string | null;
}

/** The passcodes table as the seed draws it, with the owner's address. */
export async function passcodeTable(database: TestDatabase): Promise<PasscodeState[]> {
  return queryRows<PasscodeState>(
    database.db,
    sql`SELECT p.id, u.email, p.code_type::text AS code_type, p.code_hash, p.is_used,
          to_char(p.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS expires_at,
          to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS created_at,
          to_char(p.used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS used_at
        FROM passcodes p JOIN users u ON u.id = p.user_id
        ORDER BY u.email, p.code_type, p.created_at`,
  );
}

export interface UserState {
  id: string;
  email: string;
  password_hash: string;
  is_verified: boolean;
  verified_at: string | null;
  updated_at: string;
}

export async function userTable(database: TestDatabase): Promise<UserState[]> {
  return queryRows<UserState>(
    database.db,
    sql`SELECT id, email, password_hash, is_verified,
          to_char(verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS verified_at,
          to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS updated_at
        FROM users ORDER BY email`,
  );
}

/** Users, passcodes and outbox (its emails: no decoy), for "nothing changed" assertions. */
export async function snapshot(database: TestDatabase) {
  const outbox = await queryRows<{ id: string; status: string }>(
    database.db,
    sql`SELECT id, status::text AS status FROM email_outbox
        WHERE kind <> ${NO_RECIPIENT_KIND} ORDER BY created_at, id`,
  );
  return { users: await userTable(database), passcodes: await passcodeTable(database), outbox };
}

export async function attemptFailures(
  database: TestDatabase,
  email: string,
): Promise<number | null> {
  const rows = await queryRows<{ failures: number }>(
    database.db,
    sql`SELECT a.failures FROM otp_attempts a JOIN users u ON u.id = a.user_id
        WHERE u.email = ${email} AND a.code_type = 'VERIFICATION'`,
  );
  return rows[0]?.failures ?? null;
}

/** Each live code's hash and the hash of the code it replaced, oldest first. */
export async function replacedCodeHashes(database: TestDatabase) {
  return queryRows<{ code_hash: string; replaced_code_hash: string | null }>(
    database.db,
    sql`SELECT code_hash, replaced_code_hash FROM passcodes ORDER BY created_at, id`,
  );
}

/** The pending registration password and client binding of every code, oldest first (ADR 10). */
export async function pendingPasswords(database: TestDatabase) {
  return queryRows<{
    email: string;
    code_type: string;
    is_used: boolean;
    pending_password_hash: string | null;
    binding_hash: string | null;
  }>(
    database.db,
    sql`SELECT u.email, p.code_type::text AS code_type, p.is_used, p.pending_password_hash, p.binding_hash
        FROM passcodes p JOIN users u ON u.id = p.user_id ORDER BY p.created_at`,
  );
}

/**
 * A session whose person proved who they are at the clock's present moment
 * (ADR 20): what a step that changes how the account is reached needs. Its id
 * names no session, so an email change confirmed with it ends every session.
 */
export function justAuthenticated(clock: { now: () => Date }) {
  return { sessionId: "00000000-0000-4000-8000-000000000000", authenticatedAt: clock.now() };
}
