/**
 * Each code type's whole effect as a code check passes it to `consumeCode`:
 * the type's CTEs (passcode-effects.ts) with the security events and the
 * device they record, and the columns read back. Every CTE reads the account
 * from `consumed` (or from what a CTE that read it returned), so nothing
 * changes unless the same statement consumed the code.
 */
import { type SQL, sql } from "drizzle-orm";
import { newDeviceExtra, rememberDeviceCtes } from "./known-devices.js";
import {
  changeEmailEffect,
  changeEmailExtra,
  type QueuedNotice,
  reauthenticateEffect,
  reauthenticateExtra,
  resetPasswordEffect,
  resetPasswordExtra,
  type SessionToInsert,
  signInEffect,
  type UndoLinkToIssue,
  undoEmailChangeEffect,
  undoEmailChangeExtra,
  verifyEmailEffect,
  verifyEmailExtra,
  verifyEmailUnboundExtra,
} from "./passcode-effects.js";
import { type SecurityEventToRecord, securityEventCte } from "./security-events.js";

/** What `consumeCode` runs with a code: its effect's CTEs and the columns read back. */
export interface CodeEffect {
  effect: SQL;
  extra?: SQL;
}

/** The account whose code the statement consumed (effects read it from the `consumed` CTE). */
const fromConsumed = sql`SELECT user_id FROM consumed`;
/** That account, if the statement also opened a session (the `session` CTE). */
const signedInFromSession = sql`SELECT user_id FROM consumed WHERE EXISTS (SELECT 1 FROM session)`;
/** The account whose address an email change switched (the `switched` CTE). */
const fromSwitched = sql`SELECT id AS user_id FROM switched`;

/**
 * VERIFICATION: EMAIL_VERIFIED recorded and the device remembered; with
 * `bound` (the registering client's own code, ADR 10) the password becomes
 * active and a session opens, recorded as SIGNED_IN.
 */
export function verificationCheckEffect(p: {
  now: Date;
  bound: { passwordHash: string; session: SessionToInsert } | null;
  verified: SecurityEventToRecord;
  signedIn: SecurityEventToRecord;
  deviceHash: string;
}): CodeEffect {
  const recorded = sql`${securityEventCte("verified_event", fromConsumed, p.verified)},
          ${rememberDeviceCtes({ source: fromConsumed, deviceHash: p.deviceHash, now: p.now })}`;
  return p.bound !== null
    ? {
        effect: sql`${verifyEmailEffect({ now: p.now, bound: p.bound })},
                ${recorded},
                ${securityEventCte("signed_in", signedInFromSession, p.signedIn)}`,
        extra: verifyEmailExtra,
      }
    : {
        effect: sql`${verifyEmailEffect({ now: p.now, bound: null })}, ${recorded}`,
        extra: verifyEmailUnboundExtra,
      };
}

/** PASSWORD_RESET: the reset's CTEs and PASSWORD_CHANGED recorded. */
export function passwordResetCheckEffect(p: {
  passwordHash: string;
  now: Date;
  notice: QueuedNotice;
  changed: SecurityEventToRecord;
  keepDevice: string | null;
}): CodeEffect {
  return {
    effect: sql`${resetPasswordEffect({
      passwordHash: p.passwordHash,
      now: p.now,
      notice: p.notice,
      keepDevice: p.keepDevice,
    })},
          ${securityEventCte("changed_event", fromConsumed, p.changed)}`,
    extra: resetPasswordExtra,
  };
}

/** SIGN_IN: the session, SIGNED_IN, and the device (with the notice if it is new). */
export function signInCheckEffect(p: {
  session: SessionToInsert;
  now: Date;
  signedIn: SecurityEventToRecord;
  deviceHash: string;
  notice: QueuedNotice;
}): CodeEffect {
  return {
    effect: sql`${signInEffect({ ...p.session, now: p.now })},
          ${securityEventCte("signed_in", signedInFromSession, p.signedIn)},
          ${rememberDeviceCtes({
            source: signedInFromSession,
            deviceHash: p.deviceHash,
            now: p.now,
            notice: p.notice,
          })}`,
    extra: newDeviceExtra,
  };
}

/** EMAIL_CHANGE: the switch, other sessions ended, the old address told (with the undo link), and EMAIL_CHANGED recorded. */
export function emailChangeCheckEffect(p: {
  now: Date;
  notice: QueuedNotice;
  changed: SecurityEventToRecord;
  keepSession: string | null;
  undo: UndoLinkToIssue;
}): CodeEffect {
  return {
    effect: sql`${changeEmailEffect({ now: p.now, notice: p.notice, keepSession: p.keepSession, undo: p.undo })},
            ${securityEventCte("changed_event", fromSwitched, p.changed)}`,
    extra: changeEmailExtra,
  };
}

/** EMAIL_CHANGE_UNDO: the address restored, every session and device ended, EMAIL_CHANGE_UNDONE recorded. */
export function emailChangeUndoCheckEffect(p: {
  now: Date;
  undone: SecurityEventToRecord;
}): CodeEffect {
  return {
    effect: sql`${undoEmailChangeEffect({ now: p.now })},
            ${securityEventCte("undone_event", sql`SELECT id AS user_id FROM restored`, p.undone)}`,
    extra: undoEmailChangeExtra,
  };
}

/** REAUTHENTICATION: the session marked as just authenticated. */
export function reauthenticationCheckEffect(p: { now: Date; sessionId: string }): CodeEffect {
  return { effect: reauthenticateEffect(p), extra: reauthenticateExtra };
}
