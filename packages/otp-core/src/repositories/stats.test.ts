/** `readStats`: exact on small tables; on big ones, estimates where a count would read the table. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  resolveTestPostgres,
  type TestBackend,
  type TestDatabase,
} from "../testing/index.js";
import { countOutboxByStatus } from "./outbox.js";
import { countPasscodes, readStats } from "./stats.js";

const server = await resolveTestPostgres();
const backends: TestBackend[] = server.available ? ["pglite", "postgres"] : ["pglite"];

describe.each(backends)("readStats (%s)", (backend) => {
  let database: TestDatabase;
  const now = new Date();
  beforeAll(async () => {
    database = await createTestDatabase(backend, server.available ? server.url : undefined);
    // 3,000 accounts; 6,000 used codes (2/3 VERIFICATION), 300 live and 200 expired unused
    // SIGN_IN codes; 4,000 finished emails (3/4 SENT) and 25 pending ones.
    for (const statement of [
      `INSERT INTO users (id, email) SELECT md5('u' || i)::uuid, 'u' || i || '@example.com' FROM generate_series(1, 3000) i`,
      `INSERT INTO passcodes (user_id, code_type, code_hash, is_used, expires_at) SELECT md5('u' || (1 + i % 3000))::uuid, (CASE WHEN i % 3 = 0 THEN 'PASSWORD_RESET' ELSE 'VERIFICATION' END)::code_type, 'h', true, now() - interval '1 day' FROM generate_series(1, 6000) i`,
      `INSERT INTO passcodes (user_id, code_type, code_hash, is_used, expires_at) SELECT md5('u' || i)::uuid, 'SIGN_IN', 'h', false, CASE WHEN i <= 300 THEN now() + interval '1 hour' ELSE now() - interval '1 hour' END FROM generate_series(1, 500) i`,
      `INSERT INTO email_outbox (id, kind, status, created_at) SELECT gen_random_uuid(), 'k', (CASE WHEN i % 4 = 0 THEN 'SUPERSEDED' ELSE 'SENT' END)::outbox_status, now() FROM generate_series(1, 4000) i`,
      `INSERT INTO email_outbox (id, kind, status, created_at) SELECT gen_random_uuid(), 'k', 'PENDING', now() FROM generate_series(1, 25)`,
      `ANALYZE passcodes`,
      `ANALYZE email_outbox`,
    ]) {
      await database.db.execute(sql.raw(statement));
    }
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it("counts exactly while the tables are small", async () => {
    const stats = await readStats(database.db, now);
    expect(stats.estimated).toEqual({ usedCodes: false, finishedEmails: false });
    expect(stats.codes).toEqual(await countPasscodes(database.db, now));
    expect(stats.outbox).toEqual(await countOutboxByStatus(database.db));
  });

  it("on a big table: unused codes and pending emails exact, the rest estimated", async () => {
    const stats = await readStats(database.db, now, { exactCountMaxRows: 1_000 });
    expect(stats.estimated).toEqual({ usedCodes: true, finishedEmails: true });
    expect(stats.codes.SIGN_IN).toMatchObject({ live: 300, expired: 200 });
    expect(stats.outbox.PENDING).toBe(25);
    const near = (value: number, exact: number) =>
      expect(Math.abs(value - exact)).toBeLessThanOrEqual(Math.max(50, exact * 0.05));
    near(stats.codes.VERIFICATION.used, 4000);
    near(stats.codes.PASSWORD_RESET.used, 2000);
    near(stats.codes.SIGN_IN.used, 0);
    near(stats.outbox.SENT, 3000);
    near(stats.outbox.SUPERSEDED, 1000);
    expect(stats.outbox.FAILED + stats.outbox.EXPIRED).toBeLessThanOrEqual(50);
  });
});
