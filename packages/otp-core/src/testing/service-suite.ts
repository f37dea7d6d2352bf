import { afterAll, beforeAll, beforeEach } from "vitest";
import type { OtpService } from "../service/create-service.js";
import type { OtpServiceOptions } from "../service/types.js";
import { createTestService, T0, TestClock } from "./harness.js";
import { createTestDatabase, type TestBackend, type TestDatabase } from "./index.js";

/** What each test of a database suite works on: the suite's database, emptied, and a clock at T0. */
export interface DatabaseSuite {
  database: TestDatabase;
  clock: TestClock;
}

/** What each test of a service contract suite works on, made afresh before it. */
export interface ServiceSuite extends DatabaseSuite {
  service: OtpService;
}

/**
 * The lifecycle the suites on a test database share: one database per suite
 * (PGlite, or a PostgreSQL database of its own), emptied before each test,
 * then a clock at T0, handed to `use`. Hooks the suite registers after this
 * call run after these.
 */
export function defineDatabaseSuite(
  backend: TestBackend,
  serverUrl: string | undefined,
  use: (suite: DatabaseSuite) => void,
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
    use({ database, clock: new TestClock(T0) });
  });
}

/**
 * The lifecycle every service contract suite shares: a database suite
 * (defineDatabaseSuite) and a service on its database and clock, handed to
 * `use`. `options` adds the suite's own service options, made before each
 * test (the clock is always the suite's).
 */
export function defineServiceSuite(
  backend: TestBackend,
  serverUrl: string | undefined,
  use: (suite: ServiceSuite) => void,
  options: () => Partial<OtpServiceOptions> = () => ({}),
): void {
  defineDatabaseSuite(backend, serverUrl, ({ database, clock }) => {
    use({
      database,
      clock,
      service: createTestService(database, { ...options(), clock: clock.now }),
    });
  });
}
