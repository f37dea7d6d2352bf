/**
 * Every expected failure the service can answer, declared once with the
 * message a person reads. Transports map these codes (never the messages) to
 * their own statuses; clients switch on the code.
 */
import type { SendLimitReason } from "./rules/send-limit.js";

/** Every error code with its message for people; the one list of the codes. */
export const ERROR_MESSAGES = {
  INVALID_INPUT: "Some of the details are not valid.",
  OTP_INVALID: "That code is not correct.",
  OTP_EXPIRED: "That code has expired. Ask for a new one.",
  OTP_ALREADY_USED: "That code has already been used.",
  OTP_REPLACED: "A newer code was sent; use the latest email.",
  TOO_MANY_ATTEMPTS: "Too many incorrect attempts. Wait a while, then try again.",
  SEND_LIMIT_REACHED: "Too many codes were sent to this address. Wait a while, then ask again.",
  USER_NOT_FOUND: "No such account.",
  INVALID_CREDENTIALS: "That email and password do not match an account.",
  EMAIL_NOT_VERIFIED: "This email address is not verified yet. Ask for a verification code.",
  UNAUTHORIZED: "Sign in to continue.",
  EMAIL_TAKEN: "That email address belongs to another account.",
  ACCOUNT_LOCKED:
    "This account is locked after too many failed attempts. If the address has an account, its owner was emailed a link to unlock it.",
  TOKEN_INVALID:
    "This unlock link does not work: it was used already, it has expired, or it was not copied whole.",
  LINK_INVALID:
    "This link does not work: a newer email replaced it, or it was not copied whole. Use the latest email, or type its code.",
  NOT_FOUND: "Your account has no such session. It may have ended already.",
  REAUTHENTICATION_REQUIRED:
    "Confirm that it is you first: enter your password, or a code we email to your address, then try again.",
} as const;

/** One of the error codes (`OTP_INVALID`, `TOO_MANY_ATTEMPTS`, ...). */
export type ErrorCode = keyof typeof ERROR_MESSAGES;
/** Every error code, listed. */
export const ERROR_CODES = Object.keys(ERROR_MESSAGES) as ErrorCode[];

/** What an error may carry besides its code and message. */
export interface ErrorDetails {
  /** OTP_INVALID: guesses left in the current window. */
  attemptsLeft?: number;
  /**
   * TOO_MANY_ATTEMPTS, SEND_LIMIT_REACHED, and OTP_INVALID when it spent the
   * last attempt: when asking again can succeed.
   */
  retryAt?: Date;
  /** SEND_LIMIT_REACHED: a cool-down between two sends, or the window's cap. */
  reason?: SendLimitReason;
  /** INVALID_INPUT: what is wrong with each field. */
  fieldErrors?: Record<string, string[]>;
}

/** An expected failure: its code, its message and its details. */
export interface DomainError extends ErrorDetails {
  code: ErrorCode;
  message: string;
}

/** What every operation answers: `{ ok: true, value }` or `{ ok: false, error }`. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function domainError(code: ErrorCode, details: ErrorDetails = {}): DomainError {
  return { code, message: ERROR_MESSAGES[code], ...details };
}

export function fail<T = never>(code: ErrorCode, details: ErrorDetails = {}): Result<T> {
  return { ok: false, error: domainError(code, details) };
}
