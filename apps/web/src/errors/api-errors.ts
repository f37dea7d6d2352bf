/**
 * THE mapping from an API error code to what the person reads. Pages never
 * look at message text from the server, and never word an error themselves:
 * they call `readApiFailure` and `describeFailure`.
 */
import type { AppRouter } from "@otp/api/router";
import { TRPCClientError, type TRPCClientErrorLike } from "@trpc/client";
import { formatClockTime, formatRetryAt, type TimeFormatOptions } from "../time/retry-time.js";

type WireErrorData = NonNullable<TRPCClientErrorLike<AppRouter>["data"]>;

/** Every code the API can answer with; declared once, in the API, and read here from its types. */
export type ApiErrorCode = WireErrorData["code"];

/** The API's codes, plus the one failure only a client sees: no usable answer at all. */
export type FailureCode = ApiErrorCode | "NETWORK";

/** SEND_LIMIT_REACHED: a cool-down between two sends, or the hour's cap. */
export type SendLimitReason = NonNullable<WireErrorData["reason"]>;

export interface ApiFailure {
  code: FailureCode;
  /** OTP_INVALID: guesses left in the current window. */
  attemptsLeft?: number;
  /**
   * TOO_MANY_ATTEMPTS, SEND_LIMIT_REACHED, RATE_LIMITED, and OTP_INVALID on
   * the last try: when asking again can succeed.
   */
  retryAt?: Date;
  reason?: SendLimitReason;
  /** INVALID_INPUT: what is wrong with each field, worded by the API. */
  fieldErrors: Record<string, string[]>;
}

export interface FailureMessage {
  code: FailureCode;
  text: string;
  /** The way out is a new code (the old one expired or was used). */
  offerResend: boolean;
}

/** What the failed call was checking: a code, a password (sign-in), or an emailed link. */
export type Checked = "code" | "password" | "link";

type Describe = (
  failure: ApiFailure,
  now: Date,
  options: TimeFormatOptions & { checked?: Checked },
) => string;

const UNREADABLE_REQUEST =
  "The service could not read this request. Reload the page and try again.";

/** The wait applies to the account, not to one code: say so, so nobody asks for codes in vain. */
const NEW_CODE_WONT_HELP = "A new code will not help before then.";

