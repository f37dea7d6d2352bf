#!/usr/bin/env -S npx tsx
/**
 * Operations: `pnpm otp migrate | cleanup [--used] [--expired] [--older-than 30d] | stats`,
 * against DATABASE_URL, or the embedded database under DATA_DIR (./.data) when it
 * is unset. Add --json for machine-readable output.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import type { AdminRequest, CommandOutput } from "@otp/core/admin";
import { askOwner } from "@otp/core/admin/client";
import { DataDirInUseError, describeOwner, liveOwnerOf } from "@otp/core/db/owner";
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
import { parseOlderThan } from "./older-than.js";

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
  const both = parsed.values.used !== true && parsed.values.expired !== true;
  const request: AdminRequest =
    command === "cleanup"
      ? {
          command,
          used: both || parsed.values.used === true,
          expired: both || parsed.values.expired === true,
          olderThan: olderThan?.toISOString() ?? null,
          outboxRetentionDays: env.env.OUTBOX_RETENTION_DAYS,
          securityEventRetentionDays: env.env.SECURITY_EVENT_RETENTION_DAYS,
        }
      : { command: command as "migrate" | "stats" };
  const print = (output: CommandOutput) =>
    process.stdout.write(
      parsed.values.json === true
        ? `${JSON.stringify(output.json, null, 2)}\n`
        : `${output.lines.join("\n")}\n`,
    );

  // The embedded database has one owner at a time: while a server has it open, the
  // command runs in that server, through its admin socket (ADR 0019).
  if (url === undefined && existsSync(dataDir)) {
    const owner = liveOwnerOf(dataDir);
    if (owner !== undefined) {
      print(await throughOwner(dataDir, owner, request));
      return;
    }
  }

  // A short-lived process runs a handful of statements: V8's baseline WebAssembly code is
  // enough, and optimising PGlite's hot functions cost about 0.5 s of CPU more on every
  // call (measured on `stats`: 1.0 s of CPU to open the database, 0.5 s with this flag).
  if (url === undefined) setFlagsFromString("--liftoff-only");
  // Loaded only here: the drivers and PGlite are not needed to ask a running server.
  const [{ createDatabase }, { cleanupCommand, migrateCommand, statsCommand }] = await Promise.all([
    import("@otp/core/db"),
    import("@otp/core/admin"),
  ]);
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
    if (request.command === "migrate") {
      print(await migrateCommand(database, target));
      return;
    }
    await database.migrate();
    if (request.command === "stats") {
      print(await statsCommand(database, now));
      return;
    }
    print(await cleanupCommand(database, { ...request, olderThan }, policyFromEnv(env.env), now));
  } finally {
    await database.close();
  }
}

/** Runs `request` in the process that owns `dataDir`, or explains why it cannot. */
async function throughOwner(
  dataDir: string,
  owner: NonNullable<ReturnType<typeof liveOwnerOf>>,
  request: AdminRequest,
): Promise<CommandOutput> {
  const busy = `the embedded database in ${dataDir} is in use by ${describeOwner(owner)}`;
  if (owner.adminSocket === null) {
    throw new CliError(
      `${busy}, which takes no commands (another \`pnpm otp\`, or a server still starting). ` +
        `Try again when it has finished, or stop it (kill ${owner.pid}).`,
    );
  }
  let answer: Awaited<ReturnType<typeof askOwner>>;
  try {
    answer = await askOwner(owner.adminSocket, request);
  } catch (error) {
    throw new CliError(
      `${busy}, whose admin socket ${owner.adminSocket} did not answer (${(error as Error).message}). ` +
        `Try again, or stop process ${owner.pid} and run the command alone.`,
    );
  }
  if (!answer.ok)
    throw new CliError(`${request.command} failed in process ${owner.pid}: ${answer.error}`);
  return answer;
}

/** A failure explained in full by its message. */
class CliError extends Error {}

main().catch((error: unknown) => {
  // A server that took the directory between our look and our open: its message says what to do.
  const known = error instanceof CliError || error instanceof DataDirInUseError;
  process.stderr.write(`otp: ${known ? error.message : String((error as Error).message)}\n`);
  process.exit(1);
});
