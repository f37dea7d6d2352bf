import type { CodeType } from "../rules/code-types.js";

/** How a code check ended, as an operator counts it. */
export const CODE_CHECK_OUTCOMES = ["success", "invalid", "expired", "used", "blocked"] as const;
/** One of `CODE_CHECK_OUTCOMES`. */
export type CodeCheckOutcome = (typeof CODE_CHECK_OUTCOMES)[number];

/**
 * How a password sign-in ended, as an operator counts it: `wrong` is a wrong
 * password or an address with no account (they answer alike), `unverified` the
 * right password of an unverified account, `blocked` refused before comparing
 * (the password budget or the account lock).
 */
export const PASSWORD_CHECK_OUTCOMES = ["success", "wrong", "unverified", "blocked"] as const;
/** One of `PASSWORD_CHECK_OUTCOMES`. */
export type PasswordCheckOutcome = (typeof PASSWORD_CHECK_OUTCOMES)[number];

/**
 * What the service tells an observer (metrics, in the API): plain calls with
 * no library behind them, so the core depends on no metrics client. Each is
 * called after the fact it reports is committed; an observer that throws is
 * ignored (it must never change an answer).
 */
export interface OtpObserver {
  /** A code was issued and its email queued (committed). */
  codeIssued?(codeType: CodeType): void;
  /** A code check ended (a database fault, which answers 503, is not a check). */
  codeChecked?(codeType: CodeType, outcome: CodeCheckOutcome): void;
  /** A password sign-in ended (a database fault, which answers 503, is not a check). */
  passwordChecked?(outcome: PasswordCheckOutcome): void;
}

/** The outcome of a check from the error code it answered (null: it succeeded). */
export function codeCheckOutcomeOf(errorCode: string | null): CodeCheckOutcome {
  switch (errorCode) {
    case null:
      return "success";
    case "OTP_EXPIRED":
      return "expired";
    case "OTP_ALREADY_USED":
    case "OTP_REPLACED":
      return "used";
    case "TOO_MANY_ATTEMPTS":
      return "blocked";
    default:
      return "invalid";
  }
}

/** Calls into an observer that can never throw into the caller. */
export function safeObserver(observer: OtpObserver | undefined): Required<OtpObserver> {
  const guard =
    <A extends unknown[]>(call: ((...args: A) => void) | undefined) =>
    (...args: A) => {
      try {
        call?.(...args);
      } catch {
        // An observer's fault must not change the service's answer.
      }
    };
  return {
    codeIssued: guard(observer?.codeIssued?.bind(observer)),
    codeChecked: guard(observer?.codeChecked?.bind(observer)),
    passwordChecked: guard(observer?.passwordChecked?.bind(observer)),
  };
}
