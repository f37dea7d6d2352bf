/**
 * The service's public entry: builds the context once from the options and
 * hands it to each flow (service/flows/*), which share the code-check engine
 * (service/engine/*). Every statement lives in repositories/.
 */
import { createServiceContext, type ServiceContext } from "./context.js";
import { deviceTokenOf } from "./engine/devices.js";
import { cleanup, issueCode, setLocale, unlock } from "./flows/account.js";
import { confirmEmailChange, requestEmailChange } from "./flows/email-change.js";
import { describeLink, useLink } from "./flows/links.js";
import { requestPasswordReset, resetPassword } from "./flows/password-reset.js";
import { reauthenticate, requestReauthenticationCode } from "./flows/reauthentication.js";
import { register, resendCode, verifyEmail } from "./flows/registration.js";
import { authenticate, signOut, signOutEverywhere } from "./flows/sessions.js";
import { requestSignInCode, signIn, signInWithCode } from "./flows/sign-in.js";
import { createSecurityCenter } from "./security-center.js";
import type { OtpServiceOptions } from "./types.js";

/** The service `createOtpService` returns: every use case, each validating its input. */
export type OtpService = ReturnType<typeof createOtpService>;

/** A flow's operation with the service's context supplied. */
function withContext<A extends unknown[], R>(
  ctx: ServiceContext,
  operation: (ctx: ServiceContext, ...args: A) => R,
): (...args: A) => R {
  return (...args) => operation(ctx, ...args);
}

/** Builds the service over one database: the flows, sharing one context (keys, policy, clock). */
export function createOtpService(options: OtpServiceOptions) {
  const ctx = createServiceContext(options);
  const op = <A extends unknown[], R>(operation: (ctx: ServiceContext, ...args: A) => R) =>
    withContext(ctx, operation);
  return {
    policy: ctx.policy,
    inputs: ctx.inputs,
    ...createSecurityCenter(ctx),
    // Registration (flows/registration.ts).
    register: op(register),
    issueCode: op(issueCode),
    resendCode: op(resendCode),
    verifyEmail: op(verifyEmail),
    // Password reset (flows/password-reset.ts).
    requestPasswordReset: op(requestPasswordReset),
    resetPassword: op(resetPassword),
    // Sign-in by code and by password (flows/sign-in.ts).
    requestSignInCode: op(requestSignInCode),
    signInWithCode: op(signInWithCode),
    // Links beside the codes (flows/links.ts).
    describeLink: op(describeLink),
    useLink: op(useLink),
    signIn: op(signIn),
    // The account (flows/account.ts) and its sessions (flows/sessions.ts).
    unlock: op(unlock),
    authenticate: op(authenticate),
    setLocale: op(setLocale),
    signOut: op(signOut),
    signOutEverywhere: op(signOutEverywhere),
    // Email change (flows/email-change.ts).
    requestEmailChange: op(requestEmailChange),
    confirmEmailChange: op(confirmEmailChange),
    // Re-authentication before a step that changes how the account is reached (flows/reauthentication.ts).
    requestReauthenticationCode: op(requestReauthenticationCode),
    reauthenticate: op(reauthenticate),
    cleanup: op(cleanup),
    /** The device cookie a client keeps: the signed one it sent, or a new one (ADR 20). */
    deviceToken: op(deviceTokenOf),
  };
}
