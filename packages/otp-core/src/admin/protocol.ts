/**
 * The local admin endpoint's messages: one JSON request line, one JSON answer
 * line, per connection, over the Unix socket the data directory's lock file
 * names (ADR 0019). Both sides validate what they read.
 */
import { z } from "zod";
import {
  OUTBOX_RETENTION_DAYS_RANGE,
  SECURITY_EVENT_RETENTION_DAYS_RANGE,
} from "../repositories/cleanup.js";

/** A request is a few hundred bytes; anything past this is refused unread. */
export const MAX_ADMIN_REQUEST_BYTES = 4096;

export const ADMIN_COMMANDS = ["migrate", "cleanup", "stats"] as const;
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];

export const adminRequestSchema = z.discriminatedUnion("command", [
  z.strictObject({ command: z.literal("migrate") }),
  z.strictObject({ command: z.literal("stats") }),
  z.strictObject({
    command: z.literal("cleanup"),
    used: z.boolean(),
    expired: z.boolean(),
    /** Only codes created before this instant; null: any age. */
    olderThan: z.iso.datetime({ offset: true }).nullable(),
    outboxRetentionDays: z
      .int()
      .min(OUTBOX_RETENTION_DAYS_RANGE.min)
      .max(OUTBOX_RETENTION_DAYS_RANGE.max),
    securityEventRetentionDays: z
      .int()
      .min(SECURITY_EVENT_RETENTION_DAYS_RANGE.min)
      .max(SECURITY_EVENT_RETENTION_DAYS_RANGE.max),
  }),
]);

export type AdminRequest = z.infer<typeof adminRequestSchema>;

/** The command's output as the CLI prints it (`lines`, or `json` with --json), or why it failed. */
export const adminAnswerSchema = z.discriminatedUnion("ok", [
  z.strictObject({ ok: z.literal(true), lines: z.array(z.string()), json: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.string() }),
]);

export type AdminAnswer = z.infer<typeof adminAnswerSchema>;
