/**
 * `@otp/core`: the email one-time-passcode use cases, for an app that embeds them. Every name
 * here is part of the supported API. The product's own packages reach their internals through
 * `@otp/core/internal` (no stability promise); the pure rules are `@otp/core/rules`, the
 * database `@otp/core/db`.
 */

export {
  /** Shortest server secret accepted; every key is derived from it. */
  MIN_SECRET_LENGTH,
} from "./crypto/keys.js";
// Answers and errors.
export {
  /** An expected failure: its code, message and details (`retryAt`, `fields`, ...). */
  type DomainError,
  /** Every error code, listed. */
  ERROR_CODES,
  /** Every error code with its message for people. */
  ERROR_MESSAGES,
  /** One of the error codes (`OTP_INVALID`, `TOO_MANY_ATTEMPTS`, ...). */
  type ErrorCode,
  /** The details an error may carry. */
  type ErrorDetails,
  /** What every operation answers: `{ ok: true, value }` or `{ ok: false, error }`. */
  type Result,
} from "./errors.js";
export type {
  /** The requesting client (IP address, User-Agent), for events, notices and budgets. */
  ClientContext,
} from "./rules/client-context.js";
export type {
  /** A source of random bytes (the service's default is the CSPRNG). */
  RandomBytes,
} from "./rules/code.js";
export {
  /** The code types: VERIFICATION, PASSWORD_RESET, SIGN_IN, EMAIL_CHANGE. */
  CODE_TYPES,
  /** One of `CODE_TYPES`. */
  type CodeType,
} from "./rules/code-types.js";
export {
  /** Lifetime of the device cookie that marks a known device. */
  DEVICE_COOKIE_TTL_SECONDS,
} from "./rules/device-token.js";
export {
  /** The code types a client may ask to have sent again. */
  RESENDABLE_CODE_TYPES,
  /** One of `RESENDABLE_CODE_TYPES`. */
  type ResendableCodeType,
} from "./rules/eligibility.js";

