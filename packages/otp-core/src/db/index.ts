export {
  createDatabase,
  type Database,
  type DatabaseHandle,
  type DatabaseKind,
  type DatabaseOptions,
  isPostgresUrl,
  type PoolUsage,
  RECYCLING_ERROR_CODES,
  type StatementHook,
} from "./client.js";
export { MIGRATIONS_FOLDER, type MigrateOptions } from "./migrate.js";
export { newRowId } from "./row-id.js";
export { type Executor, queryRows } from "./rows.js";
export * from "./schema.js";
