import type { CodeType } from "./code-types.js";

export interface AccountState {
  isVerified: boolean;
}

/**
 * Whether an account (or no account) gets a code of this type when someone asks
 * for one by address. The caller answers the same either way, so the answer
 * never tells who has an account.
 */
export function mayReceiveCode(account: AccountState | null, codeType: CodeType): boolean {
  if (account === null) return false;
  switch (codeType) {
    case "VERIFICATION":
      // A verified address has nothing left to verify.
      return !account.isVerified;
    case "PASSWORD_RESET":
    case "SIGN_IN":
      return true;
    case "EMAIL_CHANGE":
    case "REAUTHENTICATION":
    case "EMAIL_CHANGE_UNDO":
      // Sent by signed-in flows (and the undo link by the email change), never by address lookup.
      return false;
  }
}

/** Code types a caller may ask to have (re)sent by address. */
export const RESENDABLE_CODE_TYPES = [
  "VERIFICATION",
  "PASSWORD_RESET",
  "SIGN_IN",
] as const satisfies readonly CodeType[];
/** One of `RESENDABLE_CODE_TYPES`. */
export type ResendableCodeType = (typeof RESENDABLE_CODE_TYPES)[number];
