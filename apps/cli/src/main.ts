#!/usr/bin/env -S npx tsx
/**
 * Operations: `pnpm otp migrate | cleanup [--used] [--expired] [--older-than 30d] | stats`,
 * against DATABASE_URL, or the embedded database under DATA_DIR (./.data) when it
 * is unset. Add --json for machine-readable output.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createDatabase } from "@otp/core/db";
import {
  DEFAULT_OUTBOX_RETENTION_DAYS,
  DEFAULT_SECURITY_EVENT_RETENTION_DAYS,
} from "@otp/core/repositories";
import {
  databaseVariables,
  parseEnv,
  policyFromEnv,
  policyVariables,
  retentionVariables,
} from "@otp/env";
import {
  type CommandOutput,
  cleanupCommand,
  migrateCommand,
  parseOlderThan,
  statsCommand,
} from "./commands.js";

const USAGE = `usage: pnpm otp <command> [options]

commands:
  migrate                         apply the database migrations
  cleanup [--used] [--expired]    delete used and/or expired codes (both when neither is given),
          [--older-than 30d]      only codes created before then (s, m, h, d, or an ISO date);
                                  also finished limit windows, expired sessions and finished
                                  emails older than OUTBOX_RETENTION_DAYS, security events older
                                  than SECURITY_EVENT_RETENTION_DAYS, a few thousand rows per
                                  statement
  stats                           codes by type and state, emails by delivery state

options:
  --json                          print JSON instead of text

environment: DATABASE_URL (postgres://...; unset = embedded PGlite in $DATA_DIR/pglite), DATA_DIR,
  DATABASE_DIRECT_URL (the server itself when DATABASE_URL is a PgBouncer; for the migrations),
  DATABASE_PREPARED_STATEMENTS (false through PgBouncer in transaction mode),
  OTP_ATTEMPT_WINDOW_SECONDS, OTP_SEND_WINDOW_SECONDS, OTP_SEND_COOLDOWN_SECONDS,
  OUTBOX_RETENTION_DAYS (default ${DEFAULT_OUTBOX_RETENTION_DAYS}),
  SECURITY_EVENT_RETENTION_DAYS (default ${DEFAULT_SECURITY_EVENT_RETENTION_DAYS})`;

/** The shared variables (@otp/env) this command reads. */
const variables = {
  DATABASE_URL: databaseVariables.DATABASE_URL,
  DATABASE_DIRECT_URL: databaseVariables.DATABASE_DIRECT_URL,
  DATABASE_PREPARED_STATEMENTS: databaseVariables.DATABASE_PREPARED_STATEMENTS,
  DATA_DIR: databaseVariables.DATA_DIR,
  ...policyVariables,
  ...retentionVariables,
};

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        used: { type: "boolean", default: false },
        expired: { type: "boolean", default: false },
        "older-than": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  const [command, ...extra] = parsed.positionals;
  if (parsed.values.help === true || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (extra.length > 0) fail(`unexpected argument: ${extra.join(" ")}\n\n${USAGE}`);
  if (!["migrate", "cleanup", "stats"].includes(command))
    fail(`unknown command: ${command}\n\n${USAGE}`);

  const env = parseEnv(variables, process.env);
  if (!env.ok) fail(env.problems.join("\n"));
  const now = new Date();
  let olderThan: Date | null = null;
  const olderThanText = parsed.values["older-than"];
  if (typeof olderThanText === "string") {
    olderThan = parseOlderThan(olderThanText, now);
    if (olderThan === null)
      fail(
        `--older-than: expected a duration like 30d, 12h, 45m, 90s or an ISO date, got "${olderThanText}"`,
      );
  }

  const url = env.env.DATABASE_URL;
  const dataDir = resolve(env.env.DATA_DIR, "pglite");
  const target = url === undefined ? dataDir : "the PostgreSQL server (DATABASE_URL)";
  const database = await createDatabase({
    url,
    directUrl: env.env.DATABASE_DIRECT_URL,
    preparedStatements: env.env.DATABASE_PREPARED_STATEMENTS,
    dataDir,
    poolSize: 2,
    connectTimeoutSeconds: 5,
  });
  try {
    let output: CommandOutput;
    if (command === "migrate") {
      output = await migrateCommand(database, target);
    } else {
      await database.migrate();
      if (command === "cleanup") {
        const both = parsed.values.used !== true && parsed.values.expired !== true;
        const policy = policyFromEnv(env.env);
        output = await cleanupCommand(
          database,
          {
            used: both || parsed.values.used === true,
            expired: both || parsed.values.expired === true,
            olderThan,
            outboxRetentionDays: env.env.OUTBOX_RETENTION_DAYS,
            securityEventRetentionDays: env.env.SECURITY_EVENT_RETENTION_DAYS,
          },
          policy,
          now,
        );
      } else {
        output = await statsCommand(database, now);
      }
    }
    process.stdout.write(
      parsed.values.json === true
        ? `${JSON.stringify(output.json, null, 2)}\n`
        : `${output.lines.join("\n")}\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  const message = (error as Error).message;
  process.stderr.write(
    `otp: ${/lock|already in use|ELOCKED/i.test(message) ? `${message} (is the API running on this embedded database? stop it, or use DATABASE_URL)` : message}\n`,
  );
  process.exit(1);
});
