/**
 * `pnpm db:migrate`: applies the committed migrations to DATABASE_DIRECT_URL (the
 * server itself, when DATABASE_URL names a PgBouncer) or DATABASE_URL, or to the
 * embedded PGlite database under ./.data/pglite when both are unset.
 */
import { resolve } from "node:path";
import { z } from "zod";
import { createDatabase, isPostgresUrl } from "./client.js";
import { DataDirInUseError } from "./owner.js";

const env = z
  .object({
    DATABASE_URL: z
      .string()
      .optional()
      .refine((value) => value === undefined || value === "" || isPostgresUrl(value), {
        message: "must start with postgres:// or postgresql://",
      }),
    DATABASE_DIRECT_URL: z
      .string()
      .optional()
      .refine((value) => value === undefined || value === "" || isPostgresUrl(value), {
        message: "must start with postgres:// or postgresql://",
      }),
    OTP_DATA_DIR: z.string().optional(),
  })
  .safeParse(process.env);

if (!env.success) {
  for (const issue of env.error.issues) console.error(`${issue.path.join(".")}: ${issue.message}`);
  process.exit(1);
}

const url = env.data.DATABASE_DIRECT_URL || env.data.DATABASE_URL || undefined;
const dataDir = resolve(env.data.OTP_DATA_DIR ?? ".data", "pglite");
let handle: Awaited<ReturnType<typeof createDatabase>>;
try {
  handle = await createDatabase({ url, dataDir });
} catch (error) {
  if (!(error instanceof DataDirInUseError)) throw error;
  // A running server applied the migrations when it started; `pnpm otp migrate` asks it.
  console.error(`${error.message}. While it runs, \`pnpm otp migrate\` applies them through it.`);
  process.exit(1);
}
try {
  await handle.migrate();
  console.log(
    url ? "migrations applied to the PostgreSQL server" : `migrations applied to ${dataDir}`,
  );
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
