export { askOwner } from "./client.js";
export {
  type CleanupOptions,
  type CommandOutput,
  cleanupCommand,
  migrateCommand,
  statsCommand,
} from "./commands.js";
export {
  ADMIN_COMMANDS,
  type AdminAnswer,
  type AdminCommand,
  type AdminRequest,
  adminAnswerSchema,
  adminRequestSchema,
  MAX_ADMIN_REQUEST_BYTES,
} from "./protocol.js";
export { type AdminServer, type AdminServerOptions, serveAdmin } from "./server.js";
