/** `pnpm start`: the whole product on one port. */
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
    app.close().then(
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