// Policy and limits.
export {
  /** The policy with every default: 8 digits, 10 minutes, 5 attempts per 15 minutes, ... */
  DEFAULT_POLICY,
  /** Longest code a policy may set. */
  MAX_CODE_LENGTH,
  /** Shortest code a policy may set. */
  MIN_CODE_LENGTH,
  /** The passcode policy, every field resolved. */
  type PasscodePolicy,
  /** A policy as given: every field optional, defaults filled in. */
  type PasscodePolicyInput,
  /** The zod schema of the policy (ranges and defaults). */
  policySchema,
  /** A policy with its defaults filled in, validated. */
  resolvePolicy,
} from "./rules/policy.js";
export {
  /** Lifetime of the registration binding token's cookie (ADR 10). */
  REGISTRATION_BINDING_TTL_SECONDS,
} from "./rules/registration-binding.js";
export {
  /** Why the send cap refused a code (`SEND_LIMITED`'s `reason`). */
  SEND_LIMIT_REASONS,
  /** One of `SEND_LIMIT_REASONS`. */
  type SendLimitReason,
} from "./rules/send-limit.js";
// The service.
export {
  /** Builds the service: every use case over one database, each input validated with zod. */
  createOtpService,
  /** The service `createOtpService` returns. */
  type OtpService,
} from "./service/create-service.js";
export {
  /** Session lifetime unless `sessionTtlSeconds` says otherwise (30 days). */
  DEFAULT_SESSION_TTL_SECONDS,
} from "./service/flows/sessions.js";
// Inputs.
export {
  /** `cleanup`'s input. */
  type CleanupInput,
  /** `confirmEmailChange`'s input. */
  type ConfirmEmailChangeInput,
  /** The zod schemas of every operation's input, for a policy (code length, locales). */
  createInputSchemas,
  /** `describeLink`'s input. */
  type DescribeLinkInput,
  /** Longest address accepted (254 characters). */
  EMAIL_MAX_LENGTH,
  /** The schemas `createInputSchemas` returns, by operation. */
  type InputSchemas,
  /** `issueCode`'s input. */
  type IssueCodeInput,
  /** Longest password accepted, in code points after NFKC. */
  PASSWORD_MAX_LENGTH,
  /** Shortest new password accepted under the default policy. */
  PASSWORD_MIN_LENGTH,
  /** `register`'s input. */
  type RegisterInput,
  /** `requestPasswordReset`'s and `requestSignInCode`'s input (an address). */
  type RequestCodeInput,
  /** `requestEmailChange`'s input. */
  type RequestEmailChangeInput,
  /** `resendCode`'s input. */
  type ResendCodeInput,
  /** `resetPassword`'s input. */
  type ResetPasswordInput,
  /** The security center's `revokeSession` input. */
  type RevokeSessionInput,
  /** The security center's event listing input (page size, cursor, direction). */
  type SecurityEventsInput,
  /** `setLocale`'s input. */
  type SetLocaleInput,
  /** `signIn`'s input (address and password). */
  type SignInInput,
  /** `signInWithCode`'s input. */
  type SignInWithCodeInput,
  /** `unlock`'s input. */
  type UnlockInput,
  /** `useLink`'s input. */
  type UseLinkInput,
  /** `verifyEmail`'s input. */
  type VerifyEmailInput,
} from "./service/inputs.js";
// Logging, metrics and password hashing.
export {
  /** The service's default logger: pino, JSON lines. */
  createDefaultLogger,
  /** pino serializers that log an error without a statement's parameters; give them to your logger. */
  LOG_SERIALIZERS,
  /** What the service logs through (pino-compatible); it never logs a code. */
  type Logger,
} from "./service/logger.js";
export {
  /** How a code check ended, as metrics count it. */
  CODE_CHECK_OUTCOMES,
  /** One of `CODE_CHECK_OUTCOMES`. */
  type CodeCheckOutcome,
  /** Told of each code issued and each code or password check (metrics); must not throw. */
  type OtpObserver,
  /** How a password check ended, as metrics count it. */
  PASSWORD_CHECK_OUTCOMES,
  /** One of `PASSWORD_CHECK_OUTCOMES`. */
  type PasswordCheckOutcome,
} from "./service/observer.js";
export {
  /** The breached-password range API asked when `PASSWORD_BREACH_CHECK` is on (Pwned Passwords). */
  DEFAULT_PASSWORD_BREACH_URL,
  /** How new passwords are rated: the service's name for zxcvbn, and the optional breach lookup. */
  type PasswordCheckOptions,
  /** Loads zxcvbn's dictionaries ahead of the first password rated (a server awaits it before it listens). */
  warmPasswordEstimator,
} from "./service/password-checker.js";
export {
  /** argon2id options: cost parameters and how many hashes run at once. */
  type Argon2Options,
  /** The argon2id hasher (libuv's thread pool, off the event loop). */
  createArgon2Hasher,
  /** The argon2id parameters: 19 MiB, t=2, p=1. */
  DEFAULT_ARGON2,
  /** Hashes and verifies passwords. */
  type PasswordHasher,
} from "./service/password-hasher.js";
export type {
  /** One of the account's security events (sign-ins, changes, lockouts). */
  AccountSecurityEvent,
  /** One of the account's sessions, as the security center lists it. */
  AccountSession,
  /** A page of security events and the cursor of the next one. */
  SecurityEventPage,
} from "./service/security-center.js";
export {
  /** The security events an account's owner sees, listed. */
  SECURITY_EVENT_TYPES,
  /** One of `SECURITY_EVENT_TYPES`. */
  type SecurityEventType,
} from "./service/security-center.js";
export type {
  /** What each address-based request answers, whatever the account's state. */
  AcceptedRequest,
  /** A code's description by its link (`describeLink`), before it is used. */
  DescribedLink,
  /** A code issued to a known account (`issueCode`). */
  IssuedCode,
  /** A new session: its token (set it as a cookie) and when it expires. */
  NewSession,
  /** `createOtpService`'s options: `db` and `secret`, then policy, clock, hasher, hooks. */
  OtpServiceOptions,
  /** `register`'s answer: the binding token the client must keep to activate its password. */
  RegisteredRequest,
  /** The account a session token belongs to (`authenticate`). */
  SignedInUser,
  /** What a link did (`useLink`), by its code type. */
  UsedLink,
  /** An account a code or password has just authenticated. */
  VerifiedAccount,
  /** `verifyEmail`'s answer: the verified account and whether its password became active. */
  VerifiedEmail,
} from "./service/types.js";
