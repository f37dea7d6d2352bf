import { sql } from "drizzle-orm";
import { type Executor, queryRows, toDate, toDateOrNull } from "../db/rows.js";
import type { OutboxStatus } from "../db/schema.js";

export interface OutboxRow {
  id: string;
  kind: string;
  payload: Uint8Array | null;
  passcodeId: string | null;
  status: OutboxStatus;
  attempts: number;
  availableAt: Date;
  expiresAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

interface RawOutboxRow {
  id: string;
  kind: string;
  payload: Uint8Array | null;
  passcode_id: string | null;
  status: OutboxStatus;
  attempts: number;
  available_at: Date | string;
  expires_at: Date | string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
  last_error: string | null;
}

export function toOutboxRow(raw: RawOutboxRow): OutboxRow {
  return {
    id: raw.id,
    kind: raw.kind,
    payload: raw.payload === null ? null : new Uint8Array(raw.payload),
    passcodeId: raw.passcode_id,
    status: raw.status,
    attempts: raw.attempts,
    availableAt: toDate(raw.available_at),
    expiresAt: toDateOrNull(raw.expires_at),
    createdAt: toDate(raw.created_at),
    sentAt: toDateOrNull(raw.sent_at),
    lastError: raw.last_error,
  };
}

/** Every outbox row, oldest first (operations and tests; delivery claims rows itself). */
export async function listOutbox(executor: Executor): Promise<OutboxRow[]> {
  const rows = await queryRows<RawOutboxRow>(
    executor,
    sql`SELECT id, kind, payload, passcode_id, status, attempts, available_at, expires_at,
          created_at, sent_at, last_error
        FROM email_outbox ORDER BY created_at, id`,
  );
  return rows.map(toOutboxRow);
}