/** The compiler checks that every code the API declares has its words here. */
const MESSAGES: Record<FailureCode, Describe> = {
  INVALID_INPUT: ({ fieldErrors }) =>
    Object.keys(fieldErrors).length > 0
      ? "Check the details below."
      : "Some of the details are not valid.",
  OTP_INVALID: ({ attemptsLeft, retryAt }, now, options) => {
    if (attemptsLeft === undefined) return "That code is not correct. Check the latest email.";
    if (attemptsLeft === 0) {
      const when =
        retryAt === undefined
          ? "Wait a while before trying again."
          : `You can try again ${formatRetryAt(retryAt, now, options)}. ${NEW_CODE_WONT_HELP}`;
      return `That code is not correct, and that was the last try for now. ${when}`;
    }
    const attempts = attemptsLeft === 1 ? "1 attempt" : `${attemptsLeft} attempts`;
    return `That code is not correct. You have ${attempts} left.`;
  },
  OTP_EXPIRED: (_failure, _now, { checked }) =>
    checked === "link"
      ? "This link has expired, like the code beside it. Ask for a new email."
      : "That code has expired. Send a new code, then enter it here.",
  OTP_ALREADY_USED: (_failure, _now, { checked }) =>
    checked === "link"
      ? "This link, or the code beside it, has already been used. Nothing more to do here if that was you."
      : "That code has already been used. If your email is not verified yet, send a new code.",
  OTP_REPLACED: () =>
    "That code was replaced by a newer one. Enter the code from the latest email (this try was not counted).",
  TOO_MANY_ATTEMPTS: ({ retryAt }, now, options) => {
    const what = options.checked === "password" ? "passwords" : "codes";
    if (retryAt === undefined) return `Too many incorrect ${what}. Wait a while, then try again.`;
    const when = `You can try again ${formatRetryAt(retryAt, now, options)}.`;
    return options.checked === "password"
      ? `Too many incorrect passwords for this account. ${when} Or sign in with a code instead.`
      : `Too many incorrect codes. ${when} ${NEW_CODE_WONT_HELP}`;
  },
  SEND_LIMIT_REACHED: ({ retryAt, reason }, now, options) => {
    if (reason === "COOLDOWN") {
      return retryAt === undefined
        ? "A code was sent a moment ago. Wait a little, then ask again."
        : `A code was sent a moment ago. You can ask for another ${formatRetryAt(retryAt, now, options)}.`;
    }
    return retryAt === undefined
      ? "The most codes allowed in an hour were sent to this address. Wait a while, then ask again."
      : `The most codes allowed in an hour were sent to this address. You can ask for another ${formatRetryAt(retryAt, now, options)}. The latest code still works until it expires.`;
  },
  ACCOUNT_LOCKED: () =>
    "This account is locked after too many failed attempts. We emailed its address a link to unlock it: open the latest unlock email, then try again.",
  LINK_INVALID: () =>
    "This link does not work: a newer email replaced it, or it was not copied whole. Use the latest email, or type its code.",
  TOKEN_INVALID: () =>
    "This unlock link does not work: it was already used, or it has expired. If the account is still locked, look for a newer unlock email.",
  RATE_LIMITED: ({ retryAt }, now, options) =>
    retryAt === undefined
      ? "Too many requests from your network. Wait a minute, then try again."
      : `Too many requests from your network. You can try again ${formatRetryAt(retryAt, now, options)}.`,
  SERVICE_UNAVAILABLE: () => "The service is temporarily unavailable. Try again in a moment.",
  USER_NOT_FOUND: () => "There is no account for this address.",
  INVALID_CREDENTIALS: () =>
    "That email and password do not match an account. Check both, or reset your password.",
  EMAIL_NOT_VERIFIED: () =>
    "This email address is not verified yet. Send a verification code to it, enter the code, then sign in.",
  UNAUTHORIZED: () => "Sign in to continue.",
  EMAIL_TAKEN: () =>
    "That email address now belongs to another account. Choose a different address.",
  NOT_FOUND: () => "This is not available here.",
  METHOD_NOT_ALLOWED: () => UNREADABLE_REQUEST,
  INVALID_JSON: () => UNREADABLE_REQUEST,
  UNSUPPORTED_MEDIA_TYPE: () => UNREADABLE_REQUEST,
  PAYLOAD_TOO_LARGE: () => UNREADABLE_REQUEST,
  INTERNAL_ERROR: () => "Something went wrong on our side. Try again in a moment.",
  NETWORK: () => "The service could not be reached. Check your connection, then try again.",
};

const OFFER_RESEND = new Set<FailureCode>(["OTP_EXPIRED", "OTP_ALREADY_USED"]);

/** Failures worth an automatic retry: the request may succeed unchanged a moment later. */
const TRANSIENT = new Set<FailureCode>(["NETWORK", "SERVICE_UNAVAILABLE"]);

function isFailureCode(value: unknown): value is FailureCode {
  return typeof value === "string" && Object.hasOwn(MESSAGES, value);
}

function isFieldErrors(value: unknown): value is Record<string, string[]> {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.values(value).every(
      (messages) => Array.isArray(messages) && messages.every((m) => typeof m === "string"),
    )
  );
}

/** The code and details of anything a tRPC call threw, read from `error.data` only. */
export function readApiFailure(error: unknown): ApiFailure {
  if (!(error instanceof TRPCClientError)) return { code: "INTERNAL_ERROR", fieldErrors: {} };
  const data: unknown = error.data;
  // No body in the API's shape: the request never reached it, or a proxy answered.
  if (typeof data !== "object" || data === null) return { code: "NETWORK", fieldErrors: {} };
  const wire = data as Partial<Record<keyof WireErrorData, unknown>>;
  const failure: ApiFailure = {
    code: isFailureCode(wire.code) ? wire.code : "INTERNAL_ERROR",
    fieldErrors: isFieldErrors(wire.fieldErrors) ? wire.fieldErrors : {},
  };
  if (typeof wire.attemptsLeft === "number") failure.attemptsLeft = wire.attemptsLeft;
  if (wire.reason === "COOLDOWN" || wire.reason === "HOURLY_CAP") failure.reason = wire.reason;
  if (typeof wire.retryAt === "string") {
    const retryAt = new Date(wire.retryAt);
    if (!Number.isNaN(retryAt.getTime())) failure.retryAt = retryAt;
  }
  return failure;
}

