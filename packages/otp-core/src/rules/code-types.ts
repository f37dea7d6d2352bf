/** The kinds of passcode the product issues; also the Postgres enum `code_type`. */
export const CODE_TYPES = [
  "VERIFICATION",
  "PASSWORD_RESET",
  "SIGN_IN",
  "EMAIL_CHANGE",
  /** A code to the current address, proving who is at a signed-in session (ADR 20). */
  "REAUTHENTICATION",
  /** The link to the old address that undoes an email change (7 days; no code is mailed). */
  "EMAIL_CHANGE_UNDO",
] as const;
/** One of `CODE_TYPES`. */
export type CodeType = (typeof CODE_TYPES)[number];

/** The code types whose code is mailed (every one but the undo link, which goes in a notice). */
export const MAILED_CODE_TYPES = [
  "VERIFICATION",
  "PASSWORD_RESET",
  "SIGN_IN",
  "EMAIL_CHANGE",
  "REAUTHENTICATION",
] as const satisfies readonly CodeType[];
export type MailedCodeType = (typeof MAILED_CODE_TYPES)[number];

/** How long the link that undoes an email change works: 7 days (ADR 20). */
export const EMAIL_CHANGE_UNDO_TTL_SECONDS = 7 * 24 * 3600;
