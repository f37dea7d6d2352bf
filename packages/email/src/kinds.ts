/**
 * Every message this package can send. The order is the order of the preview index.
 * Code kinds carry a one-time passcode; the others are notices.
 */
export const EMAIL_KINDS = [
  "VERIFICATION_CODE",
  "PASSWORD_RESET_CODE",
  "SIGN_IN_CODE",
  "EMAIL_CHANGE_CODE",
  "PASSWORD_CHANGED",
  "ALREADY_REGISTERED",
  "EMAIL_CHANGED",
  "PASSWORD_LIMIT_REACHED",
  "ACCOUNT_LOCKED",
  "NEW_SIGN_IN",
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export const CODE_EMAIL_KINDS = [
  "VERIFICATION_CODE",
  "PASSWORD_RESET_CODE",
  "SIGN_IN_CODE",
  "EMAIL_CHANGE_CODE",
] as const satisfies readonly EmailKind[];
export type CodeEmailKind = (typeof CODE_EMAIL_KINDS)[number];

export function isCodeEmailKind(kind: EmailKind): kind is CodeEmailKind {
  return (CODE_EMAIL_KINDS as readonly EmailKind[]).includes(kind);
}

export interface CodeEmailData {
  /** The passcode exactly as the user must type it. */
  code: string;
  /** Lifetime of the code; the email states it in words ("15 minutes"). */
  expiresInSeconds: number;
  /**
   * The token of the link beside the code (`<baseUrl>/link?token=...`): the same
   * credential as the code, for one tap on the device that got the email.
   */
  linkToken: string;
}

/** What each kind needs besides the recipient. */
export interface EmailDataByKind {
  VERIFICATION_CODE: CodeEmailData;
  PASSWORD_RESET_CODE: CodeEmailData;
  SIGN_IN_CODE: CodeEmailData;
  /** Sent to the new address, which `to` names in the body. */
  EMAIL_CHANGE_CODE: CodeEmailData;
  /** `changedAt` defaults to the moment of rendering; pass it when sending is queued. */
  PASSWORD_CHANGED: { changedAt?: Date };
  ALREADY_REGISTERED: Record<never, never>;
  /** Sent to the OLD address once the account moved to `newEmail`. */
  EMAIL_CHANGED: { newEmail: string };
  /** The password budget of the account ran out: the attempt that used it up. */
  PASSWORD_LIMIT_REACHED: { at: Date; ip: string; browser: string; os: string };
  /** The account hit the cap on consecutive failures: the single-use unlock link's token. */
  ACCOUNT_LOCKED: { unlockToken: string; expiresAt: Date };
  /** A sign-in from a device the account had not used: when, from where, on what. */
  NEW_SIGN_IN: { signedInAt: Date; ip: string; device: string };
}

/**
 * One email to render: the kind, the recipient and that kind's data. Distributes over
 * the kinds, so `EmailMessage` is a union discriminated by `kind`.
 */
export type EmailMessage<K extends EmailKind = EmailKind> = K extends EmailKind
  ? { kind: K; to: string } & EmailDataByKind[K]
  : never;
