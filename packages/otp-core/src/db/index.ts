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
export {
  ADMIN_SOCKET_FILE,
  acquireDataDirLock,
  adminSocketPath,
  DataDirInUseError,
  type DataDirLock,
  type DataDirOwner,
  describeOwner,
  liveOwnerOf,
  lockFileOf,
  OWNER_FILE,
} from "./owner.js";
export { newRowId } from "./row-id.js";
export { type Executor, queryRows } from "./rows.js";
export * from "./schema.js";
