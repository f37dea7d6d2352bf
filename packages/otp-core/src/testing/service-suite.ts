import { afterAll, beforeAll, beforeEach } from "vitest";
import type { OtpService, OtpServiceOptions } from "../service/otp-service.js";
import { createTestService, T0, TestClock } from "./harness.js";
import { createTestDatabase, type TestBackend, type TestDatabase } from "./index.js";

/** What each test of a service contract suite works on, made afresh before it. */
export interface ServiceSuite {
  database: TestDatabase;
  clock: TestClock;
  service: OtpService;
}

/**
 * The lifecycle every service contract suite shares: one database per suite
 * (PGlite, or a PostgreSQL database of its own), emptied before each test,
 * then a clock at T0 and a service on both, handed to `use`. `options` adds
 * the suite's own service options (the clock is always the suite's).
 */
export function defineServiceSuite(
  backend: TestBackend,
  serverUrl: string | undefined,
  use: (suite: ServiceSuite) => void,
  options: () => Partial<OtpServiceOptions> = () => ({}),
): void {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend, serverUrl);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.reset();
    const clock = new TestClock(T0);
    use({
      database,
      clock,
      service: createTestService(database, { ...options(), clock: clock.now }),
    });
  });
}
