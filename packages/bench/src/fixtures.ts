/**
 * Accounts and codes written straight into the database before the clock
 * starts, so every verification sends the right code without reading email.
 */
import { randomInt } from "node:crypto";
import { newRowId } from "@otp/core/db";
import { hashCode } from "@otp/core/rules";
import type { Sql } from "postgres";

export interface Account {
  userId: string;
  email: string;
  code: string;
  /** HMAC of the code as the API stores it (bound to user and code type). */
  codeHash: string;
}

const CHUNK = 5_000;

/**
 * Inserts `count` unverified accounts, each with one live VERIFICATION code
 * (valid for an hour), in bulk. Emails are `<prefix>-<n>@example.com`.
 */
export async function insertAccounts(
  sql: Sql,
  codeHmacKey: Uint8Array,
  prefix: string,
  count: number,
  passwordHash: string,
): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const chunk: Account[] = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const userId = newRowId();
      const code = String(randomInt(0, 100_000_000)).padStart(8, "0");
      chunk.push({
        userId,
        email: `${prefix}-${i}@example.com`,
        code,
        codeHash: hashCode(codeHmacKey, { userId, codeType: "VERIFICATION", code }),
      });
    }
    const ids = chunk.map((account) => account.userId);
    await sql.begin(async (tx) => {
      await tx`
        INSERT INTO users (id, email, password_hash)
        SELECT id, email, ${passwordHash}
        FROM unnest(${ids}::uuid[], ${chunk.map((account) => account.email)}::text[]) AS t(id, email)`;
      await tx`
        INSERT INTO passcodes (id, user_id, code_type, code_hash, expires_at)
        SELECT code_id, id, 'VERIFICATION', code_hash, now() + interval '1 hour'
        FROM unnest(${chunk.map(() => newRowId())}::uuid[], ${ids}::uuid[],
          ${chunk.map((account) => account.codeHash)}::text[]) AS t(code_id, id, code_hash)`;
    });
    accounts.push(...chunk);
  }
  return accounts;
}

/** Hands out prepared accounts one at a time; "exhausted" when none is left. */
export class AccountPool {
  private next = 0;
  constructor(private readonly accounts: readonly Account[]) {}
  take(): Account | undefined {
    return this.accounts[this.next++];
  }
  get used(): number {
    return Math.min(this.next, this.accounts.length);
  }
  get size(): number {
    return this.accounts.length;
  }
}
