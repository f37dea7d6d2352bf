/**
 * THE mapping from an API error code to what the person reads. Pages never
 * look at message text from the server, and never word an error themselves:
 * they call `readApiFailure` and `describeFailure`.
 */
import type { AppRouter } from "@otp/api/router";
import { TRPCClientError, type TRPCClientErrorLike } from "@trpc/client";
import { activeCatalogue as t } from "../i18n/catalogues.js";
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

/** The compiler checks that every code the API declares has its words here (in the page's language). */
const MESSAGES: Record<FailureCode, Describe> = {
  INVALID_INPUT: ({ fieldErrors }) =>
    Object.keys(fieldErrors).length > 0 ? t().errors.checkBelow : t().errors.notValid,
  OTP_INVALID: ({ attemptsLeft, retryAt }, now, options) => {
    const words = t().errors;
    if (attemptsLeft === undefined) return words.codeWrong;
    if (attemptsLeft === 0) {
      // The wait applies to the account, not to one code: say so, so nobody asks for codes in vain.
      const when =
        retryAt === undefined
          ? words.waitAWhile
          : `${words.tryAgainAt(formatRetryAt(retryAt, now, options))} ${words.newCodeWontHelp}`;
      return words.lastTry(when);
    }
    return words.attemptsLeft(attemptsLeft);
  },
  OTP_EXPIRED: (_failure, _now, { checked }) =>
    checked === "link" ? t().errors.linkExpired : t().errors.expired,
  OTP_ALREADY_USED: (_failure, _now, { checked }) =>
    checked === "link" ? t().errors.linkAlreadyUsed : t().errors.alreadyUsed,
  OTP_REPLACED: () => t().errors.replaced,
  TOO_MANY_ATTEMPTS: ({ retryAt }, now, options) => {
    const words = t().errors;
    const password = options.checked === "password";
    if (retryAt === undefined) {
      return password ? words.tooManyPasswordsNoTime : words.tooManyCodesNoTime;
    }
    const when = words.tryAgainAt(formatRetryAt(retryAt, now, options));
    return password
      ? words.tooManyPasswords(when)
      : words.tooManyCodes(`${when} ${words.newCodeWontHelp}`);
  },
  SEND_LIMIT_REACHED: ({ retryAt, reason }, now, options) => {
    const words = t().errors;
    if (reason === "COOLDOWN") {
      return retryAt === undefined
        ? words.cooldownNoTime
        : words.cooldown(formatRetryAt(retryAt, now, options));
    }
    return retryAt === undefined
      ? words.hourlyCapNoTime
      : words.hourlyCap(formatRetryAt(retryAt, now, options));
  },
  ACCOUNT_LOCKED: () => t().errors.accountLocked,
  REAUTHENTICATION_REQUIRED: () => t().errors.reauthenticationRequired,
  LINK_INVALID: () => t().errors.linkInvalid,
  TOKEN_INVALID: () => t().errors.tokenInvalid,
  RATE_LIMITED: ({ retryAt }, now, options) =>
    retryAt === undefined
      ? t().errors.rateLimitedNoTime
      : t().errors.rateLimited(formatRetryAt(retryAt, now, options)),
  SERVICE_UNAVAILABLE: () => t().errors.unavailable,
  USER_NOT_FOUND: () => t().errors.userNotFound,
  INVALID_CREDENTIALS: () => t().errors.invalidCredentials,
  EMAIL_NOT_VERIFIED: () => t().errors.emailNotVerified,
  UNAUTHORIZED: () => t().errors.unauthorized,
  EMAIL_TAKEN: () => t().errors.emailTaken,
  NOT_FOUND: () => t().errors.notFound,
  METHOD_NOT_ALLOWED: () => t().errors.unreadableRequest,
  INVALID_JSON: () => t().errors.unreadableRequest,
  UNSUPPORTED_MEDIA_TYPE: () => t().errors.unreadableRequest,
  PAYLOAD_TOO_LARGE: () => t().errors.unreadableRequest,
  INTERNAL_ERROR: () => t().errors.internal,
  NETWORK: () => t().errors.network,
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
  return messages === undefined || messages.length === 0
    ? undefined
    : inPageLanguage(field, messages);
}

/**
 * The API words field messages in English (the core's rules, with their numbers). A page in
 * another language says what is wrong with the field in its own words instead (the rule
 * with its numbers is stated beside the field).
 */
function inPageLanguage(field: string, messages: string[]): string {
  const words = t().fieldProblems;
  if (words === null) return messages.join(" ");
  return Object.hasOwn(words.byField, field)
    ? words.byField[field as keyof typeof words.byField]
    : words.other;
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

/**
 * Problems the browser sees before asking the API, and the states of a code step; worded
 * here, like the API's (read when used, so they follow the page's language).
 */
export const FORM_MESSAGES = {
  codeIncomplete: (codeLength: number) => t().form.codeIncomplete(codeLength),
  get sameAddress() {
    return t().form.sameAddress;
  },
  get addressMalformed() {
    return t().form.addressMalformed;
  },
  get codeResent() {
    return t().form.codeResent;
  },
  attemptsStillLeft: (attemptsLeft: number) => t().form.attemptsStillLeft(attemptsLeft),
  // Only the clock time: this stays on screen, and a live region must not change every second.
  codesRefused: (until: Date, options: TimeFormatOptions = {}) =>
    t().form.codesRefused(formatClockTime(until, options), t().errors.newCodeWontHelp),
  get codesAllowedAgain() {
    return t().form.codesAllowedAgain;
  },
};

/** Every field message, for forms that show them in one place. */
export function allFieldErrors(failure: ApiFailure): string[] {
  return Object.entries(failure.fieldErrors)
    .filter(([, messages]) => messages.length > 0)
    .map(([field, messages]) => inPageLanguage(field, messages));
}

export function isTransient(failure: ApiFailure): boolean {
  return TRANSIENT.has(failure.code);
}
