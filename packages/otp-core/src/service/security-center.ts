/**
 * The account's security center: where it is signed in, ending one of those
 * sessions, and what happened to it recently. Every call is for the signed-in
 * account only; another account's session id is not found.
 */
import type { z } from "zod";
import type { Database } from "../db/client.js";
import { fail, ok, type Result } from "../errors.js";
import { listAccountSessions, revokeAccountSession } from "../repositories/account-sessions.js";
import {
  listSecurityEvents,
  type SecurityEventDetail,
  type SecurityEventType,
} from "../repositories/security-events.js";
import { type ClientContext, deviceLabel, storedClient } from "../rules/client-context.js";
import { encodeEventCursor, type InputSchemas } from "./inputs.js";
import type { Logger } from "./logger.js";

export { SECURITY_EVENT_TYPES, type SecurityEventType } from "../repositories/security-events.js";

/** One session as its owner sees it. */
export interface AccountSession {
  id: string;
  /** "Firefox on Windows", read from the User-Agent it signed in with. */
  device: string;
  ip: string | null;
  createdAt: Date;
  /** Moved forward at most once every few minutes (SESSION_LAST_SEEN_INTERVAL_SECONDS). */
  lastSeenAt: Date;
  /** The session this request came with. */
  current: boolean;
}

/** One event as its owner sees it. */
export interface AccountSecurityEvent extends SecurityEventDetail {
  id: string;
  type: SecurityEventType;
  at: Date;
  ip: string | null;
  device: string;
}

/** A page of security events and the cursor of the next one (null: the last page). */
export interface SecurityEventPage {
  events: AccountSecurityEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last one. */
  nextCursor: string | null;
}

/** The signed-in caller: the account and the session the request came with. */
export interface SessionOwner {
  userId: string;
  sessionId: string;
}

interface SecurityCenterDeps {
  db: Database;
  clock: () => Date;
  logger: Logger;
  inputs: InputSchemas;
  parse<S extends z.ZodType>(schema: S, input: unknown): Result<z.output<S>>;
}

export function createSecurityCenter({ db, clock, logger, inputs, parse }: SecurityCenterDeps) {
  return {
    /** The account's live sessions, newest first; exactly one is `current`. */
    async listSessions(owner: SessionOwner): Promise<Result<{ sessions: AccountSession[] }>> {
      const rows = await listAccountSessions(db, { userId: owner.userId, now: clock() });
      return ok({
        sessions: rows.map((row) => ({
          id: row.id,
          device: deviceLabel(row.userAgent),
          ip: row.ip,
          createdAt: row.createdAt,
          lastSeenAt: row.lastSeenAt,
          current: row.id === owner.sessionId,
        })),
      });
    },

    /**
     * Ends one session of the caller's account at once (its cookie answers
     * UNAUTHORIZED from then on) and records SESSION_REVOKED. Another
     * account's session, or none, is NOT_FOUND and changes nothing.
     */
    async revokeSession(
      owner: SessionOwner,
      input: unknown,
      client?: ClientContext,
    ): Promise<Result<{ sessionId: string; current: boolean }>> {
      const parsed = parse(inputs.revokeSession, input);
      if (!parsed.ok) return parsed;
      const { sessionId } = parsed.value;
      const ended = await revokeAccountSession(db, {
        userId: owner.userId,
        sessionId,
        event: { type: "SESSION_REVOKED", client: storedClient(client), now: clock() },
      });
      if (!ended) return fail("NOT_FOUND");
      logger.info({ userId: owner.userId, sessionId }, "session revoked");
      return ok({ sessionId, current: sessionId === owner.sessionId });
    },

    /** The account's security events, newest first, a page at a time. */
    async securityEvents(userId: string, input: unknown = {}): Promise<Result<SecurityEventPage>> {
      const parsed = parse(inputs.securityEvents, input);
      if (!parsed.ok) return parsed;
      const { cursor, limit } = parsed.value;
      const rows = await listSecurityEvents(db, { userId, before: cursor ?? null, limit });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return ok({
        events: page.map((row) => ({
          ...row.detail,
          id: row.id,
          type: row.type,
          at: row.at,
          ip: row.ip,
          device: deviceLabel(row.userAgent),
        })),
        nextCursor:
          rows.length > limit && last !== undefined
            ? encodeEventCursor({ at: last.at, id: last.id })
            : null,
      });
    },
  };
}
