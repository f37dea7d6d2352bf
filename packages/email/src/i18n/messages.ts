import type { CodeEmailKind } from "../kinds.js";

/**
 * The words of one code email. Arguments named `to`, `duration`, `when` or `link` are
 * per-message values: the fast renderer calls these functions once with opaque
 * placeholder tokens and splices the real values in later, so a translation must
 * embed such arguments verbatim (no case changes, no slicing, no conditions on them).
 * `productName` comes from config and may be used freely.
 */
export interface CodeEmailMessages {
  subject(productName: string): string;
  /** Inbox preview line. Static per locale and product: no code, no per-message value. */
  preview(productName: string): string;
  heading: string;
  intro(productName: string, to: string): string;
  /** The button beside the code that opens the link ("Verify your address"). */
  linkButton: string;
  /** The line for someone who did not ask for this email. */
  notRequested: string;
}

export interface PasswordChangedMessages {
  subject(productName: string): string;
  preview(productName: string): string;
  heading: string;
  changedOn(productName: string, to: string, when: string): string;
  ifItWasYou: string;
  ifItWasNotYou: string;
  resetPasswordButton: string;
  /**
   * Footer line. Nobody asked for this notice, so unlike the other kinds it does not say
   * "ignore this email": ignoring an unexpected password change is the wrong advice.
   */
  whyYouGetThis: string;
}

export interface AlreadyRegisteredMessages {
  subject(productName: string): string;
  preview(productName: string): string;
  heading: string;
  attempt(productName: string, to: string): string;
  advice: string;
  signInButton: string;
  forgotPassword: string;
  resetPasswordLink: string;
  notRequested: string;
}

export interface NewSignInMessages {
  subject(productName: string): string;
  preview(productName: string): string;
  heading: string;
  signedIn(productName: string, to: string, when: string, device: string, ip: string): string;
  ifItWasYou: string;
  ifItWasNotYou: string;
  accountButton: string;
  whyYouGetThis: string;
}

export interface EmailChangedMessages {
  subject(productName: string): string;
  preview(productName: string): string;
  heading: string;
  changed(productName: string, oldEmail: string, newEmail: string): string;
  ifItWasYou: string;
  /** What the undo link does (gives the old address back, signs out everywhere), and until when. */
  ifItWasNotYou(when: string): string;
  undoButton: string;
  whyYouGetThis: string;
}

export type MessagesByKind = { [K in CodeEmailKind]: CodeEmailMessages } & {
  PASSWORD_CHANGED: PasswordChangedMessages;
  ALREADY_REGISTERED: AlreadyRegisteredMessages;
  EMAIL_CHANGED: EmailChangedMessages;
  PASSWORD_LIMIT_REACHED: PasswordLimitMessages;
  ACCOUNT_LOCKED: AccountLockedMessages;
  NEW_SIGN_IN: NewSignInMessages;
};

/**
 * A complete message catalogue for one language. Adding a language means adding a
 * file that exports a `Messages`; the compiler then lists whatever is missing.
 */
export interface Messages {
  /** BCP 47 tag, used for `<html lang>` and for Intl number and date formatting. */
  lang: string;
  dir: "ltr" | "rtl";
  /** A code lifetime in words: "15 minutes", "1 hour", "90 seconds". */
  formatDuration(seconds: number): string;
  /** An instant in words, time zone included, e.g. "25 November 2025 at 07:53 UTC". */
  formatDateTime(date: Date): string;
  codeExpiresIn(duration: string): string;
  earlierCodesNoLongerWork: string;
  /** Code emails: the line before the link's button (the page it opens asks to confirm). */
  linkIntro: string;
  /** Code emails: the link as text, for when the button does not work (a per-message value). */
  linkAsText(link: string): string;
  sentTo(to: string, productName: string): string;
  kinds: MessagesByKind;
}

export interface PasswordLimitMessages {
  subject(productName: string): string;
  preview(productName: string): string;
  heading: string;
  attempts(productName: string, to: string): string;
  /** When, from where and with what; every argument is a per-message value. */
  details(when: string, ip: string, browser: string, os: string): string;
  /** Said for a browser, and for a system, that is not on the fixed lists (`UNKNOWN_BROWSER`, `UNKNOWN_SYSTEM`). */
  unknownBrowser: string;
  unknownSystem: string;
  ifItWasYou: string;
  ifItWasNotYou: string;
  resetPasswordButton: string;
  whyYouGetThis: string;
}

export interface AccountLockedMessages {
  subject(productName: string): string;
  preview(productName: string): string;
  heading: string;
  locked(productName: string, to: string): string;
  unlockWith: string;
  /** The link, in words, as a per-message value (also the button's target). */
  link(link: string): string;
  linkExpires(when: string): string;
  ifItWasNotYou: string;
  unlockButton: string;
  whyYouGetThis: string;
}