/** What to tell the person about a failure. `now` and `options` are for the retry time. */
export function describeFailure(
  failure: ApiFailure,
  now: Date = new Date(),
  options: TimeFormatOptions & { checked?: Checked } = {},
): FailureMessage {
  return {
    code: failure.code,
    text: MESSAGES[failure.code](failure, now, options),
    offerResend: OFFER_RESEND.has(failure.code),
  };
}

/**
 * What to say when a code was refused: the code's message, or for a malformed
 * code or address (INVALID_INPUT) the API's own words for the field.
 */
export function codeMessage(failure: ApiFailure, now: Date = new Date()): FailureMessage {
  const described = describeFailure(failure, now);
  if (failure.code === "INVALID_INPUT") {
    const fields = allFieldErrors(failure);
    if (fields.length > 0) return { ...described, text: fields.join(" ") };
  }
  return described;
}

/** The API's words for one field, or undefined when that field is fine. */
export function fieldError(failure: ApiFailure | undefined, field: string): string | undefined {
  const messages = failure?.fieldErrors[field];
  return messages === undefined || messages.length === 0 ? undefined : messages.join(" ");
}

/**
 * A failure as a form shows it: the API's words beside each of the form's own
 * `fields`, or, when none of them is at fault, one message for the whole form
 * (field errors the form has no field for, else the code's message).
 */
export interface FormFailure<F extends string> {
  fields: Partial<Record<F, string>>;
  /** The first of `fields` (in the order given) to fix: focus goes there. */
  firstField: F | undefined;
  message: string | undefined;
}

export function formFailure<F extends string>(
  failure: ApiFailure | undefined,
  fields: readonly F[],
  checked?: Checked,
): FormFailure<F> {
  const result: FormFailure<F> = { fields: {}, firstField: undefined, message: undefined };
  if (failure === undefined) return result;
  for (const field of fields) {
    const text = fieldError(failure, field);
    if (text === undefined) continue;
    result.fields[field] = text;
    result.firstField ??= field;
  }
  if (result.firstField === undefined) {
    result.message =
      allFieldErrors(failure).join(" ") ||
      describeFailure(failure, new Date(), checked === undefined ? {} : { checked }).text;
  }
  return result;
}

/**
 * Until when codes are refused after this failure: the attempt budget is
 * spent (TOO_MANY_ATTEMPTS, or the last wrong try). A new code does not
 * change it. Undefined when codes are not refused for a time.
 */
export function codesRefusedUntil(failure: ApiFailure): Date | undefined {
  if (failure.code === "TOO_MANY_ATTEMPTS") return failure.retryAt;
  if (failure.code === "OTP_INVALID" && failure.attemptsLeft === 0) return failure.retryAt;
  return undefined;
}

/** Problems the browser sees before asking the API, and the states of a code step; worded here, like the API's. */
export const FORM_MESSAGES = {
  codeIncomplete: (codeLength: number) => `Enter all ${codeLength} digits of the code.`,
  sameAddress: "That is already the address of your account. Enter a different one.",
  addressMalformed: "Enter an email address like name@example.com.",
  codeResent: "A new code was sent. Earlier codes no longer work.",
  // Only the clock time: this stays on screen, and a live region must not change every second.
  codesRefused: (until: Date, options: TimeFormatOptions = {}) =>
    `After too many incorrect codes, codes are refused until ${formatClockTime(until, options)}. ${NEW_CODE_WONT_HELP}`,
  codesAllowedAgain: "You can enter a code again now.",
} as const;

/** Every field message, for forms that show them in one place. */
export function allFieldErrors(failure: ApiFailure): string[] {
  return Object.values(failure.fieldErrors).flat();
}

export function isTransient(failure: ApiFailure): boolean {
  return TRANSIENT.has(failure.code);
}
