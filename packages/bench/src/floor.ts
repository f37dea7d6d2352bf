/**
 * The floor: the least SQL each operation needs, through postgres.js with the
 * API's pool size, no HTTP, no validation, no send cap, no attempt budget, no
 * outbox, no delivery. Named prepared statements (postgres.js's default).
 */
import { newRowId } from "@otp/core/db";
import { generateCode, hashCode } from "@otp/core/rules";
import type { Sql } from "postgres";
import type { Account } from "./fixtures.js";

export interface FloorOperations {
  /** BEGIN; DELETE the pair's codes; INSERT one; COMMIT. */
  resend(userId: string): Promise<void>;
  /** BEGIN; conditional UPDATE passcodes ... RETURNING user_id; UPDATE users; COMMIT. */
  verify(account: Account): Promise<boolean>;
  /** BEGIN; INSERT user; INSERT code; COMMIT (argon2id is timed separately). */
  register(email: string): Promise<void>;
}

/** The statements, as listed in BENCHMARKS.md. */
export const FLOOR_SQL = {
  resend: [
    "BEGIN",
    "DELETE FROM passcodes WHERE user_id = $1 AND code_type = 'VERIFICATION'",
    "INSERT INTO passcodes (id, user_id, code_type, code_hash, expires_at) VALUES ($1, $2, 'VERIFICATION', $3, now() + interval '15 minutes')",
    "COMMIT",
  ],
  verify: [
    "BEGIN",
    "UPDATE passcodes SET is_used = true, used_at = now() WHERE user_id = $1 AND code_type = 'VERIFICATION' AND code_hash = $2 AND is_used = false AND expires_at > now() RETURNING user_id",
    "UPDATE users SET is_verified = true, verified_at = now() WHERE id = $1",
    "COMMIT",
  ],
  register: [
    "BEGIN",
    "INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)",
    "INSERT INTO passcodes (id, user_id, code_type, code_hash, expires_at) VALUES ($1, $2, 'VERIFICATION', $3, now() + interval '15 minutes')",
    "COMMIT",
  ],
};

export function createFloor(
  sql: Sql,
  codeHmacKey: Uint8Array,
  passwordHash: string,
): FloorOperations {
  const newHash = (userId: string) =>
    hashCode(codeHmacKey, { userId, codeType: "VERIFICATION", code: generateCode(8) });
  return {
    async resend(userId) {
      const codeHash = newHash(userId);
      await sql.begin(async (tx) => {
        await tx`DELETE FROM passcodes WHERE user_id = ${userId}::uuid AND code_type = 'VERIFICATION'`;
        await tx`
          INSERT INTO passcodes (id, user_id, code_type, code_hash, expires_at)
          VALUES (${newRowId()}::uuid, ${userId}::uuid, 'VERIFICATION', ${codeHash},
            now() + interval '15 minutes')`;
      });
    },

    async verify(account) {
      return sql.begin(async (tx) => {
        const consumed = await tx`
          UPDATE passcodes SET is_used = true, used_at = now()
          WHERE user_id = ${account.userId}::uuid AND code_type = 'VERIFICATION'
            AND code_hash = ${account.codeHash} AND is_used = false AND expires_at > now()
          RETURNING user_id`;
        if (consumed.length !== 1) return false;
        await tx`UPDATE users SET is_verified = true, verified_at = now() WHERE id = ${account.userId}::uuid`;
        return true;
      });
    },

    async register(email) {
      const userId = newRowId();
      const codeHash = newHash(userId);
      await sql.begin(async (tx) => {
        await tx`INSERT INTO users (id, email, password_hash) VALUES (${userId}::uuid, ${email}, ${passwordHash})`;
        await tx`
          INSERT INTO passcodes (id, user_id, code_type, code_hash, expires_at)
          VALUES (${newRowId()}::uuid, ${userId}::uuid, 'VERIFICATION', ${codeHash},
            now() + interval '15 minutes')`;
      });
    },
  };
}
