/** The options of `createOtpService` and the shapes its operations answer with. */

import type { Database } from "../db/client.js";
import type { RandomBytes } from "../rules/code.js";
import type { CodeType } from "../rules/code-types.js";
import type { PasscodePolicyInput } from "../rules/policy.js";
import type { Logger } from "./logger.js";
import type { OtpObserver } from "./observer.js";
import type { PasswordCheckOptions } from "./password-checker.js";
import type { PasswordHasher } from "./password-hasher.js";

/** `createOtpService`'s options: `db` and `secret`, then policy, clock, hasher and hooks. */
export interface OtpServiceOptions {
  db: Database;
  /** The server secret (at least 32 characters); every key is derived from it. */
  secret: string;
  policy?: PasscodePolicyInput;
  /** Session lifetime; default `DEFAULT_SESSION_TTL_SECONDS` (30 days). */
  sessionTtlSeconds?: number;
  clock?: () => Date;
  randomBytes?: RandomBytes;
  logger?: Logger;
  passwordHasher?: PasswordHasher;
  /**
   * Called after a transaction that queued an email commits (wakes in-process
   * delivery). Dispatchers in other processes are woken by a coalesced NOTIFY
   * the service sends itself.
   */
  onEmailQueued?: () => void;
  /** Told of each code issued and each code check (metrics); see observer.ts. */
  observer?: OtpObserver;
  /**
   * The languages accounts may choose (`users.locale`): the email package's
   * `SUPPORTED_LOCALES`. Default: the column's default only.
   */
  locales?: readonly string[];
  /** The strength estimate's context and the optional breach lookup (password-checker.ts). */
  passwordCheck?: PasswordCheckOptions;
}

/** What every address-based request answers, whatever the account's state. */
export interface AcceptedRequest {
  email: string;
}

/** An account a code or password has just authenticated. */
export interface VerifiedAccount {
  userId: string;
  email: string;
}

/**
 * What register answers for every well-formed address: the binding token goes
 * to the registering client (an HttpOnly cookie) and must come back with the
 * code for the registration's password to become active (ADR 10). Every
 * answer carries one, whatever the account's state.
 */
export interface RegisteredRequest extends AcceptedRequest {
  bindingToken: string;
}

/** A verified address: signed in when the registering client used its own code (ADR 10). */
export interface VerifiedEmail extends VerifiedAccount {
  /** The session the verification opened, or null (the code was not tied to this client). */
  session: NewSession | null;
  /** Whether the account now has a password (false: the owner sets one by reset). */
  passwordActive: boolean;
}

/** A code issued to a known account (`issueCode`). */
export interface IssuedCode {
  passcodeId: string;
  expiresAt: Date;
  /** Codes of the pair the issue deleted (the seed logs this count). */
  deletedCount: number;
}

/** A new session: the token goes to the client (cookie) and is never stored. */
export interface NewSession {
  token: string;
  expiresAt: Date;
  userId: string;
  email: string;
  /** The device token the client keeps (its device cookie): the one it sent, or a new one. */
  deviceToken: string;
}

/** The account a session token belongs to (`authenticate`). */
export interface SignedInUser {
  /** The session this request came with. */
  sessionId: string;
  userId: string;
  email: string;
  isVerified: boolean;
  /** The account's language (`users.locale`). */
  locale: string;
  sessionExpiresAt: Date;
  /**
   * When the person at this session last proved who they are (the sign-in, or
   * `reauthenticate`): steps that change how the account is reached need it
   * within `reauthMaxAgeSeconds` (ADR 20).
   */
  authenticatedAt: Date;
}

/** What a link's token stands for, as the page that confirms it says it (nothing changed). */
export interface DescribedLink {
  step: CodeType;
  /** The address the link was mailed to (EMAIL_CHANGE: the new address; EMAIL_CHANGE_UNDO: the address it restores). */
  email: string;
}

/** A used link: the step it stood for, answered as that step's code answers. */
export type UsedLink =
  | { step: "VERIFICATION"; verified: VerifiedEmail & { deviceToken: string } }
  | { step: "SIGN_IN"; session: NewSession }
  | { step: "PASSWORD_RESET"; reset: VerifiedAccount & { sessionsRevoked: number } }
  | { step: "EMAIL_CHANGE"; changed: VerifiedAccount & { sessionsRevoked: number } }
  | { step: "REAUTHENTICATION"; reauthenticated: { authenticatedAt: Date } }
  | { step: "EMAIL_CHANGE_UNDO"; undone: VerifiedAccount & { sessionsRevoked: number } };
