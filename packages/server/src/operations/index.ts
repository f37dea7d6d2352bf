/**
 * THE declaration of every operation the API serves: tRPC path (the keys) and
 * kind, input, REST binding, per-IP limit group, session, summary. The tRPC
 * router, the REST routes, the limits and the OpenAPI document are derived
 * from this table; nothing about an operation is written anywhere else. Each
 * flow's operations live in the file beside the core's flow of the same name
 * (auth/registration.ts beside service/flows/registration.ts, ...).
 */

import { securityEvents, setLocale } from "./account/account.js";
import { confirmEmailChange, requestEmailChange } from "./account/email-change.js";
import { reauthenticate, requestReauthenticationCode } from "./account/reauthentication.js";
import { revokeSession, sessions, signOutEverywhere } from "./account/sessions.js";
import { rules, unlock } from "./auth/account.js";
import { describeLink, useLink } from "./auth/links.js";
import { requestPasswordReset, resetPassword } from "./auth/password-reset.js";
import { register, resendCode, verifyEmail } from "./auth/registration.js";
import { me, signOut } from "./auth/sessions.js";
import { requestSignInCode, signIn, signInWithCode } from "./auth/sign-in.js";
import type { AnyOperation, LimitGroup } from "./define.js";
import { mailbox } from "./dev/mailbox.js";

export type { AnyOperation, LimitGroup, Operation, RestBinding } from "./define.js";
export { MESSAGES } from "./presets.js";

const auth = {
  register,
  verifyEmail,
  resendCode,
  signIn,
  requestSignInCode,
  signInWithCode,
  requestPasswordReset,
  resetPassword,
  unlock,
  describeLink,
  useLink,
  signOut,
  me,
  rules,
};

/** The security center (issue 14) and the account's own settings. */
const account = {
  sessions,
  revokeSession,
  securityEvents,
  requestReauthenticationCode,
  reauthenticate,
  requestEmailChange,
  confirmEmailChange,
  setLocale,
  signOutEverywhere,
};

/** Mounted only when the dev mailbox is the transport (development). */
const dev = { mailbox };

/** Every operation, by tRPC namespace and procedure name. */
export const OPERATIONS = { auth, account, dev };

export type Operations = typeof OPERATIONS;

/** Every tRPC path in the table (`auth.verifyEmail`). */
export type ProcedurePath = {
  [N in keyof Operations]: `${N}.${keyof Operations[N] & string}`;
}[keyof Operations];

/** One operation with the tRPC path its place in the table gives it (`auth.verifyEmail`). */
export interface DeclaredOperation {
  procedure: string;
  operation: AnyOperation;
}

export const OPERATION_LIST: readonly DeclaredOperation[] = Object.entries(OPERATIONS).flatMap(
  ([namespace, procedures]) =>
    Object.entries(procedures as Record<string, AnyOperation>).map(([name, operation]) => ({
      procedure: `${namespace}.${name}`,
      operation,
    })),
);

/** A REST path by tRPC path, for clients, tests and the bench (`restPath("auth.verifyEmail")`). */
export function restPath(procedure: ProcedurePath): string {
  const rest = OPERATION_LIST.find((entry) => entry.procedure === procedure)?.operation.rest;
  if (rest === undefined) throw new Error(`${procedure} has no REST route`);
  return rest.path;
}

/** The tRPC URL path of a procedure (`/trpc/auth.verifyEmail`). */
export function trpcPath(procedure: ProcedurePath): string {
  return `${TRPC_PREFIX}/${procedure}`;
}

/** Where the tRPC procedures are served. */
export const TRPC_PREFIX = "/trpc";

/** The operations that spend a budget, by tRPC path (tests walk every one). */
export function proceduresIn(group: LimitGroup): string[] {
  return OPERATION_LIST.filter((entry) => entry.operation.limit === group).map(
    (entry) => entry.procedure,
  );
}
