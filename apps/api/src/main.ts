/** `pnpm start`: the whole product on one port. */
import { type AdminServer, serveAdmin } from "@otp/core/admin";
import { isDatabaseUnavailable } from "@otp/server/internal";
import { startApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

try {
  const app = await startApp(config);
  // postgres.js 3.4.9 can throw from a timer when a connection drops mid-write
  // (porsager/postgres#1066, #1154, #1208; the fix is unreleased), and a dropped
  // connection can surface as an unobserved rejection. Both are connection faults
  // (`isDatabaseUnavailable` recognises them) the pool recovers from: the API logs
  // them and keeps serving. Anything else is a bug, and the process exits so a
  // supervisor restarts it clean.
  for (const event of ["uncaughtException", "unhandledRejection"] as const) {
    process.on(event, (error: unknown) => {
      if (isDatabaseUnavailable(error)) {
        app.server.log.warn(
          { err: error, event },
          "database connection fault; the pool reconnects",
        );
        return;
      }
      app.server.log.fatal({ err: error, event }, "unexpected error; exiting");
      process.exit(1);
    });
  }
  // On the embedded database, `pnpm otp` runs its commands in this process, through a
  // local socket named in the data directory's lock file (ADR 0019).
  let admin: AdminServer | undefined;
  const lock = app.database.dataDirLock;
  if (lock !== undefined) {
    const log = app.server.log.child({ component: "admin" });
    admin = await serveAdmin({
      database: app.database,
      lock,
      policy: app.config.policy,
      onRequest: (command, error) =>
        error === undefined
          ? log.info({ command }, "admin command done")
          : log.warn({ command, err: error }, "admin command failed"),
    }).catch((error: unknown) => {
      log.warn({ err: error }, "no admin socket: pnpm otp refuses while this process runs");
      return undefined;
    });
  }
  const lines = [
    `OTP is running at ${app.url}`,
    app.config.databaseUrl === undefined
      ? `  database: embedded PGlite in ${app.config.dataDir}/pglite`
      : "  database: PostgreSQL (DATABASE_URL)",
    app.mailbox === undefined
      ? "  email: SMTP"
      : `  email: dev mailbox (open ${app.url}/mailbox to read messages)`,
  ];
  if (app.config.secretSource === "generated")
    lines.push(`  secret: generated and kept in ${app.config.dataDir}/app-secret`);
  process.stdout.write(`${lines.join("\n")}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.server.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    Promise.resolve(admin?.close())
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error) => {
          app.server.log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
} catch (error) {
  console.error(`could not start: ${(error as Error).message}`);
  process.exit(1);
}
